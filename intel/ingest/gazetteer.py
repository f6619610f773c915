"""The gazetteer: every name and alias of companies, markets, people and products in
one Aho-Corasick automaton (pyahocorasick), cached per process and rebuilt only
when a name or alias changed (``EntityIndexVersion``, bumped by signals).

Matching rules:
* whole words only (by construction of the keys, see ``Gazetteer``); a
  possessive ("Xiaomi's") still matches, and a product's plural ("iPhones")
  matches the product;
* the longest match wins ("Galaxy Note" over "Galaxy");
* case-sensitive names (primary names, short or ambiguous aliases such as "US" or
  "Apple") match only as written, others in any case;
* a demonym ("Indian") is returned flagged; the caller decides where it names a market.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick
from django.db import connections
from django.db.models import F

from intel.choices import MarketKind, ReviewStatus
from intel.models import (
    Company,
    CompanyAlias,
    EntityIndexVersion,
    Market,
    MarketAlias,
    Person,
    PersonAlias,
    Product,
    ProductAlias,
)

from .bulk import bigint_array

# Which kind wins when one text names several records ("Apple" the company and a product).
KIND_PRIORITY = {"company": 0, "product": 1, "person": 2, "market": 3}


@dataclass(frozen=True)
class Entry:
    kind: str
    target_id: int
    surface: str
    case_sensitive: bool
    demonym: bool
    primary: bool
    # A proposal nobody confirmed yet: recognised again, but as a proposal (low
    # confidence, never an event's main participant on another article's word).
    proposal: bool = False


class Match(NamedTuple):
    start: int
    end: int
    entry: Entry
    ambiguous: bool


def is_word_char(char: str) -> bool:
    r"""Whether ``\w`` matches the character (in a str pattern)."""
    return char.isalnum() or char == "_"


# Every non-word character of the Basic Multilingual Plane as a space (the same set
# as regex \W): str.translate with this table is much faster than re.sub (docs/benchmarks.md).
_TO_SPACE = str.maketrans({i: " " for i in range(0x10000) if not is_word_char(chr(i)) and not 0xD800 <= i <= 0xDFFF})
# Characters the table does not cover (beyond the Basic Multilingual Plane, lone
# surrogates): in a text holding one, words_only() leaves non-word characters as they are.
BEYOND_TABLE_CHARS = "\ud800-\udfff\U00010000-\U0010ffff"
BEYOND_TABLE = re.compile(f"[{BEYOND_TABLE_CHARS}]")


def word_spaced(text: str) -> str:
    """The text as the automatons' keys are written: lower case, non-word characters as
    spaces, a space at each end ("Xiaomi's U.S. plan" → " xiaomi s u s  plan ")."""
    return f" {words_only(lower_same_length(text))} "


def lower_same_length(text: str) -> str:
    """``text.lower()`` with offsets kept: the few characters whose lower case is longer stay as they are."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def words_only(text: str) -> str:
    """Every non-word character as a space, offsets kept: "Xiaomi's U.S. plan" → "Xiaomi s U S  plan"."""
    return text.translate(_TO_SPACE)


class Gazetteer:
    """The automaton's keys are names with non-word characters turned into spaces and a
    space in front (" xiaomi", " u s", " galaxy note"); the text is prepared the same
    way with a space at each end. ``iter_long`` then yields, in C, the longest
    non-overlapping matches that start at a word; Python only checks that each ends
    at a word boundary and, for case-sensitive names, the case. ("Mi" never matches
    inside "Mining"; "Xiaomi's" matches "Xiaomi".) One limit of longest-first: where
    the longest name at a position runs into a longer word ("Apple Pay" in "Apple
    Payments"), the shorter name there ("Apple") is not tried.
    """

    def __init__(self, entries: list[Entry]) -> None:
        self.automaton = ahocorasick.Automaton()
        grouped: dict[str, list[tuple[Entry, str]]] = {}
        for entry in entries:
            variants = [entry.surface.strip()]
            if entry.kind == "product":
                # A product's plural names the product: "iPhones", "Galaxy Notes".
                variants += [variants[0] + "s", variants[0] + "es"]
            for variant in variants:
                cased = " ".join(words_only(variant).split())  # "U.S." → "U S"
                if len(cased) < 2:
                    continue
                grouped.setdefault(f" {lower_same_length(cased)}", []).append((entry, cased))
        for key, group in grouped.items():
            # The common case, one record behind the key, needs no list per hit:
            # (entry, the exact form when case-sensitive, whether a full stop belongs to it).
            single = None
            if len(group) == 1:
                entry, form = group[0]
                single = (entry, form if entry.case_sensitive else None, entry.surface.endswith("."))
            self.automaton.add_word(key, (len(key), tuple(group), single))
        self.size = len(grouped)
        self.demonyms = frozenset(e.surface for e in entries if e.demonym)
        if self.size:
            self.automaton.make_automaton()

    def prepare(self, text: str) -> str:
        return word_spaced(text)

    @staticmethod
    def _same_case(text: str, start: int, end: int, form: str) -> bool:
        """Whether the text at [start, end) is written exactly as the name (punctuation aside)."""
        written = text[start:end]
        return written == form or words_only(written) == form

    def find(self, text: str, haystack: str | None = None) -> list[Match]:
        """Every non-overlapping whole-word match, longest first at each position.

        ``haystack`` is ``prepare(text)`` when the caller has it already (several
        automatons searched over one text)."""
        if not self.size:
            return []
        if haystack is None:
            haystack = self.prepare(text)
        chosen: list[Match] = []
        append = chosen.append  # the loop runs once per hit: local names are faster
        for end, (length, group, single) in self.automaton.iter_long(haystack):
            # haystack[i] is text[i - 1]: the key's leading space sits at text offset
            # start - 1, its last character at text offset end - 1.
            if haystack[end + 1] != " ":
                continue  # the name runs into a longer word
            start = end - length + 1
            if single is not None:
                entry, form, full_stop = single
                if form is not None:
                    written = text[start:end]
                    if written != form and words_only(written) != form:
                        continue
                ambiguous = False
            else:
                usable = [e for e, form in group if not e.case_sensitive or self._same_case(text, start, end, form)]
                if not usable:
                    continue
                usable.sort(key=lambda e: (KIND_PRIORITY[e.kind], not e.primary))
                entry, ambiguous = usable[0], len({(e.kind, e.target_id) for e in usable}) > 1
                full_stop = entry.surface.endswith(".")
            if full_stop and text[end : end + 1] == ".":
                end += 1  # "U.S." keeps its full stop
            append(Match(start, end, entry, ambiguous))
        return chosen


def _load_entries(
    after: dict[str, int] | None = None, also: dict[str, set[int]] | None = None
) -> tuple[list[Entry], dict[str, set[int]]]:
    """Every name and alias worth matching (rejected records are left out), and the
    keys of the rows read, per model.

    With ``after``, only rows whose primary key is above the given one per model,
    and those whose keys ``also`` lists: the names added since the last read.

    One statement for the eight tables (a UNION ALL in key order): this read runs
    for every batch that follows one which proposed names, and eight ORM queries
    cost more in compiling and round trips there than the rows they read.
    Key order also decides ties: where two names or two aliases of a kind are
    alike, a match links the one stored first (flagged ambiguous), in the full
    build as across the small automatons of names added later.
    """
    after, also = after or {}, also or {}
    connection = connections[Company.objects.db]
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []

    def newer(alias: str, model: type[Any]) -> str:
        key = model._meta.model_name
        if key not in after:
            return ""
        params.append(after[key])
        if not also.get(key):
            return f" AND {alias}.id > %s"
        sql, values = _key_set(connection.vendor, also[key])
        params.extend(values)
        return f" AND ({alias}.id > %s OR {alias}.id {sql})"

    for position, (kind, owner, alias_model, keep) in enumerate(_NAMED):
        table, alias_table = quote(owner._meta.db_table), quote(alias_model._meta.db_table)
        owner_column = quote(alias_model._meta.get_field(kind).column)
        demonym = "a.is_demonym" if alias_model is MarketAlias else "FALSE"  # "Indian", "European"
        proposal = "FALSE" if owner is Market else f"o.review_status = '{ReviewStatus.PROPOSED.value}'"
        parts.append(
            f"SELECT {position}, 0, o.id, o.id, o.name, TRUE, FALSE, {proposal} FROM {table} o "  # noqa: S608 - quoted identifiers only
            f"WHERE {keep}{newer('o', owner)}"
        )
        parts.append(
            f"SELECT {position}, 1, a.id, a.{owner_column}, a.text, a.case_sensitive, {demonym}, {proposal} "  # noqa: S608 - quoted identifiers only
            f"FROM {alias_table} a JOIN {table} o ON o.id = a.{owner_column} WHERE {keep}{newer('a', alias_model)}"
        )
    entries: list[Entry] = []
    read: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 3", params)
        for position, is_alias, pk, target, text, case_sensitive, demonym, proposal in cursor.fetchall():
            kind, owner, alias_model, _ = _NAMED[position]
            entries.append(
                Entry(kind, target, text, bool(case_sensitive), bool(demonym), not is_alias, bool(proposal))
            )
            read.setdefault((alias_model if is_alias else owner)._meta.model_name, set()).add(pk)
    return entries, read


# What the gazetteer reads: each kind's records (those worth matching) and their aliases.
_NAMED: tuple[tuple[str, type[Any], type[Any], str], ...] = (
    ("company", Company, CompanyAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
    ("market", Market, MarketAlias, f"o.kind <> '{MarketKind.SEGMENT.value}'"),
    ("person", Person, PersonAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
    ("product", Product, ProductAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
)


def _key_set(vendor: str, keys: set[int]) -> tuple[str, list[Any]]:
    """``IN (keys)`` as one parameter where the database takes a list in one (up to
    ``_MAX_GAPS`` keys per table: more parameters than SQLite allows in a statement)."""
    if vendor == "postgresql":
        return "= ANY(%s::bigint[])", [bigint_array(sorted(keys))]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(sorted(keys))]  # SQLite


# Keys are handed out before transactions commit (a batch's COPY takes hundreds at
# once), so a row with a key under the highest one read may commit later: a full
# build looks this far back, and later reads look again at every key skipped
# (``_Cache.gaps``).
_LOOKBACK = 2000
# Past this many keys skipped in one table (rolled back, rejected or still not
# committed), a full build starts afresh.
_MAX_GAPS = 5000


def _watermark() -> dict[str, int]:
    """The highest key of each table the gazetteer reads, less the look-back margin."""
    models = (Company, CompanyAlias, Market, MarketAlias, Person, PersonAlias, Product, ProductAlias)
    return {
        model._meta.model_name: max(
            0, (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) - _LOOKBACK
        )
        for model in models
    }


class LayeredGazetteer:
    """The large automaton of a full build plus a few small ones of the names added since.

    Proposals made while ingesting add names all the time; rebuilding the large
    automaton for each batch cost more than the batch (docs/benchmarks.md). The
    names added go into small automatons instead, merged two by two as they grow
    (see ``_with_added``), so each added name is read from the database once and
    built into an automaton a few times at most.
    Matches of all of them are merged, longest first.
    """

    def __init__(self, base: Gazetteer, added: tuple[Gazetteer, ...] = ()) -> None:
        self.base, self.added = base, added
        self.size = base.size + sum(layer.size for layer in added)
        self.demonyms = base.demonyms.union(*(layer.demonyms for layer in added))
        self.automaton = base.automaton

    def find(self, text: str) -> list[Match]:
        if not self.added:
            return self.base.find(text)
        haystack = self.base.prepare(text)  # the same preparation for every layer
        found = self.base.find(text, haystack)
        for layer in self.added:
            found += layer.find(text, haystack)
        merged = sorted(found, key=lambda m: (m.start, m.start - m.end))
        chosen: list[Match] = []
        cursor = -1
        for match in merged:
            if match.start >= cursor:
                chosen.append(match)
                cursor = match.end
            elif chosen and (match.start, match.end) == (chosen[-1].start, chosen[-1].end):
                chosen[-1] = _same_span(chosen[-1], match)
        return chosen


def _same_span(first: Match, other: Match) -> Match:
    """One match of two automatons' matches of the same text, as one automaton would
    give it: the kind that wins (``KIND_PRIORITY``), ambiguous if they name two records."""
    ambiguous = first.ambiguous or other.ambiguous
    if (first.entry.kind, first.entry.target_id) != (other.entry.kind, other.entry.target_id):
        ambiguous = True
    best = min(first.entry, other.entry, key=lambda e: (KIND_PRIORITY[e.kind], not e.primary))
    return Match(first.start, first.end, best, ambiguous)


@dataclass
class _Layer:
    entries: list[Entry]
    gazetteer: Gazetteer


@dataclass
class _Cache:
    version: int
    additions: int
    highest: dict[str, int]  # per model, the highest key read: rows above it are new…
    gaps: dict[str, set[int]]  # … and so may be these, keys under it not read (yet)
    base: Gazetteer
    layers: list[_Layer]
    gazetteer: LayeredGazetteer

    @property
    def added_count(self) -> int:
        return sum(len(layer.entries) for layer in self.layers)


_lock = threading.Lock()
_cached: _Cache | None = None
# Past this share of added names next to the large automaton, rebuild the large one
# (the small automatons' merges grow with the names they hold).
_REBUILD_SHARE = 0.25
_REBUILD_MIN = 2000


def current_version() -> tuple[int, int]:
    row = EntityIndexVersion.objects.values_list("version", "additions").first()
    return (row[0], row[1]) if row else (0, 0)


def get_gazetteer() -> LayeredGazetteer:
    """The cached gazetteer, brought up to date when names changed (one query when they did not)."""
    global _cached
    version, additions = current_version()
    cached = _cached
    if cached is not None and cached.version == version and cached.additions == additions:
        return cached.gazetteer
    with _lock:
        cached = _cached
        if cached is not None and cached.version == version and cached.additions == additions:
            return cached.gazetteer
        if cached is not None and cached.version == version:
            updated = _with_added(cached, additions)
            if updated is not None and updated.added_count <= max(_REBUILD_SHARE * updated.base.size, _REBUILD_MIN):
                _cached = updated
                return updated.gazetteer
        watermark = _watermark()
        entries, read = _load_entries()
        base = Gazetteer(entries)
        highest, gaps = _advance(watermark, {key: set() for key in watermark}, read)
        _cached = _Cache(version, additions, highest, gaps, base, [], LayeredGazetteer(base))
        return _cached.gazetteer


def _advance(
    highest: dict[str, int], gaps: dict[str, set[int]], read: dict[str, set[int]]
) -> tuple[dict[str, int], dict[str, set[int]]]:
    """The highest key read per model, and the keys under it not read: those of rows
    not committed when read (or rolled back, or rejected), to look at again."""
    new_highest, new_gaps = {}, {}
    for key, top in highest.items():
        keys = read.get(key, set())
        new_top = max(keys, default=top)
        new_highest[key] = max(top, new_top)
        new_gaps[key] = (gaps[key] | set(range(top + 1, new_top + 1))) - keys
    return new_highest, new_gaps


def _with_added(cached: _Cache, additions: int) -> _Cache | None:
    """The cache with the names added that it has not read yet, or None when a full
    build should start afresh.

    Read: the rows above the highest key read before, and those of the keys skipped
    under it (a row whose transaction committed after a higher key was read is
    found then). The new names become a small automaton; the newest two are merged
    while the newer holds at least half as many names as the older, as in a
    log-structured merge, so each name is built into an automaton about
    log2(added / batch) times.
    """
    entries, read = _load_entries(cached.highest, cached.gaps)
    highest, gaps = _advance(cached.highest, cached.gaps, read)
    if any(len(keys) > _MAX_GAPS for keys in gaps.values()):
        return None
    layers = list(cached.layers)
    if entries:  # each row is read once: above the highest key, or from a gap
        layers.append(_Layer(entries, Gazetteer(entries)))
    while len(layers) >= 2 and 2 * len(layers[-1].entries) >= len(layers[-2].entries):
        merged = layers[-2].entries + layers[-1].entries
        layers[-2:] = [_Layer(merged, Gazetteer(merged))]
    gazetteer = LayeredGazetteer(cached.base, tuple(layer.gazetteer for layer in layers))
    return _Cache(cached.version, additions, highest, gaps, cached.base, layers, gazetteer)


def bump_version(*, added_only: bool = False) -> None:
    """Mark every process's gazetteer stale: wholly, or only for names added.

    Runs inside the caller's transaction, if any, so the new names and the new
    version commit (or roll back) together.
    """
    field = "additions" if added_only else "version"
    updated = EntityIndexVersion.objects.filter(pk=1).update(**{field: F(field) + 1})
    if not updated:
        EntityIndexVersion.objects.get_or_create(pk=1, defaults={field: 1})
