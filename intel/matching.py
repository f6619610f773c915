"""Text matching for analysts' rules: any, all, literal, regex, fuzzy (like paperless-ngx).

``find_matches`` returns the spans that made a rule fire, so the reason for every
tag or event can be stored and shown ("rule X matched 'carrier contracts' at 1290").
Words and phrases match whole words only.

This is the one implementation: the admin's rule tester, stage 8 (event rules) and
stage 9 (tag rules) all call it.

Analysts' regular expressions run with the ``regex`` module and a time limit, as
paperless-ngx's ``safe_regex_search`` does: a pattern that backtracks without end on
some article (``(a+)+$``) raises ``RuleTimedOut`` instead of holding a worker. Words
and phrases are escaped and joined by ``\\s+``: they cannot backtrack that way, and
run with ``re``.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regex
from django.conf import settings
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


class RuleTimedOut(TimeoutError):
    """An analyst's regular expression ran past its time limit on a text."""

    def __init__(self, pattern: str, timeout: float) -> None:
        super().__init__(f"The regular expression {pattern!r} ran longer than {timeout:g} s.")
        self.pattern = pattern
        self.timeout = timeout


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
def _user_regex(pattern: str, case_sensitive: bool) -> regex.Pattern[str]:
    return regex.compile(pattern, 0 if case_sensitive else regex.IGNORECASE)


def _all_spans(found: Iterable[re.Match[str] | regex.Match[str]], limit: int | None) -> list[RuleMatch]:
    matches = (m for m in found if m.end() > m.start())
    return [RuleMatch(m.start(), m.end(), m.group(0)) for m in itertools.islice(matches, limit)]


def _phrase_spans(phrase: str, case_sensitive: bool, text: str, limit: int | None) -> list[RuleMatch]:
    return _all_spans(_phrase_regex(phrase, case_sensitive).finditer(text), limit)


def rule_regex_timeout() -> float:
    """Seconds an analyst's regular expression may run on one article (``RIVALSCOPE_RULE_REGEX_TIMEOUT``)."""
    return float(settings.RIVALSCOPE_RULE_REGEX_TIMEOUT)


def find_matches(
    text: str,
    *,
    algorithm: str,
    pattern: str,
    case_sensitive: bool = False,
    limit: int | None = None,
    timeout: float | None = None,
) -> list[RuleMatch]:
    """The spans of ``text`` by which the rule matches, first ``limit`` (all by default); empty when it does not.

    A regular expression may run ``timeout`` seconds (by default ``rule_regex_timeout()``);
    past that, ``RuleTimedOut`` is raised.
    """
    found = _find(text[:MAX_TEXT], algorithm, pattern, case_sensitive, limit, timeout)
    return found[:limit] if limit is not None else found


def _find(
    text: str, algorithm: str, pattern: str, case_sensitive: bool, limit: int | None, timeout: float | None
) -> list[RuleMatch]:
    if algorithm == MatchAlgorithm.ANY:
        found: list[RuleMatch] = []
        for word in _words(pattern):
            found.extend(_phrase_spans(word, case_sensitive, text, limit))
        return sorted(found, key=lambda m: m.start)
    if algorithm == MatchAlgorithm.ALL:
        found = []
        for word in _words(pattern):
            spans = _phrase_spans(word, case_sensitive, text, limit)
            if not spans:
                return []
            found.extend(spans)
        return sorted(found, key=lambda m: m.start)
    if algorithm == MatchAlgorithm.LITERAL:
        return _phrase_spans(pattern.strip(), case_sensitive, text, limit)
    if algorithm == MatchAlgorithm.REGEX:
        # Never below zero: the regex module takes a negative timeout for none at all.
        seconds = max(rule_regex_timeout() if timeout is None else timeout, 0.0)
        try:
            # The limit holds for the whole search, every match found included.
            return _all_spans(_user_regex(pattern, case_sensitive).finditer(text, timeout=seconds), limit)
        except TimeoutError as exc:
            raise RuleTimedOut(pattern, seconds) from exc
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
