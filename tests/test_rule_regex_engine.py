"""Analysts' regular expressions run with the ``regex`` module (for its time limit) and
match exactly what Python's ``re`` matched before: the rules analysts wrote keep their meaning."""

from __future__ import annotations

import random
import re

import pytest

from intel.builtin_tags import BUILTIN_TAGS
from intel.matching import find_matches
from tests.seed import SEED_TEXT

PATTERNS = [
    (pattern, False) for *_, rules in BUILTIN_TAGS for _, algorithm, pattern, _ in rules if algorithm == "regex"
]
PATTERNS += [
    (r"(?i)BUDGET|tariffs?", True),
    (r"(?i:budget)|tariff", True),
    (r"(?<=the )\w+ market", False),
    (r"(?<!\w)low[- ]cost", False),
    (r"^Story \d+", False),
    (r"(?m)^\w+", False),
    (r"a|", False),
    (r"(?:us|ab)+c?", False),
    (r"(?=[12])(?<![0-9-])(?P<y>(?:19|20)[0-9][0-9])(?![0-9])", False),
    (r"\bı\w+|\bi\w+", False),
    (r"ſ|s\w", False),
    (r"st\b|t", False),
    (r"\d+(?:\.\d+)? ?%", False),
    (r"(?x) b u d g e t", False),
    (r"stra(ß|ss)e", False),
]

WORDS = (  # noqa: SIM905 - a line of words reads better than quoted ones
    "budget Budget BUDGET budgets low-cost low cost Low Cost tariff Tariffs sanctions the US carriers mobile carriers "
    "premium flagship high-end unlocked phone price cuts İnstanbul ıt ſanctions Kelvin Straße STRASSE ß ﬅ "
    "enter the market entered a new big market foray into Story 12 3.5 % 12% us usc ab abc c . , ; \n 2019 1999-2000 "
).split(" ")


def _texts() -> list[str]:
    rng = random.Random(11)
    texts = [SEED_TEXT, "", "budget", "\n\nbudget\n", "xbudget budget_ budgetx"]
    texts += [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60))) for _ in range(150)]
    return texts


@pytest.mark.parametrize(("pattern", "case_sensitive"), PATTERNS)
def test_a_rule_s_regex_matches_what_re_matched(pattern: str, case_sensitive: bool) -> None:
    compiled = re.compile(pattern, 0 if case_sensitive else re.IGNORECASE)
    for text in _texts():
        expected = [(m.start(), m.group(0)) for m in compiled.finditer(text) if m.end() > m.start()]
        found = find_matches(text, algorithm="regex", pattern=pattern, case_sensitive=case_sensitive)
        assert [(m.start, m.text) for m in found] == expected, text
