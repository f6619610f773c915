"""The gazetteer a process matches with: built once, then kept current as names change.

``EntityIndexVersion`` (bumped by signals, ``bump_version``, in the same transaction
as the change) says when the cached automaton is stale: names only added are read
once (``gazetteer_loader.load_entries`` from the highest key read, and the keys
skipped under it, whose transactions may have committed since) into small automatons
merged two by two as they grow (``LayeredGazetteer``); a rename, removal or
rejection, or added names past a quarter of the large automaton, rebuild the large
one. Each process keeps its own cache, built on its first ingest.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import F

from intel.models import EntityIndexVersion

from .gazetteer import KIND_PRIORITY, Entry, Gazetteer, Match
from .gazetteer_loader import load_entries, watermark


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
# Past this many keys skipped in one table (rolled back, rejected or still not
# committed), a full build starts afresh.
_MAX_GAPS = 5000
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
        start = watermark()
        entries, read = load_entries()
        base = Gazetteer(entries)
        highest, gaps = _advance(start, {key: set() for key in start}, read)
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
    entries, read = load_entries(cached.highest, cached.gaps)
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
