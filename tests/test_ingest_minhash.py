"""MinHash words: the fast split finds exactly the regex's words."""

from __future__ import annotations

import random
import re

from intel.ingest.minhash import words_of
from tests.seed import SEED_TEXT


def test_words_are_the_regex_words() -> None:
    pieces = ["Xiaomi's", "U.S.", "plan", "_x_", "café", "Straße", "İ", "ﬅ", "²", "٣", "😀", "\ud83d", "\U00010400"]
    pieces += ["—", "“", "”", "\u00a0", "\u2003", "\x1c", "\t", "\n", " ", "", "a-b", "1,000", "3.5%", "日本語"]
    rng = random.Random(2)
    texts = [SEED_TEXT.lower(), "", " ", "😀"] + [
        "".join(rng.choices(pieces, k=rng.randint(1, 30))) for _ in range(3000)
    ]
    for text in texts:
        assert words_of(text) == re.findall(r"\w+", text), repr(text)
