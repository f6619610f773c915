"""The ingest path's rule matching (literal prefixes first) finds exactly what intel.matching finds."""

from __future__ import annotations

import random
import re

import pytest

from intel.builtin_tags import BUILTIN_TAGS
from intel.ingest import timex
from intel.ingest.event_rules import BUILTIN_TRIGGERS, STATUS_CUES
from intel.ingest.prefixscan import finditer, literal_prefixes
from intel.ingest.rulematch import Text, find_rule_matches
from intel.matching import find_matches
from tests.seed import SEED_TEXT

RULES = [(algorithm, pattern, False) for *_, rules in BUILTIN_TAGS for _, algorithm, pattern, _ in rules]
RULES += [("regex", trigger.pattern.pattern, False) for trigger in BUILTIN_TRIGGERS]
RULES += [("regex", cue.pattern, False) for _, cue in STATUS_CUES]
RULES += [
    ("any", "premium flagship", True),
    ("any", 'carrier "unlocked phone" US', False),
    ("all", "budget sanctions", False),
    ("all", "budget nothing-here", False),
    ("literal", "price cuts", False),
    ("literal", "  Price  Cuts ", True),
    ("regex", r"(?i)BUDGET|tariffs?", True),
    ("regex", r"(?i:budget)|tariff", True),
    ("regex", r"(?<=the )\w+ market", False),
    ("regex", r"(?<!\w)low[- ]cost", False),
    ("regex", r"^Story \d+", False),
    ("regex", r"(?m)^\w+", False),
    ("regex", r"a|", False),
    ("regex", r"(?:us|ab)+c?", False),
    ("regex", r"(?:us|ab)*c", False),
    ("regex", r"(?:the\s+)?(?:big|low)\s+\w+", False),
    ("regex", r"(?=[12])(?<![0-9-])(?P<y>(?:19|20)[0-9][0-9])(?![0-9])", False),
    ("regex", r"\bı\w+|\bi\w+", False),
    ("regex", r"ſ|s\w", False),
    ("regex", r"st\b|t", False),
    ("regex", r"\d+(?:\.\d+)? ?%", False),
    ("regex", r"(?x) b u d g e t", False),
    ("fuzzy", "budget phones", False),
]

WORDS = (  # noqa: SIM905 - a line of words reads better than 56 quoted ones
    "budget Budget BUDGET budgets low-cost low cost Low Cost tariff Tariffs sanctions the US carriers mobile carriers "
    "premium flagship high-end High-End unlocked phone price cuts İnstanbul ıt ſanctions Kelvin Straße ß ﬅ "
    "enter the market entered a new big market foray into Story 12 3.5 % 12% us usc ab abc c . , ; \n 2019 1999-2000 "
).split(" ")


def _texts() -> list[str]:
    rng = random.Random(11)
    texts = [SEED_TEXT, "", "budget", "low-cost", "a", "\n\nbudget\n", "xbudget budget_ budgetx"]
    for _ in range(300):
        texts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 60))))
        texts.append("".join(rng.choice(WORDS) for _ in range(rng.randint(1, 30))))
    return texts


@pytest.mark.parametrize(("algorithm", "pattern", "case_sensitive"), RULES)
def test_same_matches_as_intel_matching(algorithm: str, pattern: str, case_sensitive: bool) -> None:
    for raw in _texts():
        text = Text(raw)
        for limit in (None, 1, 4):
            expected = find_matches(
                raw, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive, limit=limit
            )
            found = find_rule_matches(
                text, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive, limit=limit
            )
            assert found == expected, (raw, limit)


def test_prefixes_are_found_for_the_builtin_tag_rules_only_where_the_pattern_says_so() -> None:
    assert literal_prefixes(re.compile(r"\bbudget\b|\blow[- ]cost\b", re.IGNORECASE)) == ("budget", "low")
    assert literal_prefixes(re.compile(r"\b(?:US|mobile) carriers\b", re.IGNORECASE)) == ("us", "mobile")
    assert literal_prefixes(re.compile(r"(?:us|ab)+c?")) == ("us", "ab")
    assert literal_prefixes(re.compile(r"(?:the\s+)?(?:first|last) quarter")) == ("the", "first", "last")
    assert literal_prefixes(re.compile(r"(?:us|ab)*c?")) is None  # may match the empty string
    assert literal_prefixes(re.compile(r"\w+ market")) is None
    assert literal_prefixes(re.compile(r"a|")) is None  # may match the empty string
    assert literal_prefixes(re.compile(r"(?i:budget)|tariff")) is None
    assert literal_prefixes(re.compile("café", re.IGNORECASE)) is None  # beyond ASCII
    assert literal_prefixes(re.compile("café")) == ("café",)  # case-sensitive: found as written


TIME_WORDS = (  # noqa: SIM905 - a line of words reads better than quoted ones
    "in 2019 by the end of the year next year Q3 3Q 2019 H1 2H the first half of 2020 last month this quarter "
    "in two years within the next 3 months 12 July 2018 July 12, 2018 2018-07-12 early 2019 mid-2019 late next year "
    "the coming weeks earlier this year today tomorrow fiscal 2019 FY2020 in September since March next May the "
    "second quarter 1st quarter final quarter 1990s 2019 units $2019 20% İn ſeptember"
).split(" ")


@pytest.mark.parametrize("rule", range(len(timex._RULES)))
def test_time_patterns_find_what_finditer_finds(rule: int) -> None:
    pattern = timex._RULES[rule].pattern
    rng = random.Random(rule)
    texts = [SEED_TEXT] + [" ".join(rng.choices(TIME_WORDS, k=rng.randint(1, 40))) for _ in range(300)]
    for raw in texts:
        expected = [(m.span(), m.groupdict()) for m in pattern.finditer(raw)]
        assert [(m.span(), m.groupdict()) for m in finditer(pattern, Text(raw))] == expected, raw


@pytest.mark.parametrize("path", ["find", "automaton", "shared"])
def test_every_way_of_finding_prefix_starts_gives_what_finditer_gives(
    path: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every pattern with prefixes, with their starts found by ``str.find`` only, by
    the pattern's own automaton only, or by the automaton of all patterns' prefixes."""
    from intel.ingest import prefixscan

    monkeypatch.setattr(prefixscan, "_SHARED_FROM", 0 if path == "shared" else 10**9)
    if path == "find":
        monkeypatch.setattr(prefixscan, "_AUTOMATON_FROM", 10**6)
    elif path == "automaton":
        monkeypatch.setattr(prefixscan, "_AUTOMATON_FROM", 1)
        monkeypatch.setattr(prefixscan, "_AUTOMATON_FROM_IN_LONG_TEXT", 1)
    prefixscan._plan.cache_clear()
    try:
        patterns = [rule.pattern for rule in timex._RULES] + [cue for _, cue in STATUS_CUES]
        patterns += [re.compile(r"\bbudget\b|\blow[- ]cost\b", re.IGNORECASE), re.compile("café|ab|abc|b")]
        patterns = [p for p in patterns if prefixscan._plan(p) is not None]
        assert len(patterns) >= 15
        if path == "shared":
            assert sum(prefixscan._plan(p).shared for p in patterns) >= 15
        rng = random.Random(3)
        texts = [SEED_TEXT, SEED_TEXT.lower()] + [
            " ".join(rng.choices(TIME_WORDS + WORDS, k=rng.randint(1, 80))) for _ in range(200)
        ]
        prepared = [Text(raw) for raw in texts]  # one Text for all patterns, as stages 6 and 9 share it
        for pattern in patterns:
            for raw, text in zip(texts, prepared, strict=True):
                expected = [(m.span(), m.groupdict()) for m in pattern.finditer(raw)]
                assert [(m.span(), m.groupdict()) for m in finditer(pattern, text)] == expected, raw
    finally:
        prefixscan._plan.cache_clear()


def test_builtin_triggers_fire_as_with_a_substring_test_per_keyword() -> None:
    from intel.ingest.event_rules import KEYWORDS, builtin_triggers_in

    def expected(text: str) -> list[tuple[str, tuple[int, int]]]:
        lowered = text.lower()
        fired = []
        for trigger in BUILTIN_TRIGGERS:
            if any(word in lowered for word in KEYWORDS[trigger.name]):
                match = trigger.pattern.search(text)
                if match is not None:
                    fired.append((trigger.name, match.span()))
        return fired

    rng = random.Random(5)
    words = [w for ws in KEYWORDS.values() for w in ws] + ["Xiaomi", "the", "market", "into", "with", "of", "İ", "."]
    words += ["entered", "enters into talks", "sanctions", "price cuts", "third-largest", "takes over", "sued Apple"]
    texts = [SEED_TEXT] + [" ".join(rng.choices(words, k=rng.randint(1, 15))) for _ in range(2000)]
    for text in texts:
        assert [(t.name, span) for t, span in builtin_triggers_in(text)] == expected(text), text


@pytest.mark.parametrize(
    "patterns",
    [
        tuple(cue for _, cue in STATUS_CUES),  # one automaton for all
        (re.compile("budget|low", re.IGNORECASE), re.compile("Budget|US")),  # cases differ: one by one
        (re.compile(r"\w+ market"), re.compile("tariff", re.IGNORECASE)),  # no prefixes: one by one
        (re.compile("st\\b|t"), re.compile("budget|budgets|bud", re.IGNORECASE)),
    ],
)
def test_first_to_match_is_the_first_pattern_that_searches_true(patterns: tuple[re.Pattern[str], ...]) -> None:
    from intel.ingest.prefixscan import first_to_match

    cue_words = [
        "will",
        "plans",
        "to",
        "has",
        "entered",
        "denied",
        "no",
        "plan",
        "reportedly",
        "in",
        "talks",
        "is",
        "facing",
        "cancelled",
        "had",
        "done",
    ]
    rng = random.Random(8)
    texts = [SEED_TEXT, ""] + [" ".join(rng.choices(WORDS + cue_words, k=rng.randint(1, 30))) for _ in range(600)]
    for raw in texts:
        expected = next((i for i, pattern in enumerate(patterns) if pattern.search(raw)), None)
        assert first_to_match(patterns, Text(raw)) == expected, raw


def test_a_text_searched_before_a_new_pattern_was_planned_finds_its_prefixes_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shared automaton grows when a pattern with new prefixes is planned (an
    analyst's new rule): a Text indexed before finds the new prefixes all the same."""
    from intel.ingest import prefixscan

    monkeypatch.setattr(prefixscan, "_SHARED_FROM", 0)
    text = Text("Zorblax shipped the Quuxphone; the Quuxphone sold.")
    assert [m.span() for m in finditer(re.compile("the", re.IGNORECASE), text)] == [(16, 19), (31, 34)]
    brand_new = re.compile("quuxphone|zorblax", re.IGNORECASE)
    assert [m.span() for m in finditer(brand_new, text)] == [(0, 7), (20, 29), (35, 44)]


def test_past_the_universe_s_size_a_pattern_finds_its_own_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    from intel.ingest import prefixscan

    monkeypatch.setattr(prefixscan, "_SHARED_FROM", 0)
    monkeypatch.setattr(prefixscan, "_UNIVERSE_MAX", len(prefixscan._UNIVERSES[True].prefixes))
    late = re.compile("glorbnik|frumzle", re.IGNORECASE)  # new prefixes, no room left for them
    assert not prefixscan._plan(late).shared
    assert "glorbnik" not in prefixscan._UNIVERSES[True].prefixes
    text = Text("A Frumzle met a glorbnik; FRUMZLE again.")
    assert [m.span() for m in finditer(late, text)] == [(2, 9), (16, 24), (26, 33)]
