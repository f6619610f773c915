"""A feed's batch that fails for any reason is ingested item by item: one bad item
fails alone, and a bug is raised (not reported as the item's fault) only once the
other items are stored."""

from __future__ import annotations

import pytest

from intel.ingest.context import IngestInput
from intel.ingest.errors import IngestError
from intel.models import Article
from intel.monitoring import entries

pytestmark = pytest.mark.django_db

GOOD = [
    IngestInput(text="Brightwater Corp will enter India next year, the company said.", url="https://a.example/1"),
    IngestInput(text="Lumenfield Ltd cut the price of its batteries by 10% in Spain.", url="https://a.example/2"),
]


def test_an_item_that_trips_a_bug_costs_the_others_nothing(monkeypatch):
    from intel.ingest import quotes

    real = quotes.run

    def buggy(batch, env):
        if any("BUG" in ctx.body for ctx in batch):
            raise KeyError("speaker")
        return real(batch, env)

    monkeypatch.setattr(quotes, "run", buggy)
    bad = IngestInput(text="Corvane BUG said it would buy a stake in Lumenfield.", url="https://a.example/3")
    with pytest.raises(KeyError):
        entries._ingest([GOOD[0], bad, GOOD[1]])
    stored = set(Article.objects.values_list("url", flat=True))
    assert stored == {"https://a.example/1", "https://a.example/2"}


def test_an_item_with_bad_content_fails_alone():
    bad = IngestInput(html="<html><body><script>only script</script></body></html>", url="https://a.example/4")
    results = entries._ingest([GOOD[0], bad, GOOD[1]])
    assert isinstance(results[1], IngestError)
    assert [r.article.url for r in (results[0], results[2])] == ["https://a.example/1", "https://a.example/2"]


def test_a_story_listed_twice_in_one_round_is_stored_once():
    copy = IngestInput(text=GOOD[0].text, url="https://a.example/1?utm_source=aggregator")
    results = entries._ingest([GOOD[0], copy])
    assert results[0].article.pk == results[1].article.pk
    assert Article.objects.count() == 1
