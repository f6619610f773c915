"""Finding a pattern's matches from its literal prefixes: ``finditer`` as ``re``'s, faster.

Python's ``re`` tries a pattern at every position of the text. Most patterns of
the ingest path (analysts' rules, time phrases) are alternatives of words:
``\\bbudget (?:phones?|…)\\b|\\blow[- ]cost\\b|…``, 25 to 80 µs per pattern over a 2 KB
article. When every match of a pattern must begin with one of a few literal
prefixes ("budget", "low", …), only the positions where ``str.find`` sees one of
them can start a match; trying the pattern there, leftmost first, finds exactly
the matches ``finditer`` finds. The starts come from ``str.find`` per prefix or, for
many prefixes, from one pass of an automaton over them all. Patterns without such
prefixes, and texts whose lower case would not line up with what ``re.IGNORECASE``
matches, take the plain path. ``tests/test_ingest_rulematch.py`` compares both over
many patterns and texts.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes: the pattern's structure decides the prefixes
import re._parser as sre_parse
import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, NamedTuple

import ahocorasick

# Characters that re.IGNORECASE matches to an ASCII letter although their lower
# case is not that letter ("İ", "ı", "ſ"; found by trying every code point): in a
# text holding one, lower-cased search could miss a match, so it takes the plain path.
CASE_FOLD_SURPRISE_CHARS = "\u0130\u0131\u017f"
_CASE_FOLD_SURPRISES = re.compile(f"[{CASE_FOLD_SURPRISE_CHARS}]")
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
# One pass of an Aho-Corasick automaton over the prefixes finds their starts faster
# than a ``str.find`` loop per prefix from 4 prefixes in a sentence and 8 in a 2 KB
# article (a pass costs about 4 µs there, a find 1 µs; 24 month names: 34 → 11 µs).
_AUTOMATON_FROM = 4
_AUTOMATON_FROM_IN_LONG_TEXT = 8
_LONG_TEXT = 500
# From this length, a text's prefix starts come from one pass of the automaton of
# every pattern's prefixes (``_Universe``), shared by all the patterns searched in
# it: an article's time phrases and tag rules are some 20 patterns.
_SHARED_FROM = 500
# Prefixes are never taken out (a plan may still use them), so a worker that sees
# analysts edit their rules for months stops adding at this many: the built-in
# patterns, planned first, hold about 150.
_UNIVERSE_MAX = 2000


def automaton_of(words: Mapping[str, Any]) -> ahocorasick.Automaton:
    """An Aho-Corasick automaton over the words, each yielding its value."""
    automaton = ahocorasick.Automaton()
    for word, value in words.items():
        automaton.add_word(word, value)
    automaton.make_automaton()
    return automaton


class _Universe:
    """The literal prefixes (two characters or more) of every pattern planned so far,
    for one haystack (the lower case, or the text as written), in one automaton.

    Patterns are planned once each and come from code or from analysts' rules, so
    the set grows rarely; the automaton is rebuilt on the next use after it did.
    """

    def __init__(self) -> None:
        self.prefixes: set[str] = set()
        self.version = 0
        self._automaton: ahocorasick.Automaton | None = None
        self._lock = threading.Lock()

    def add(self, prefixes: Iterable[str]) -> bool:
        """Take in a pattern's prefixes; False when that would pass ``_UNIVERSE_MAX``
        (the pattern then finds its own starts)."""
        with self._lock:
            new = set(prefixes) - self.prefixes
            if len(self.prefixes) + len(new) > _UNIVERSE_MAX:
                return False
            if new:
                self.prefixes |= new
                self.version += 1
                self._automaton = None
            return True

    def current(self) -> tuple[int, ahocorasick.Automaton]:
        with self._lock:
            if self._automaton is None:
                self._automaton = automaton_of({prefix: (len(prefix), prefix) for prefix in self.prefixes})
            return self.version, self._automaton


_UNIVERSES = {True: _Universe(), False: _Universe()}  # by ignore_case


class Text:
    """An article's text with its lower case, computed once for all patterns, and the
    starts of every known prefix in it, found once (``starts_by_prefix``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        lowered = text.lower()
        # Offsets in the lower case are offsets in the text only when no character changed length.
        same = self.text.isascii() or (len(lowered) == len(self.text) and not _CASE_FOLD_SURPRISES.search(self.text))
        self.lowered: str | None = lowered if same else None
        self._starts: dict[bool, tuple[int, dict[str, list[int]]]] = {}

    def starts_by_prefix(self, ignore_case: bool, haystack: str) -> dict[str, list[int]]:
        """Where each prefix of ``_UNIVERSES[ignore_case]`` starts in ``haystack`` (ascending)."""
        version, automaton = _UNIVERSES[ignore_case].current()
        cached = self._starts.get(ignore_case)
        if cached is not None and cached[0] == version:
            return cached[1]
        found: dict[str, list[int]] = {}
        for end, (length, prefix) in automaton.iter(haystack):
            starts = found.get(prefix)
            if starts is None:
                found[prefix] = [end - length + 1]
            else:
                starts.append(end - length + 1)
        self._starts[ignore_case] = (version, found)
        return found


def finditer(regex: re.Pattern[str], text: Text) -> Iterator[re.Match[str]]:
    """``regex.finditer(text.text)``, trying the pattern only where one of its literal prefixes starts."""
    plan = _plan(regex)
    haystack = None if plan is None else text.lowered if plan.ignore_case else text.text
    if plan is None or haystack is None:
        yield from regex.finditer(text.text)
        return
    starts: Iterable[int]
    if plan.shared and len(haystack) >= _SHARED_FROM:
        found = text.starts_by_prefix(plan.ignore_case, haystack)
        lists = [found[prefix] for prefix in plan.prefixes if prefix in found]
        starts = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
    else:
        starts = _own_starts(plan, haystack)
    end = 0
    match = regex.match
    for start in starts:
        # finditer goes on from the end of the previous match, leftmost first (a
        # match holds a prefix at least, so it is never empty); match() at a
        # position still sees the text before it, for \b and lookbehinds.
        if start < end:
            continue
        m = match(text.text, start)
        if m is not None:
            yield m
            end = m.end()


def _own_starts(plan: _Plan, haystack: str) -> list[int]:
    """The starts of the plan's prefixes in ``haystack``, ascending, each once."""
    starts: set[int] = set()
    if plan.automaton is not None and (
        len(plan.prefixes) >= _AUTOMATON_FROM_IN_LONG_TEXT or len(haystack) < _LONG_TEXT
    ):
        # Many prefixes: one pass of their automaton finds every start (ends and lengths).
        for end, length in plan.automaton.iter(haystack):
            starts.add(end - length + 1)
    else:
        for prefix in plan.prefixes:
            at = haystack.find(prefix)
            while at != -1:
                starts.add(at)
                at = haystack.find(prefix, at + 1)
    return sorted(starts)


def first_to_match(regexes: tuple[re.Pattern[str], ...], text: Text) -> int | None:
    """The index of the first of ``regexes`` that matches somewhere in the text, or None:
    ``next((i for i, r in enumerate(regexes) if r.search(text.text)), None)``.

    One automaton pass finds the starts of all their prefixes at once (the status
    cues of stage 7: six patterns, 40 prefixes, one pass instead of six).
    """
    combined = _combined(regexes)
    haystack = None if combined is None else text.lowered if combined.ignore_case else text.text
    if combined is None or haystack is None:
        for index, regex in enumerate(regexes):
            if next(finditer(regex, text), None) is not None:
                return index
        return None
    starts: dict[int, set[int]] = {}
    for end, (length, owners) in combined.automaton.iter(haystack):
        for index in owners:
            starts.setdefault(index, set()).add(end - length + 1)
    for index in sorted(starts):
        match = regexes[index].match
        # Any start will do: only whether the pattern matches somewhere counts.
        if any(match(text.text, start) is not None for start in starts[index]):
            return index
    return None


class _Combined(NamedTuple):
    automaton: ahocorasick.Automaton  # prefix → (its length, the indexes of the patterns it starts)
    ignore_case: bool


@lru_cache(maxsize=64)
def _combined(regexes: tuple[re.Pattern[str], ...]) -> _Combined | None:
    plans = [_plan(regex) for regex in regexes]
    if not plans or any(plan is None for plan in plans):
        return None
    ignore_case = {plan.ignore_case for plan in plans if plan is not None}
    if len(ignore_case) != 1:
        return None  # prefixes of both cases: no one haystack for all
    owners: dict[str, set[int]] = {}
    for index, plan in enumerate(plans):
        for prefix in plan.prefixes:  # type: ignore[union-attr]
            owners.setdefault(prefix, set()).add(index)
    automaton = automaton_of({prefix: (len(prefix), frozenset(indexes)) for prefix, indexes in owners.items()})
    return _Combined(automaton, ignore_case.pop())


class _Plan(NamedTuple):
    prefixes: tuple[str, ...]
    ignore_case: bool  # the prefixes are lower-cased, to be found in the lower-cased text
    automaton: ahocorasick.Automaton | None  # over the prefixes, when there are many
    shared: bool  # its prefixes are in the universe: long texts find them all in one pass


@lru_cache(maxsize=2048)
def _plan(regex: re.Pattern[str]) -> _Plan | None:
    prefixes = literal_prefixes(regex)
    # The flags are an enum.Flag, whose & runs in Python (a tenth of this module's
    # time when tested at every call): once per pattern here.
    if prefixes is None:
        return None
    automaton = automaton_of({prefix: len(prefix) for prefix in prefixes}) if len(prefixes) >= _AUTOMATON_FROM else None
    ignore_case = bool(regex.flags & re.IGNORECASE)
    # One-character prefixes ("h" of "H1") would put every such letter of every text
    # through Python: those patterns keep finding their own.
    shared = all(len(prefix) >= 2 for prefix in prefixes) and _UNIVERSES[ignore_case].add(prefixes)
    return _Plan(prefixes, ignore_case, automaton, shared)


@lru_cache(maxsize=2048)
def literal_prefixes(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals one of which every match of ``regex`` starts with (lower-cased when it
    ignores case), or None when the pattern does not say so plainly."""
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
    except (re.error, RecursionError):  # compiled already, so never expected; the plain path then
        return None
    prefixes = _prefixes(list(parsed))
    if not prefixes:
        return None
    if regex.flags & re.IGNORECASE:
        if not all(p.isascii() for p in prefixes):
            return None  # beyond ASCII, re.IGNORECASE knows equivalences that str.lower() does not
        prefixes = [p.lower() for p in prefixes]
    return tuple(dict.fromkeys(prefixes))


def _prefixes(items: list[tuple[object, object]]) -> list[str] | None:
    """The literal prefixes of a sequence of parsed items, or None when some match could start otherwise."""
    index = 0
    while index < len(items) and items[index][0] in _ZERO_WIDTH:
        index += 1  # \b, lookarounds: they only restrict where a match starts
    if index == len(items):
        return None  # the rest may match the empty string
    op, av = items[index]
    if op is sre.LITERAL:
        chars = []
        while index < len(items) and items[index][0] is sre.LITERAL:
            chars.append(chr(items[index][1]))  # type: ignore[arg-type]
            index += 1
        return ["".join(chars)]
    if op is sre.BRANCH:
        _, alternatives = av  # type: ignore[misc]
        return _union(_prefixes(list(alternative)) for alternative in alternatives)
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, sub = av  # type: ignore[misc]
        if add_flags or del_flags:
            return None  # (?i:…) inside: the case rules change
        return _prefixes(list(sub))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, sub = av  # type: ignore[misc]
        if low:
            return _prefixes(list(sub))
        # Optional: a match starts with the repeated part or with what follows it.
        return _union([_prefixes(list(sub)), _prefixes(items[index + 1 :])])
    return None


def _union(groups: Iterable[list[str] | None]) -> list[str] | None:
    found: list[str] = []
    for group in groups:
        if group is None:
            return None
        found += group
    return found
