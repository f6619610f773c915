"""A batch of feed items is ingested in rounds, so that near-duplicates of one story are never
in the same round: the copy comes after its original is stored, and ingestion links them."""

from __future__ import annotations

import random

from intel.ingest.context import IngestInput
from intel.monitoring.entries import _rounds

WORDS = (  # noqa: SIM905 - a sentence reads better than 43 quoted words
    "xiaomi plans to enter the united states market next year said wang xiang senior vice president "
    "in an interview with reuters carriers remain the main obstacle for chinese smartphone makers "
    "shipments grew while prices fell across the region analysts expect pressure on rivals"
).split()


def story(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 50)) for _ in range(words))


def lightly_edited(text: str, seed: int) -> str:
    """The same story with a few words changed: a Jaccard similarity of about 0.8."""
    rng = random.Random(seed)
    words = text.split()
    for i in rng.sample(range(len(words)), 5):
        words[i] = "edited"
    return " ".join(words)


def test_copies_wait_for_their_original_and_unrelated_items_go_first():
    a, c = story(1), story(2)
    b = lightly_edited(a, 3)  # a copy of a
    d = lightly_edited(b, 4)  # a copy of the copy (and of a)
    items = [IngestInput(text=t) for t in (a, b, c, d)] + [IngestInput(html="<p>no text yet</p>")]
    assert _rounds(items) == [[0, 2, 4], [1], [3]]


def test_a_batch_of_unrelated_items_is_one_round():
    items = [IngestInput(text=story(seed)) for seed in range(200)]
    assert _rounds(items) == [list(range(200))]


def test_an_empty_batch_has_no_rounds():
    assert _rounds([]) == []
