"""Text matching for analysts' rules: any, all, literal, regex, fuzzy (like paperless-ngx).

``find_matches`` returns the spans that made a rule fire, so the reason for every
tag or event can be stored and shown ("rule X matched 'carrier contracts' at 1290").
Words and phrases match whole words only.
"""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from intel.models.rules import MatchAlgorithm

FUZZY_THRESHOLD = 90.0
# Regexes run on every article: bound the text a single search may scan.
MAX_TEXT = 5 * 1024 * 1024


@dataclass(frozen=True)
class RuleMatch:
    start: int
    end: int
    text: str


@lru_cache(maxsize=2048)
def _words(pattern: str) -> tuple[str, ...]:
    """Split on white space, keeping "quoted phrases" together."""
    try:
        parts = shlex.split(pattern)
    except ValueError:  # an unbalanced quote: fall back to plain words
        parts = pattern.split()
    return tuple(p.strip() for p in parts if p.strip())


@lru_cache(maxsize=2048)
def _phrase_regex(phrase: str, case_sensitive: bool) -> re.Pattern[str]:
    body = r"\s+".join(re.escape(part) for part in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if case_sensitive else re.IGNORECASE)


@lru_cache(maxsize=2048)
def _user_regex(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    return re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)


def _all_spans(regex: re.Pattern[str], text: str, limit: int | None = None) -> list[RuleMatch]:
    matches = (m for m in regex.finditer(text) if m.end() > m.start())
    return [RuleMatch(m.start(), m.end(), m.group(0)) for m in itertools.islice(matches, limit)]


def find_matches(
    text: str, *, algorithm: str, pattern: str, case_sensitive: bool = False, limit: int | None = None
) -> list[RuleMatch]:
    """The spans of ``text`` by which the rule matches, first ``limit`` (all by default); empty when it does not."""
    found = _find(text[:MAX_TEXT], algorithm, pattern, case_sensitive, limit)
    return found[:limit] if limit is not None else found


def _find(text: str, algorithm: str, pattern: str, case_sensitive: bool, limit: int | None) -> list[RuleMatch]:
    if algorithm == MatchAlgorithm.ANY:
        found: list[RuleMatch] = []
        for word in _words(pattern):
            found.extend(_all_spans(_phrase_regex(word, case_sensitive), text, limit))
        return sorted(found, key=lambda m: m.start)
    if algorithm == MatchAlgorithm.ALL:
        found = []
        for word in _words(pattern):
            spans = _all_spans(_phrase_regex(word, case_sensitive), text, limit)
            if not spans:
                return []
            found.extend(spans)
        return sorted(found, key=lambda m: m.start)
    if algorithm == MatchAlgorithm.LITERAL:
        return _all_spans(_phrase_regex(pattern.strip(), case_sensitive), text, limit)
    if algorithm == MatchAlgorithm.REGEX:
        return _all_spans(_user_regex(pattern, case_sensitive), text, limit)
    if algorithm == MatchAlgorithm.FUZZY:
        needle = pattern.strip() if case_sensitive else pattern.strip().lower()
        haystack = text if case_sensitive else text.lower()
        if not needle:
            return []
        alignment = fuzz.partial_ratio_alignment(needle, haystack, score_cutoff=FUZZY_THRESHOLD)
        if alignment is None:
            return []
        start, end = alignment.dest_start, alignment.dest_end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return [RuleMatch(start, end, text[start:end])] if end > start else []
    raise ValueError(f"Unknown matching algorithm {algorithm!r}.")
