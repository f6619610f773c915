"""MinHash signatures with LSH banding, to find near-duplicate articles
(the same story lightly rewritten or syndicated).

An article's word 3-shingles are hashed; 64 MinHash values estimate the Jaccard
similarity of two articles' shingle sets. The signature is cut into 16 bands of
4 values; each band is stored as one 63-bit number, a column of ``ArticleBands`` each, indexed.
Two articles with Jaccard similarity 0.7 share at least one band with probability
0.99 (1 - (1 - 0.7⁴)¹⁶); unrelated ones (0.05) almost never. Candidates sharing a
band are then checked against ``NEAR_DUPLICATE_JACCARD`` with the similarity their
stored signatures estimate (``Article.minhash``), without reading their text.
"""

from __future__ import annotations

import hashlib
import re
import zlib

import numpy as np

SHINGLE = 3
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
NEAR_DUPLICATE_JACCARD = 0.6
_rng = np.random.default_rng(20180701)  # fixed: signatures must be the same in every process
# h(x) = a·x + b mod 2^64 with odd a is a permutation of 64-bit values; numpy's
# unsigned arithmetic wraps modulo 2^64, which is exactly that.
_A = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_B = _rng.integers(0, 2**63, size=PERMUTATIONS, dtype=np.uint64)
_WORD = re.compile(r"\w+")


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B19E3779F9))


def shingle_hashes(text: str) -> np.ndarray:
    """The hashes of the text's word 3-shingles, in text order, repeats included.

    Each word is hashed once (CRC-32, in C); a shingle's hash mixes its three words'
    hashes with odd multipliers, vectorised, instead of hashing every joined string.
    A signature needs no more: a repeated shingle cannot change a minimum.
    """
    words = [word.encode() for word in _WORD.findall(text.lower())]
    if not words:
        return np.empty(0, dtype=np.uint64)
    h = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    if len(h) < SHINGLE:
        h = np.concatenate([h, np.zeros(SHINGLE - len(h), dtype=np.uint64)])
    with np.errstate(over="ignore"):
        return h[:-2] * _MIX[0] ^ h[1:-1] * _MIX[1] ^ h[2:] * _MIX[2]


def signature(items: np.ndarray) -> np.ndarray:
    """The 64 MinHash values of a set of shingle hashes (empty for an empty set); repeats
    in ``items`` change nothing, so ``shingle_hashes`` needs no sorting out first."""
    if not len(items):
        return np.empty(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return (_A[:, None] * items[None, :] + _B[:, None]).min(axis=1)


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """The share of equal MinHash values: an unbiased estimate of the Jaccard similarity
    (standard error about 0.06 at 0.6 with 64 values)."""
    if len(a) != PERMUTATIONS or len(b) != PERMUTATIONS:
        return 0.0
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def bands_of(values: np.ndarray) -> list[int]:
    if not len(values):
        return []
    bands = []
    for band in range(BANDS):
        rows = values[band * ROWS : (band + 1) * ROWS].tobytes()
        bands.append(int.from_bytes(hashlib.blake2b(rows, digest_size=8).digest(), "little") >> 1)
    return bands
