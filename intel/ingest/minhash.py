"""MinHash signatures with LSH banding, to find near-duplicate articles
(the same story lightly rewritten or syndicated).

An article's word 3-shingles are hashed; 64 MinHash values estimate the Jaccard
similarity of two articles' shingle sets. The signature is cut into 16 bands of
4 values; each band is stored as one 63-bit number (``ArticleBand``), indexed.
Two articles with Jaccard similarity 0.7 share at least one band with probability
0.99 (1 - (1 - 0.7⁴)¹⁶); unrelated ones (0.05) almost never. Candidates sharing a
band are then checked exactly against ``NEAR_DUPLICATE_JACCARD``.
"""

from __future__ import annotations

import hashlib
import re

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


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) <= SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _hashes(items: set[str]) -> np.ndarray:
    values = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little") for s in items]
    return np.array(values, dtype=np.uint64)


def band_values(text: str, items: set[str] | None = None) -> list[int]:
    """The 16 band numbers of the text's MinHash signature (each fits a signed 64-bit column).

    ``items`` are the text's shingles when the caller has them already.
    """
    items = shingles(text) if items is None else items
    if not items:
        return []
    x = _hashes(items)
    with np.errstate(over="ignore"):
        signature = (_A[:, None] * x[None, :] + _B[:, None]).min(axis=1)
    bands = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS].tobytes()
        bands.append(int.from_bytes(hashlib.blake2b(rows, digest_size=8).digest(), "little") >> 1)
    return bands
