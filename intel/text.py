"""Text helpers shared by ingestion, rule matching, alerts and merges (no Django, no database)."""

from __future__ import annotations

import re
from collections.abc import Iterable


def whole_word_pattern(
    words: str | Iterable[str], *, case_sensitive: bool, any_space: bool = False
) -> re.Pattern[str]:
    r"""A compiled pattern finding any of ``words`` as a whole word: literally (escaped),
    where no word character (``\w``: a letter, digit or underscore) touches it on either
    side. So "Mi" is not found in "Mining", and names that begin or end with punctuation
    ("AT&T", "Yahoo!") are found, which ``\b…\b`` would miss; a possessive ("Xiaomi's")
    is found too, the apostrophe not being a word character.

    Of several words the longest is tried first (in the given order among equals), so
    "Xiaomi Corp" is found whole rather than "Xiaomi". With ``any_space`` a word's
    spaces match any run of white space ("market  entry", or across a line break).
    """
    alternatives = [words] if isinstance(words, str) else sorted(words, key=len, reverse=True)
    if any_space:
        escaped = [r"\s+".join(re.escape(part) for part in word.split()) for word in alternatives]
    else:
        escaped = [re.escape(word) for word in alternatives]
    body = escaped[0] if len(escaped) == 1 else "(?:" + "|".join(escaped) + ")"
    return re.compile(rf"(?<!\w){body}(?!\w)", 0 if case_sensitive else re.IGNORECASE)
