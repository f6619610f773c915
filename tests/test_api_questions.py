"""Views that answer an analyst's question in one call: timeline, market overview, article, event."""

from __future__ import annotations

from datetime import date

import pytest

from intel.models import Company, Evidence, Market
from tests.factories import ArticleFactory, EventFactory, ParticipantFactory, SourceFactory
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


def test_a_company_timeline_lists_its_events_in_time_order_with_evidence(reader_api):
    ingest_seed()
    xiaomi = Company.objects.get(name="Xiaomi")
    events = reader_api.get(f"/api/v1/companies/{xiaomi.pk}/timeline/").json()
    assert {e["type"] for e in events} >= {"market_entry", "partnership", "market_position"}
    dated = [e["time_start"] for e in events if e["time_start"]]
    assert dated == sorted(dated)
    entry = next(e for e in events if e["type"] == "market_entry")
    assert entry["market_names"] == ["United States"] and entry["status"] == "planned"
    assert entry["evidence"] and entry["independent_sources"] == 1


def test_a_market_overview_says_who_is_present_entering_and_leaving(reader_api):
    ingest_seed()
    us = Market.objects.get(iso_code="US")
    body = reader_api.get(f"/api/v1/markets/{us.pk}/overview/").json()
    assert "Xiaomi" in [c["name"] for c in body["entering"]]
    assert "OnePlus" in [c["name"] for c in body["present"]]
    assert body["recent_events"]
    leaver = ParticipantFactory(
        event=EventFactory(type="market_exit", status="completed"), company__name="Leaver"
    ).company
    leaver.participations.get().event.markets.add(us)
    body = reader_api.get(f"/api/v1/markets/{us.pk}/overview/").json()
    assert "Leaver" in [c["name"] for c in body["leaving"]]


def test_an_article_comes_with_everything_extracted_from_it(reader_api):
    result = ingest_seed()
    body = reader_api.get(f"/api/v1/articles/{result.article.pk}/").json()
    assert body["body"].startswith(result.article.body[:40])
    assert {m["target_name"] for m in body["mentions"]} >= {"Xiaomi", "United States", "Wang Xiang", "Apple"}
    mention = body["mentions"][0]
    assert body["body"][mention["start"] : mention["end"]] == mention["text"]
    assert any(e["type"] == "market_entry" for e in body["events"])
    assert body["quotes"][0]["speaker_label"] == "Wang Xiang"
    assert body["quotes"][0]["reported_via_name"] == "Reuters"
    assert {t["tag"] for t in body["tags"]} >= {"strategy:market-entry"}
    assert [s["name"] for s in body["cited_sources"]] == ["Reuters"]


def test_an_event_counts_its_independent_sources(reader_api):
    event = EventFactory()
    reuters, blog = SourceFactory(reliability="A"), SourceFactory(reliability="C")
    for source in (reuters, reuters, blog):
        Evidence.objects.create(
            event=event, article=ArticleFactory(source=source, published_on=date(2018, 7, 2)), text="x", start=0, end=1
        )
    body = reader_api.get(f"/api/v1/events/{event.pk}/").json()
    assert len(body["evidence"]) == 3
    assert body["independent_sources"] == 2
    assert body["credibility"] == event.credibility()
