"""SimHash over word shingles, for near-duplicate articles (the same story lightly rewritten).

Two texts whose 64-bit SimHashes differ in at most ``NEAR_DUPLICATE_BITS`` bits are
near-duplicates. Splitting the hash into four 16-bit bands means such a pair
shares at least one band (pigeonhole), so candidates are found by indexed lookups.
"""

from __future__ import annotations

import hashlib
import re

NEAR_DUPLICATE_BITS = 3
_WORD = re.compile(r"\w+")
_MASK64 = (1 << 64) - 1


def simhash(text: str, shingle: int = 3) -> int:
    """64-bit SimHash (unsigned) of the text's lower-cased word shingles."""
    words = _WORD.findall(text.lower())
    if len(words) < shingle:
        words = words + [""] * (shingle - len(words))
    weights = [0] * 64
    for i in range(len(words) - shingle + 1):
        digest = hashlib.blake2b(" ".join(words[i : i + shingle]).encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "big")
        for bit in range(64):
            weights[bit] += 1 if value >> bit & 1 else -1
    result = 0
    for bit in range(64):
        if weights[bit] > 0:
            result |= 1 << bit
    return result


def to_signed(value: int) -> int:
    """Unsigned 64-bit to the signed range a database BIGINT holds."""
    return value - (1 << 64) if value >= 1 << 63 else value


def to_unsigned(value: int) -> int:
    return value & _MASK64


def bands(value: int) -> tuple[int, int, int, int]:
    value = to_unsigned(value)
    return tuple((value >> (16 * i)) & 0xFFFF for i in range(4))  # type: ignore[return-value]


def distance(a: int, b: int) -> int:
    return (to_unsigned(a) ^ to_unsigned(b)).bit_count()
