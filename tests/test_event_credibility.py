"""Independent sources: distinct publishers, a syndicated or rewritten copy never counting again.

Ingestion links a near-duplicate to its original (``Article.duplicate_of``, stage 2);
one outlet's story run by another is still one outlet's word. The model, the API's
event detail, ingestion's results and the alerts count by the same rule.
"""

from __future__ import annotations

from datetime import date

import pytest

from intel.ingest.pipeline import ingest_article
from intel.models import Article, Event, Evidence
from intel.models.events import credibility_of, source_weights
from tests.factories import ArticleFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db

STORY = (
    "Chinese phone maker Xiaomi appears to be geared up to foray into the US market next year. The company's senior "
    "vice president Wang Xiang said it is in talks with the US carriers. Xiaomi is the top smartphone brand in India, "
    "where it sells budget smartphones at disruptive pricing. Apple and Samsung dominate the premium segment in the US."
)
# The same event, reported by another outlet in its own words.
OWN_REPORT = (
    "Xiaomi will enter the United States market next year, people familiar with the matter said on Wednesday. "
    "The Beijing company has held talks with American wireless carriers about selling its cheap handsets there. "
    "Its low prices made it the best-selling phone brand in India."
)
# A copy of STORY run by another outlet (syndication), a few words changed.
SYNDICATED = STORY.replace("appears to be", "seems").replace("dominate", "lead")


def _entry(result) -> Event:
    return next(event for event, _ in result.events if event.type == "market_entry")


def _detail(api, event: Event) -> dict:
    response = api.get(f"/api/v1/events/{event.pk}/")
    assert response.status_code == 200, response.json()
    return response.json()


def test_two_outlets_own_articles_count_two(reader_api):
    first = ingest_article(text=STORY, source="GizmoChina", published="2018-07-02")
    second = ingest_article(text=OWN_REPORT, source="TechWire", published="2018-07-03")

    assert second.near_duplicate_of is None
    event = _entry(first)
    assert _entry(second).pk == event.pk  # the second report is new evidence, not a twin event
    assert event.independent_sources() == 2
    body = _detail(reader_api, event)
    assert len(body["evidence"]) >= 2
    assert body["independent_sources"] == 2
    assert body["credibility"] == event.credibility()


def test_an_article_and_its_syndicated_copy_from_another_outlet_count_one(reader_api):
    original = ingest_article(text=STORY, source="GizmoChina", published="2018-07-02")
    copy = ingest_article(text=SYNDICATED, source="Syndicator", published="2018-07-03")

    assert copy.article.duplicate_of == original.article  # linked by stage 2
    event = _entry(original)
    assert Evidence.objects.filter(event=event, article=copy.article).exists()  # still evidence
    assert event.independent_sources() == 1
    one_source = event.credibility()
    body = _detail(reader_api, event)
    assert body["independent_sources"] == 1
    assert body["credibility"] == one_source
    # Ingestion's own report (CLI --json, the API's ingest response) agrees.
    reported = next(e for e in copy.as_json()["events"] if e["id"] == event.pk)
    assert reported["independent_sources"] == 1

    # A third outlet's own reporting is independent again.
    ingest_article(text=OWN_REPORT, source="TechWire", published="2018-07-04")
    assert event.independent_sources() == 2
    assert _detail(reader_api, event)["independent_sources"] == 2


# --- The rule itself, on evidence made by hand -------------------------------------


def _evidence(event: Event, article: Article) -> Article:
    Evidence.objects.create(event=event, article=article, text="x", start=0, end=1)
    return article


def _article(source=None, duplicate_of: Article | None = None) -> Article:
    return ArticleFactory(source=source or SourceFactory(), duplicate_of=duplicate_of, published_on=date(2018, 7, 2))


def _counted(event: Event) -> tuple[int, float]:
    """The figures by query, and checked against the same from prefetched evidence (the API's way)."""
    by_query = (event.independent_sources(), event.credibility())
    loaded = list(Evidence.objects.filter(event=event).select_related("article__source"))
    assert (event.independent_sources(loaded), event.credibility(loaded)) == by_query
    return by_query


def test_copies_whose_original_is_not_evidence_count_once():
    event = EventFactory()
    original = _article()  # the story, stored but not evidence for this event
    _evidence(event, _article(duplicate_of=original))
    _evidence(event, _article(duplicate_of=original))
    assert _counted(event)[0] == 1


def test_a_copy_counts_as_its_original_publisher_not_as_its_own():
    event = EventFactory()
    blog = SourceFactory(reliability="E")
    original = _evidence(event, _article(source=blog))
    alone = _counted(event)
    _evidence(event, _article(source=SourceFactory(reliability="A"), duplicate_of=original))
    assert _counted(event) == alone  # a reliable outlet rerunning a blog's story adds nothing


def test_the_same_article_giving_several_passages_counts_once():
    event = EventFactory()
    article = _article()
    Evidence.objects.create(event=event, article=article, text="x", start=0, end=1)
    Evidence.objects.create(event=event, article=article, text="y", start=2, end=3)
    assert _counted(event)[0] == 1


def test_articles_without_a_publisher_and_same_publisher_rules_are_unchanged():
    event = EventFactory()
    outlet = SourceFactory(reliability="A")
    _evidence(event, _article(source=outlet))
    _evidence(event, _article(source=outlet))  # the same outlet's second story
    assert _counted(event)[0] == 1
    no_source = ArticleFactory(source=None)
    _evidence(event, no_source)
    assert _counted(event)[0] == 2


def test_copy_links_are_followed_through_the_evidence_and_loops_end():
    # Rows (article, source, grade, duplicate_of): ingestion points copies at the
    # original, but an analyst may have pointed one copy at another, or made a loop.
    chain = [(1, 10, "A", None), (2, 20, "B", 1), (3, 30, "C", 2)]
    assert len(source_weights(chain)) == 1
    assert credibility_of(chain) == credibility_of(chain[:1])
    loop = [(1, 10, "A", 2), (2, 20, "B", 1)]
    assert len(source_weights(loop)) == 1
    assert source_weights([]) == {} and credibility_of([]) == 0.0
