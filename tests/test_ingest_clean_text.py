"""clean_text skips its regular expressions when their characters are absent: same result as always running them."""

from __future__ import annotations

import random
import re

from intel.ingest.normalise import clean_text


def _with_every_regex(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", "", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def test_clean_text_is_what_the_regexes_make() -> None:
    rng = random.Random(4)
    pieces = [" ", "\t", "\n", "\r", "\r\n", "\u00a0", "\x00", "a", "b c", "\n\n\n", " \t \n", "\x0b", "é", "\ud800"]
    for _ in range(5000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 30)))
        assert clean_text(text) == _with_every_regex(text), repr(text)
