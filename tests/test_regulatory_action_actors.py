"""A regulatory action's actor is the public body that took it (a source of kind
regulator), the companies it concerns its targets; the API and the STIX export say so.
Sentences written for these tests."""

from __future__ import annotations

import pytest
import stix2

from intel.choices import SourceKind
from intel.ingest.pipeline import ingest_article
from intel.models import Event, Source
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "The European Commission fined Brightwater Corp 12 million euros on Friday for blocking rival suppliers "
    "of solar panels. Brightwater said it would appeal."
)


def _fine() -> Event:
    CompanyFactory(name="Brightwater")
    ingest_article(text=TEXT, published="2021-03-08")
    return Event.objects.get(type="regulatory_action")


def test_the_regulator_is_stored_as_the_actor_and_the_company_as_a_target():
    event = _fine()
    assert [(r.name, r.kind) for r in event.regulators.all()] == [("European Commission", SourceKind.REGULATOR)]
    assert [(p.company.name, p.role) for p in event.participants.all()] == [("Brightwater", "target")]
    assert event.summary.startswith("European Commission: regulatory action (against Brightwater)")


def test_a_regulatory_action_without_a_named_body_has_no_regulator():
    CompanyFactory(name="Brightwater")
    ingest_article(text="Brightwater was fined 2 million euros by regulators on Friday.", published="2021-03-08")
    event = Event.objects.get(type="regulatory_action")
    assert list(event.regulators.all()) == []


def test_the_api_lists_and_shows_the_regulators_alike(reader_api):
    event = _fine()
    detail = reader_api.get(f"/api/v1/events/{event.pk}/").json()
    [row] = [r for r in reader_api.get("/api/v1/events/").json()["results"] if r["id"] == event.pk]
    regulator = event.regulators.get()
    for body in (detail, row):
        assert body["regulators"] == [regulator.pk]
        assert body["regulator_names"] == ["European Commission"]


def test_a_non_regulator_source_is_refused_as_an_events_regulator(analyst_api):
    event = _fine()
    outlet = Source.objects.create(name="Daily Solar Wire", kind=SourceKind.NEWS_SITE)
    response = analyst_api.patch(f"/api/v1/events/{event.pk}/", {"regulators": [outlet.pk]}, format="json")
    assert response.status_code == 400
    assert "sources of kind" in response.json()["errors"]["regulators"][0]
    assert [r.name for r in Event.objects.get(pk=event.pk).regulators.all()] == ["European Commission"]


def test_the_stix_report_refers_to_the_regulator_as_a_government(reader_api):
    _fine()
    bundle = stix2.parse(reader_api.get("/api/v1/export/stix/").content.decode(), allow_custom=True)
    governments = [o for o in bundle.objects if o.type == "identity" and o.identity_class == "government"]
    assert [g.name for g in governments] == ["European Commission"]
    [report] = [o for o in bundle.objects if o.type == "report"]
    assert governments[0].id in report.object_refs
