"""Related news joins a known event only when it is the same story: same type, main
company and market, and compatible times; without a resolved time, only within
``RIVALSCOPE_EVENT_MATCH_MONTHS`` of the known event's reports."""

from __future__ import annotations

import pytest

from intel.ingest.pipeline import ingest_article
from intel.models import Event
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _entries(data: dict) -> list[dict]:
    return [e for e in data["events"] if e["type"] == "market_entry"]


def test_a_second_outlet_in_the_same_month_joins_the_story_however_worded():
    CompanyFactory(name="Brightwater")
    first = ingest_article(
        text="Brightwater plans to enter India with its solar panels, its chief executive said.",
        published="2019-05-02", source="Wire One",
    ).as_json()  # fmt: skip
    second = ingest_article(
        text="Solar panel maker Brightwater is preparing to launch in the Indian market, the company said.",
        published="2019-05-20", source="Wire Two",
    ).as_json()  # fmt: skip
    [entry] = _entries(first)
    assert [(e["id"], e["new"]) for e in _entries(second)] == [(entry["id"], False)]
    assert Event.objects.get(pk=entry["id"]).independent_sources() == 2


def test_a_denial_does_not_absorb_a_plan_reported_two_years_later(settings):
    settings.RIVALSCOPE_EVENT_MATCH_MONTHS = 12
    CompanyFactory(name="Brightwater")
    denial = ingest_article(
        text="Brightwater denied reports that it plans to enter India with its solar panels.",
        published="2017-03-01", source="Wire One",
    ).as_json()  # fmt: skip
    plan = ingest_article(
        text="Brightwater plans to enter India with its solar panels, its chief executive said.",
        published="2019-05-02", source="Wire Two",
    ).as_json()  # fmt: skip
    [denied] = _entries(denial)
    [planned] = _entries(plan)
    assert denied["status"] == "denied" and planned["status"] == "planned"
    assert planned["new"] is True and planned["id"] != denied["id"]
