"""CSV for every list (safe to open in a spreadsheet) and a STIX 2.1 bundle for OpenCTI and MISP."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import stix2

from intel.models import Market
from tests.factories import CompanyFactory, EventFactory, ParticipantFactory, RelationshipFactory

pytestmark = pytest.mark.django_db


def test_every_list_answers_csv_in_the_serializers_column_order(reader_api):
    CompanyFactory(name="Xiaomi", ticker="HKEX:1810")
    response = reader_api.get("/api/v1/companies/?format=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["name"] == "Xiaomi" and rows[0]["ticker"] == "HKEX:1810"
    assert response.content.decode().splitlines()[0].startswith("id,name,slug")
    by_accept = reader_api.get("/api/v1/events/", HTTP_ACCEPT="text/csv")
    assert by_accept["Content-Type"].startswith("text/csv")


def test_csv_defuses_spreadsheet_formulas_from_hostile_text(reader_api):
    CompanyFactory(name='=HYPERLINK("http://evil.example","click")')
    text = reader_api.get("/api/v1/companies/?format=csv").content.decode()
    row = next(iter(csv.DictReader(io.StringIO(text))))
    assert row["name"].startswith("'=HYPERLINK")


def test_the_stix_bundle_is_valid_and_every_reference_resolves(reader_api):
    xiaomi, apple = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Apple")
    xiaomi.aliases.create(text="MI")
    event = EventFactory(summary="Xiaomi plans US entry", status="planned")
    event.markets.add(Market.objects.get(iso_code="US"))
    ParticipantFactory(event=event, company=xiaomi)
    RelationshipFactory(
        subject=xiaomi, object=apple, kind="competitor", valid_from=date(2018, 1, 1), valid_to=date(2018, 1, 1)
    )
    response = reader_api.get("/api/v1/export/stix/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    bundle = stix2.parse(response.content.decode(), allow_custom=True)
    by_type = {}
    for obj in bundle.objects:
        by_type.setdefault(obj.type, []).append(obj)
    assert {o.name for o in by_type["identity"]} == {"Xiaomi", "Apple"}
    assert by_type["location"][0].country == "US"
    report = by_type["report"][0]
    assert report.name == "Xiaomi plans US entry" and set(report.labels) == {"market_entry", "planned"}
    ids = {o.id for o in bundle.objects}
    assert set(report.object_refs) <= ids
    relationship = by_type["relationship"][0]
    assert relationship.relationship_type == "competitor-of"
    assert {relationship.source_ref, relationship.target_ref} <= ids


def test_stix_ids_are_stable_across_exports(reader_api):
    CompanyFactory(name="Xiaomi")
    first = json.loads(reader_api.get("/api/v1/export/stix/").content)
    second = json.loads(reader_api.get("/api/v1/export/stix/").content)
    assert [o["id"] for o in first["objects"]] == [o["id"] for o in second["objects"]]


def test_stix_for_chosen_companies_and_bad_choices(reader_api):
    xiaomi, _ = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Apple")
    body = json.loads(reader_api.get(f"/api/v1/export/stix/?company={xiaomi.pk}").content)
    assert [o["name"] for o in body["objects"] if o["type"] == "identity"] == ["Xiaomi"]
    assert reader_api.get("/api/v1/export/stix/?company=abc").status_code == 400
    assert reader_api.get("/api/v1/export/stix/?company=999999").status_code == 400
    assert reader_api.get("/api/v1/export/stix/?limit=0").status_code == 400
