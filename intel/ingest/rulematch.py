"""``find_matches`` for the ingest path: the same spans, found from the rules' literal prefixes
(see ``prefixscan.py``): the six built-in tag rules cost 60 instead of 260 µs per article.
"""

from __future__ import annotations

import re

from intel.matching import (
    MAX_TEXT,
    RuleMatch,
    _phrase_regex,
    _user_regex,
    _words,
    find_matches,
)
from intel.models.rules import MatchAlgorithm

from .prefixscan import Text, finditer

__all__ = ["Text", "find_rule_matches"]


def find_rule_matches(
    text: Text, *, algorithm: str, pattern: str, case_sensitive: bool = False, limit: int | None = None
) -> list[RuleMatch]:
    """Exactly ``intel.matching.find_matches(text.text, …)``."""
    if len(text.text) > MAX_TEXT:  # find_matches reads only the start of such a text
        return find_matches(text.text, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive, limit=limit)
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
    """``_all_spans(regex, text.text, limit)``."""
    if limit is not None and limit <= 0:
        return []
    found: list[RuleMatch] = []
    for m in finditer(regex, text):
        if m.end() > m.start():
            found.append(RuleMatch(m.start(), m.end(), m.group(0)))
            if limit is not None and len(found) >= limit:
                break
    return found
