"""``find_matches`` for the ingest path: the same spans, found from the rule's literal prefixes.

Analysts' rules (``intel/matching.py``) are mostly alternatives of words: ``\\bbudget
(?:phones?|…)\\b|\\blow[- ]cost\\b|…``. Python's ``re`` tries every alternative at every
position of a 2 KB article: 25 to 80 µs per rule and article, most of the tags
stage. When every match of a pattern must begin with one of a few literal
prefixes ("budget", "low", …), only the positions where ``str.find`` sees one of
them can start a match; trying the pattern there, leftmost first, finds exactly
the matches ``finditer`` finds. Patterns without such prefixes, and texts whose
lower case would not line up with what ``re.IGNORECASE`` matches, take the plain
path. ``tests/test_ingest_rulematch.py`` compares both over random rules and texts.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's opcodes: the pattern's structure decides the prefixes
import re._parser as sre_parse
from functools import lru_cache

from intel.matching import (
    MAX_TEXT,
    RuleMatch,
    _all_spans,
    _phrase_regex,
    _user_regex,
    _words,
    find_matches,
)
from intel.models.rules import MatchAlgorithm

# Characters that re.IGNORECASE matches to an ASCII letter although their lower
# case is not that letter ("İ", "ı", "ſ"; found by trying every code point): in a
# text holding one, lower-cased search could miss a match, so it takes the plain path.
_CASE_FOLD_SURPRISES = re.compile("[\u0130\u0131\u017f]")
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}


class Text:
    """An article's text with its lower case, computed once for all rules."""

    def __init__(self, text: str) -> None:
        self.text = text[:MAX_TEXT]
        lowered = self.text.lower()
        # Offsets in the lower case are offsets in the text only when no character changed length.
        same = self.text.isascii() or (len(lowered) == len(self.text) and not _CASE_FOLD_SURPRISES.search(self.text))
        self.lowered: str | None = lowered if same else None


def find_rule_matches(
    text: Text, *, algorithm: str, pattern: str, case_sensitive: bool = False, limit: int | None = None
) -> list[RuleMatch]:
    """Exactly ``intel.matching.find_matches(text.text, …)``."""
    if algorithm == MatchAlgorithm.ANY:
        found: list[RuleMatch] = []
        for word in _words(pattern):
            found.extend(_spans(_phrase_regex(word, case_sensitive), text, limit))
        found.sort(key=lambda m: m.start)
    elif algorithm == MatchAlgorithm.ALL:
        found = []
        for word in _words(pattern):
            spans = _spans(_phrase_regex(word, case_sensitive), text, limit)
            if not spans:
                return []
            found.extend(spans)
        found.sort(key=lambda m: m.start)
    elif algorithm == MatchAlgorithm.LITERAL:
        found = _spans(_phrase_regex(pattern.strip(), case_sensitive), text, limit)
    elif algorithm == MatchAlgorithm.REGEX:
        found = _spans(_user_regex(pattern, case_sensitive), text, limit)
    else:
        return find_matches(text.text, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive, limit=limit)
    return found[:limit] if limit is not None else found


def _spans(regex: re.Pattern[str], text: Text, limit: int | None) -> list[RuleMatch]:
    """``_all_spans(regex, text.text, limit)``, trying the pattern only where a prefix starts."""
    prefixes = literal_prefixes(regex)
    ignore_case = bool(regex.flags & re.IGNORECASE)
    haystack = text.lowered if ignore_case else text.text
    if prefixes is None or haystack is None:
        return _all_spans(regex, text.text, limit)
    starts: set[int] = set()
    for prefix in prefixes:
        at = haystack.find(prefix)
        while at != -1:
            starts.add(at)
            at = haystack.find(prefix, at + 1)
    found: list[RuleMatch] = []
    if limit is not None and limit <= 0:
        return found
    end = 0
    match = regex.match
    for start in sorted(starts):
        # finditer goes on after the end of the previous match, leftmost first;
        # every match is one of the prefixes at least, so never empty.
        if start < end:
            continue
        m = match(text.text, start)
        if m is not None:
            found.append(RuleMatch(m.start(), m.end(), m.group(0)))
            end = m.end()
            if limit is not None and len(found) >= limit:
                break
    return found


@lru_cache(maxsize=2048)
def literal_prefixes(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """Literals one of which every match of ``regex`` starts with (lower-cased when it
    ignores case), or None when the pattern does not say so plainly."""
    try:
        parsed = sre_parse.parse(regex.pattern, regex.flags)
    except (re.error, RecursionError):  # compiled already, so never expected; the plain path then
        return None
    prefixes = _prefixes(list(parsed))
    if not prefixes or not all(p.isascii() for p in prefixes):
        # Beyond ASCII, re.IGNORECASE knows equivalences that str.lower() does not.
        return None
    if regex.flags & re.IGNORECASE:
        prefixes = [p.lower() for p in prefixes]
    return tuple(dict.fromkeys(prefixes))


def _prefixes(items: list[tuple[object, object]]) -> list[str] | None:
    """The literal prefixes of a sequence of parsed items, or None when some match could start otherwise."""
    index = 0
    while index < len(items) and items[index][0] in _ZERO_WIDTH:
        index += 1  # \b, lookarounds: they only restrict where a match starts
    if index == len(items):
        return None
    op, av = items[index]
    if op is sre.LITERAL:
        chars = []
        while index < len(items) and items[index][0] is sre.LITERAL:
            chars.append(chr(items[index][1]))  # type: ignore[arg-type]
            index += 1
        return ["".join(chars)]
    if op is sre.BRANCH:
        _, alternatives = av  # type: ignore[misc]
        found: list[str] = []
        for alternative in alternatives:
            prefixes = _prefixes(list(alternative))
            if prefixes is None:
                return None
            found += prefixes
        return found
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, sub = av  # type: ignore[misc]
        if add_flags or del_flags:
            return None  # (?i:…) inside: the case rules change
        return _prefixes(list(sub))
    return None
