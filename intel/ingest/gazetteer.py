"""The gazetteer's automaton: every name and alias of companies, markets, people and
products as keys of one Aho-Corasick automaton (pyahocorasick), and the text helpers
that prepare a text the way the keys are written.

Pure text: no database and no Django, so it is built and tested on plain ``Entry``
lists. The names come from ``gazetteer_loader.py``; the automaton a process matches
with, kept current as names change, from ``gazetteer_cache.py``.

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

import re
from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

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
