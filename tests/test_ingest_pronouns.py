"""Stage 7's test for "it", "they", "the company" … in a sentence: found once per article,
the same answers as searching each sentence with the pattern."""

from __future__ import annotations

import random

from intel.ingest.events import _PRONOUN_SUBJECT, PronounSubjects
from tests.seed import SEED_TEXT

PIECES = [
    "it", "It", "IT", "they", "The company", "the  company", "the-company", "the firm", "THE GROUP", "the brand",
    "he", "she", "We", "we'd", "it's", "its", "item", "with", "the", "company", "Shew", "x", "_", "1", " ", "  ",
    ". ", ", ", "\n", "-", "’", "“", "é", "İt", "ıt", "ſhe", "😀", "the\u00a0company", "Kelvin", "\u212aw",
]  # fmt: skip


def _bodies() -> list[str]:
    rng = random.Random(9)
    bodies = [SEED_TEXT, "", "it", "the company", "they."]
    bodies += ["".join(rng.choices(PIECES, k=rng.randint(1, 40))) for _ in range(1500)]
    bodies += [" ".join(rng.choices(PIECES[:28], k=rng.randint(1, 40))) for _ in range(1500)]
    return bodies


def test_found_in_a_range_as_the_pattern_finds_it_in_the_slice() -> None:
    rng = random.Random(4)
    for body in _bodies():
        pronouns = PronounSubjects(body)
        ranges = [(0, len(body))] + [tuple(sorted(rng.sample(range(len(body) + 1), 2))) for _ in range(6) if body]
        for start, end in ranges:
            expected = _PRONOUN_SUBJECT.search(body[start:end]) is not None
            assert pronouns.found_in(start, end) == expected, (body, start, end)


def test_an_article_is_searched_once_and_finds_what_the_pattern_finds() -> None:
    for body in [SEED_TEXT, *_bodies()[5:]]:
        pronouns = PronounSubjects(body)
        if pronouns.spans is None:  # "İt", "ſhe", an emoji…: each sentence searched instead
            continue
        assert pronouns.spans == [m.span() for m in _PRONOUN_SUBJECT.finditer(body)], body
    assert PronounSubjects(SEED_TEXT).spans
