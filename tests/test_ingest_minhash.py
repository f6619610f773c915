"""MinHash shingles: stable hashes of the words, and a signature that repeats cannot change."""

from __future__ import annotations

import random
import re
import zlib

import numpy as np

from intel.ingest.minhash import _MIX, shingle_hashes, signature
from tests.seed import SEED_TEXT


def _texts() -> list[str]:
    pieces = ["Xiaomi's", "U.S.", "plan", "_x_", "café", "Straße", "İ", "ﬅ", "²", "٣", "😀", "\ud83d", "\U00010400"]
    pieces += ["—", "“", "”", "\u00a0", "\u2003", "\x1c", "\t", "\n", " ", "", "a-b", "1,000", "3.5%", "日本語"]
    rng = random.Random(2)
    return [SEED_TEXT.lower(), "", " ", "😀"] + [
        "".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(300)
    ]


def test_shingles_hash_each_word_s_utf8_with_crc32() -> None:
    """The hashes stored signatures were made with: changing them would hide every older near-duplicate."""
    for text in [SEED_TEXT, "Straße café 日本語 one two", "one two three four one two three"]:
        words = [word.encode() for word in re.findall(r"\w+", text.lower())]
        h = np.array([zlib.crc32(word) for word in words], dtype=np.uint64)
        with np.errstate(over="ignore"):
            expected = h[:-2] * _MIX[0] ^ h[1:-1] * _MIX[1] ^ h[2:] * _MIX[2]
        assert np.array_equal(shingle_hashes(text), expected)


def test_a_signature_of_the_shingles_with_repeats_is_the_signature_of_their_set() -> None:
    """Stage 2 signs ``shingle_hashes`` without sorting out repeats: a minimum is the same."""
    for text in _texts():
        hashes = shingle_hashes(text)
        assert np.array_equal(signature(hashes), signature(np.unique(hashes))), repr(text)
