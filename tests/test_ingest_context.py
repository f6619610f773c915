"""The article context's look-ups of hits by span give what a scan of every hit gives."""

from __future__ import annotations

import random

from intel.ingest.context import ArticleContext, Hit, IngestInput


def context_with_hits(rng: random.Random) -> ArticleContext:
    ctx = ArticleContext(input=IngestInput(text="x"), body="x" * 200)
    hits, at = [], 0
    while at < 190:
        at += rng.randint(0, 15)
        end = at + rng.randint(1, 12)
        hits.append(Hit(at, end, "name", rng.choice(["company", "market"]), 1, "gazetteer", 0.9))
        at = end
    rng.shuffle(hits)  # stages add hits in any order; the context keeps them by start
    for hit in hits:
        ctx.add_hit(hit)
    return ctx


def test_hits_in_a_span_are_those_that_start_and_end_within_it():
    rng = random.Random(3)
    for _ in range(300):
        ctx = context_with_hits(rng)
        for _ in range(20):
            start = rng.randint(0, 200)
            end = start + rng.randint(0, 60)
            expected = [h for h in ctx.hits if start <= h.start and h.end <= end]
            assert ctx.hits_in(start, end) == expected
            assert ctx.has_hit_in(start, end) is bool(expected)
            assert ctx.hits_in(start, end, "market") == [h for h in expected if h.kind == "market"]


def test_hits_stay_in_order_of_start_however_they_are_added():
    ctx = context_with_hits(random.Random(5))
    assert [h.start for h in ctx.hits] == sorted(h.start for h in ctx.hits)


def test_no_hits_means_none_in_any_span():
    ctx = ArticleContext(input=IngestInput(text="x"), body="x")
    assert not ctx.has_hit_in(0, 1)
    assert ctx.hits_in(0, 1) == []
