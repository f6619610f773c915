"""The same article again creates nothing; a near-duplicate is stored and linked to the original."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from intel.ingest.pipeline import ingest_article
from intel.models import Article, Company, Mention
from tests.seed import SEED_TEXT, ingest_seed

STORY = (
    "Chinese phone maker Xiaomi appears to be geared up to foray into the US market next year. The company's senior vice president "
    "Wang Xiang said it is in talks with the US carriers. Xiaomi is the top smartphone brand in India, where it "
    "sells budget smartphones at disruptive pricing. Apple and Samsung dominate the premium segment in the US."
)


@pytest.mark.django_db
def test_reingesting_the_same_text_creates_nothing():
    first = ingest_seed()
    counts = (Article.objects.count(), Company.objects.count(), Mention.objects.count())
    again = ingest_seed(title="another title")
    assert again.new is False and again.article.pk == first.article.pk
    assert (Article.objects.count(), Company.objects.count(), Mention.objects.count()) == counts
    assert again.summary().startswith("Already stored as article #")


@pytest.mark.django_db
def test_the_same_url_with_tracking_parameters_is_the_same_article():
    ingest_article(text=STORY, url="https://News.example.com/xiaomi?id=3&utm_source=rss#top")
    again = ingest_article(text=STORY + " Updated.", url="https://news.example.com/xiaomi?id=3")
    assert again.new is False
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_lightly_rewritten_copy_is_stored_as_a_near_duplicate_and_adds_evidence_but_no_source():
    original = ingest_article(text=STORY, source="GizmoChina", published="2018-07-02")
    rewritten = STORY.replace("appears to be", "seems").replace("dominate", "lead")
    copy = ingest_article(text=rewritten, source="Syndicator", published="2018-07-03")
    assert copy.new is True
    assert copy.near_duplicate_of == original.article
    assert copy.article.duplicate_of == original.article and copy.article.status == "duplicate"
    entry = next(e for e, _ in copy.events if e.type == "market_entry")
    assert entry.evidence.filter(article=copy.article).exists()
    # Another outlet's copy of the story is not an independent source (tests/test_event_credibility.py).
    assert entry.independent_sources() == 1


@pytest.mark.django_db
def test_an_unrelated_article_is_not_a_near_duplicate():
    ingest_article(text=STORY)
    other = ingest_article(text=SEED_TEXT)
    assert other.near_duplicate_of is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_ingesting_the_same_article_at_once_create_one_article():
    barrier = threading.Barrier(2)
    results, errors = [], []

    def work():
        try:
            barrier.wait()
            results.append(ingest_article(text=STORY, url="https://news.example.com/race"))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert Article.objects.count() == 1
    assert sorted(r.new for r in results) == [False, True]
    assert Company.objects.filter(name="Xiaomi").count() == 1
