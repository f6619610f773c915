"""MinHash words: the fast split finds exactly the regex's words, and hashes them as before."""

from __future__ import annotations

import random
import re
import zlib

import numpy as np

from intel.ingest.minhash import _MIX, _encoded_words, shingle_hashes, shingles, signature, words_of
from tests.seed import SEED_TEXT


def _texts() -> list[str]:
    pieces = ["Xiaomi's", "U.S.", "plan", "_x_", "café", "Straße", "İ", "ﬅ", "²", "٣", "😀", "\ud83d", "\U00010400"]
    pieces += ["—", "“", "”", "\u00a0", "\u2003", "\x1c", "\t", "\n", " ", "", "a-b", "1,000", "3.5%", "日本語"]
    rng = random.Random(2)
    return [SEED_TEXT.lower(), "", " ", "😀"] + [
        "".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(3000)
    ]


def test_words_are_the_regex_words() -> None:
    for text in _texts():
        assert words_of(text) == re.findall(r"\w+", text), repr(text)


def test_encoded_words_are_the_words_encoded() -> None:
    for text in _texts():
        assert _encoded_words(text) == [word.encode() for word in re.findall(r"\w+", text)], repr(text)


def test_shingles_hash_each_word_s_utf8_with_crc32() -> None:
    """The hashes stored signatures were made with: changing them would hide every older near-duplicate."""
    for text in [SEED_TEXT, "Straße café 日本語 one two", "one two three four one two three"]:
        words = [word.encode() for word in re.findall(r"\w+", text.lower())]
        h = np.array([zlib.crc32(word) for word in words], dtype=np.uint64)
        with np.errstate(over="ignore"):
            expected = np.unique(h[:-2] * _MIX[0] ^ h[1:-1] * _MIX[1] ^ h[2:] * _MIX[2])
        assert np.array_equal(shingles(text), expected)


def test_a_signature_of_the_shingles_with_repeats_is_the_signature_of_their_set() -> None:
    """Stage 2 signs ``shingle_hashes`` without sorting out repeats: a minimum is the same."""
    for text in _texts():
        assert np.array_equal(signature(shingle_hashes(text)), signature(shingles(text))), repr(text)
