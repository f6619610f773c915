"""Watchlists, feeds and alerts through the API: owned, validated, with feed health and read marks."""

from __future__ import annotations

import pytest

from intel.models import Feed, Watchlist
from tests.factories import AlertFactory, CompanyFactory

pytestmark = pytest.mark.django_db


def test_an_analyst_makes_a_watchlist_that_is_theirs(analyst_api, analyst):
    xiaomi = CompanyFactory(name="Xiaomi")
    response = analyst_api.post(
        "/api/v1/watchlists/",
        {"name": "Xiaomi abroad", "companies": [xiaomi.pk], "event_types": ["market_entry"], "min_relevance": 0.4,
         "webhook_url": "https://hooks.example/x"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    watchlist = Watchlist.objects.get()
    assert watchlist.owner == analyst and list(watchlist.companies.all()) == [xiaomi]
    again = analyst_api.post("/api/v1/watchlists/", {"name": "Xiaomi abroad"}, format="json")
    assert again.status_code == 400
    assert "already have a watchlist with this name" in again.json()["message"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "event_types": ["takeover"]}, "event_types"),
        ({"name": "x", "min_relevance": 1.5}, "minimum relevance"),
        ({"name": "x", "webhook_url": "javascript:alert(1)"}, "webhook_url"),
        ({"name": "x", "digest_hour": 24}, "digest hour"),
    ],
)
def test_bad_watchlists_are_refused(analyst_api, payload, field):
    response = analyst_api.post("/api/v1/watchlists/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["message"] or field in response.json()["errors"]
    assert not Watchlist.objects.exists()


def test_people_see_only_their_own_watchlists_and_alerts(analyst_api, reader_api, reader):
    mine = Watchlist.objects.create(name="Mine", owner=reader)
    AlertFactory(watchlist=mine)
    assert [w["name"] for w in reader_api.get("/api/v1/watchlists/").json()["results"]] == ["Mine"]
    assert analyst_api.get("/api/v1/watchlists/").json()["results"] == []
    assert len(reader_api.get("/api/v1/alerts/").json()["results"]) == 1
    assert analyst_api.get("/api/v1/alerts/").json()["results"] == []


def test_an_alert_is_marked_read(reader_api, reader):
    alert = AlertFactory(watchlist=Watchlist.objects.create(name="Mine", owner=reader))
    assert [a["id"] for a in reader_api.get("/api/v1/alerts/?unread=true").json()["results"]] == [alert.pk]
    response = reader_api.post(f"/api/v1/alerts/{alert.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert reader_api.get("/api/v1/alerts/?unread=true").json()["results"] == []


def test_feeds_are_added_with_http_urls_only_and_show_their_health(analyst_api):
    response = analyst_api.post("/api/v1/feeds/", {"name": "Gizmo", "url": "file:///etc/passwd"}, format="json")
    assert response.status_code == 400
    assert not Feed.objects.exists()
    response = analyst_api.post("/api/v1/feeds/", {"name": "Gizmo", "url": "https://gizmo.example/rss"}, format="json")
    assert response.status_code == 201
    body = analyst_api.get(f"/api/v1/feeds/{response.json()['id']}/").json()
    assert {"last_status", "error_count", "next_check_at", "last_new_item_at"} <= set(body)
    response = analyst_api.post(
        "/api/v1/feeds/",
        {"name": "x", "url": "https://gizmo.example/rss2", "min_interval": 900, "max_interval": 60},
        format="json",
    )
    assert response.status_code == 400
