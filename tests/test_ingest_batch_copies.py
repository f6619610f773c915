"""Two items of one ingest batch that are the same article (the same link, or the same
text) store one article: the second is a copy of the first, and neither is lost.
The everyday case: an outlet's feed and an aggregator's feed list one story in one
round of polling."""

from __future__ import annotations

import pytest

from intel.ingest.context import IngestInput
from intel.ingest.pipeline import ingest_articles
from intel.models import Article, Event

pytestmark = pytest.mark.django_db

STORY = "Brightwater Corp will enter India next year with its solar panels, the company said on Monday."


def test_two_items_with_one_link_are_one_article():
    results = ingest_articles([
        IngestInput(text=STORY, url="https://news.example.com/brightwater-india", source="Wire One"),
        IngestInput(text=STORY + " Shares rose 2%.", url="https://news.example.com/brightwater-india?utm_source=x"),
        IngestInput(text="Lumenfield Ltd cut the price of its batteries by 10% in Spain.", url="https://e.example/b"),
    ])  # fmt: skip
    first, copy, other = results
    assert first.new and not copy.new and other.new
    assert copy.article.pk == first.article.pk != other.article.pk
    assert Article.objects.count() == 2
    assert Event.objects.filter(type="market_entry").count() == 1  # extracted once, from the first


def test_two_items_with_one_text_are_one_article():
    results = ingest_articles([IngestInput(text=STORY), IngestInput(text=STORY, title="Same story, other headline")])
    assert [r.new for r in results] == [True, False]
    assert results[0].article.pk == results[1].article.pk
    assert Article.objects.count() == 1


def test_a_copy_of_an_article_stored_before_the_batch_is_found_as_before():
    [stored] = ingest_articles([IngestInput(text=STORY, url="https://news.example.com/a")])
    again, fresh = ingest_articles([
        IngestInput(text=STORY, url="https://news.example.com/a"),
        IngestInput(text="Lumenfield Ltd cut the price of its batteries by 10% in Spain."),
    ])  # fmt: skip
    assert again.article.pk == stored.article.pk and not again.new and fresh.new
