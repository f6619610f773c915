"""GET /api/v1/changes/?since=<cursor> lets a consumer stay in sync without re-reading everything."""

from __future__ import annotations

import pytest

from intel.models import Company
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db(transaction=True)


def read_all(api, since=""):
    changes, cursor = [], since
    while True:
        body = api.get(f"/api/v1/changes/?since={cursor}&limit=2").json()
        changes += body["results"]
        cursor = body["cursor"]
        if not body["more"]:
            return changes, cursor


def test_a_consumer_sees_creates_updates_and_deletes_once_each_in_order(reader_api):
    _, start = read_all(reader_api, "now")
    company = CompanyFactory(name="Xiaomi")
    Company.objects.filter(pk=company.pk).update(ticker="HKEX:1810")
    company.aliases.create(text="MI")
    changes, cursor = read_all(reader_api, start)
    assert [(c["model"], c["action"]) for c in changes] == [
        ("intel.company", "created"),
        ("intel.company", "updated"),
        ("intel.companyalias", "created"),
    ]
    assert changes[1]["data"]["ticker"] == "HKEX:1810"

    Company.objects.get(pk=company.pk).delete()
    later, _ = read_all(reader_api, cursor)
    assert ("intel.company", "deleted", company.pk) in [(c["model"], c["action"], c["id"]) for c in later]
    assert not any(c["action"] == "created" and c["model"] == "intel.company" for c in later)


def test_now_starts_from_the_newest_change(reader_api):
    CompanyFactory()
    body = reader_api.get("/api/v1/changes/?since=now").json()
    assert body["results"] == []
    assert reader_api.get(f"/api/v1/changes/?since={body['cursor']}").json()["results"] == []


@pytest.mark.parametrize("cursor", ["garbage!", "eyJ4IjogLTF9", "W10"])
def test_a_cursor_the_feed_never_gave_out_is_a_400(reader_api, cursor):
    response = reader_api.get(f"/api/v1/changes/?since={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["message"]


def test_unknown_parameters_are_refused(reader_api):
    assert reader_api.get("/api/v1/changes/?after=1").status_code == 400
