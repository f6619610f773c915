"""Every list filters by what analysts ask about, and an unknown parameter is a 400 naming it."""

from __future__ import annotations

from datetime import date

import pytest

from intel.models import Evidence, Market
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def ids(response):
    assert response.status_code == 200, response.json()
    return sorted(item["id"] for item in response.json()["results"])


@pytest.fixture
def world():
    xiaomi, apple = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Apple")
    us, india = Market.objects.get(iso_code="US"), Market.objects.get(iso_code="IN")
    reuters, blog = SourceFactory(name="Reuters", reliability="A"), SourceFactory(name="Some blog", reliability="E")
    a1 = ArticleFactory(source=reuters, published_on=date(2018, 7, 1))
    a2 = ArticleFactory(source=blog, published_on=date(2020, 1, 1))
    MentionFactory(article=a1, company=xiaomi)
    MentionFactory(article=a2, company=apple)
    entry = EventFactory(
        type="market_entry", status="planned", time_start=date(2019, 1, 1), time_end=date(2019, 12, 31)
    )
    entry.markets.add(us)
    ParticipantFactory(event=entry, company=xiaomi)
    Evidence.objects.create(event=entry, article=a1, text="Next year", start=0, end=9)
    position = EventFactory(
        type="market_position", status="completed", time_start=date(2017, 1, 1), time_end=date(2017, 12, 31)
    )
    position.markets.add(india)
    ParticipantFactory(event=position, company=xiaomi)
    Evidence.objects.create(event=position, article=a2, text="Top brand", start=0, end=9)
    return {"xiaomi": xiaomi, "apple": apple, "us": us, "india": india, "reuters": reuters, "a1": a1, "a2": a2,
            "entry": entry, "position": position}  # fmt: skip


def test_articles_filter_by_company_source_reliability_and_dates(reader_api, world):
    assert ids(reader_api.get(f"/api/v1/articles/?company={world['xiaomi'].pk}")) == [world["a1"].pk]
    assert ids(reader_api.get(f"/api/v1/articles/?source={world['reuters'].pk}")) == [world["a1"].pk]
    assert ids(reader_api.get("/api/v1/articles/?source_reliability=A&source_reliability=B")) == [world["a1"].pk]
    assert ids(reader_api.get("/api/v1/articles/?published_after=2019-01-01")) == [world["a2"].pk]
    assert ids(reader_api.get("/api/v1/articles/?event_type=market_position")) == [world["a2"].pk]


def test_events_filter_by_type_status_company_market_source_and_time(reader_api, world):
    entry, position = world["entry"].pk, world["position"].pk
    assert ids(reader_api.get("/api/v1/events/?type=market_entry")) == [entry]
    assert ids(reader_api.get("/api/v1/events/?status=completed")) == [position]
    assert ids(reader_api.get(f"/api/v1/events/?company={world['xiaomi'].pk}")) == sorted([entry, position])
    assert ids(reader_api.get(f"/api/v1/events/?company={world['apple'].pk}")) == []
    assert ids(reader_api.get(f"/api/v1/events/?market={world['us'].pk}")) == [entry]
    assert ids(reader_api.get("/api/v1/events/?source_reliability=A")) == [entry]
    assert ids(reader_api.get("/api/v1/events/?time_after=2018-06-01")) == [entry]
    assert ids(reader_api.get("/api/v1/events/?time_before=2018-06-01")) == [position]
    assert ids(reader_api.get("/api/v1/events/?published_before=2019-01-01")) == [entry]
    assert ids(reader_api.get("/api/v1/events/?review_status=confirmed")) == sorted([entry, position])


def test_companies_filter_by_market_and_review_state(reader_api, world):
    assert ids(reader_api.get(f"/api/v1/companies/?market={world['india'].pk}")) == [world["xiaomi"].pk]
    assert ids(reader_api.get("/api/v1/companies/?name=xiao")) == [world["xiaomi"].pk]
    assert ids(reader_api.get("/api/v1/companies/?review_status=proposed")) == []


def test_an_unknown_parameter_is_a_400_that_names_it(reader_api, world):
    response = reader_api.get("/api/v1/events/?compnay=1")
    assert response.status_code == 400
    assert "Unknown query parameter: compnay" in response.json()["message"]


def test_a_bad_filter_value_is_a_400(reader_api, world):
    response = reader_api.get("/api/v1/events/?company=424242")
    assert response.status_code == 400
    assert "company" in response.json()["errors"]
    assert reader_api.get("/api/v1/articles/?published_after=yesterday").status_code == 400
    assert reader_api.get("/api/v1/events/?type=takeover").status_code == 400


def test_ordering_by_listed_fields_only(reader_api, world):
    response = reader_api.get("/api/v1/articles/?ordering=published_on")
    assert [a["id"] for a in response.json()["results"]] == [world["a1"].pk, world["a2"].pk]
    response = reader_api.get("/api/v1/articles/?ordering=body")
    assert response.status_code == 400
    assert "Cannot order by body" in response.json()["message"]


def test_long_lists_are_paged_with_a_cursor_and_no_count(reader_api):
    for n in range(7):
        CompanyFactory(name=f"Maker {n}")
    seen, url = [], "/api/v1/companies/?page_size=3"
    while url:
        body = reader_api.get(url).json()
        assert "count" not in body
        seen += [c["name"] for c in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(f"Maker {n}" for n in range(7))
    assert len(seen) == 7
