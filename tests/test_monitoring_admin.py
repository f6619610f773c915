"""Monitoring in the admin: feed health and actions, watchlists, and feed text shown as text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from intel.choices import DeliveryStatus, FeedKind, FeedStatus
from intel.models import AlertDelivery, Feed, Watchlist
from tests.factories import AlertFactory, CompanyFactory, FeedEntryFactory, FeedFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


def test_the_feed_list_shows_each_feeds_health(staff_client):
    FeedFactory(name="Wire", last_status=FeedStatus.ERROR, error_count=4, last_error="The server answered 500.")
    page = staff_client.get("/admin/intel/feed/").content.decode()
    assert "Wire" in page and "Error" in page and ">4<" in page


def test_check_now_makes_feeds_due_at_the_next_dispatch(staff_client):
    feed = FeedFactory(next_check_at=timezone.now() + timedelta(hours=5))
    staff_client.post("/admin/intel/feed/", {"action": "check_now", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.next_check_at <= timezone.now()


def test_query_feeds_are_made_from_a_watchlist_in_the_admin(staff_client):
    watchlist = WatchlistFactory(companies=[CompanyFactory(name="Xiaomi")])
    staff_client.post("/admin/intel/watchlist/", {"action": "make_query_feeds", "_selected_action": [watchlist.pk]})
    assert set(Feed.objects.values_list("kind", flat=True)) == {FeedKind.GOOGLE_NEWS, FeedKind.GDELT}


def test_a_watchlist_is_added_with_event_types_and_owned_by_whoever_adds_it(staff_client, staff_user):
    page = staff_client.get("/admin/intel/watchlist/add/").content.decode()
    assert f'<option value="{staff_user.pk}" selected>' in page
    response = staff_client.post(
        "/admin/intel/watchlist/add/",
        {
            "name": "Entries",
            "owner": staff_user.pk,
            "event_types": ["market_entry", "market_exit"],
            "min_relevance": "0.5",
            "in_app": "on",
            "delivery": "immediate",
            "digest_hour": "8",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Watchlist.objects.get().event_types == ["market_entry", "market_exit"]


def test_a_watchlist_with_unknown_event_types_or_a_bad_relevance_is_refused():
    watchlist = WatchlistFactory.build(owner=WatchlistFactory().owner, event_types=["market_entry", "gossip"])
    with pytest.raises(ValidationError, match="Unknown event type"):
        watchlist.full_clean()
    watchlist.event_types, watchlist.min_relevance = [], 1.5
    with pytest.raises(ValidationError, match="between 0 and 1"):
        watchlist.full_clean()


def test_feed_text_is_shown_escaped(staff_client):
    entry = FeedEntryFactory(title="<script>alert(1)</script>", summary="<b>bold</b>")
    page = staff_client.get(f"/admin/intel/feedentry/{entry.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page


def test_alerts_are_marked_read_and_failed_deliveries_retried_from_the_admin(staff_client):
    alert = AlertFactory()
    delivery = AlertDelivery.objects.create(alert=alert, channel="webhook", status=DeliveryStatus.FAILED)
    staff_client.post("/admin/intel/alert/", {"action": "mark_read", "_selected_action": [alert.pk]})
    staff_client.post("/admin/intel/alertdelivery/", {"action": "retry_now", "_selected_action": [delivery.pk]})
    alert.refresh_from_db()
    delivery.refresh_from_db()
    assert alert.read_at is not None
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at <= timezone.now()
