"""Alerts reach people: e-mail, Slack-compatible webhooks, daily digests; failures are retried and logged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from intel.choices import AlertChannel, DeliveryMode, DeliveryStatus
from intel.models import AlertDelivery, Watchlist
from intel.monitoring.delivery import deliver, deliver_one, send_digest
from intel.monitoring.dispatch import claim_due_deliveries, due_digests
from tests.factories import AlertFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_fetching(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def _delivery(channel: str, **watchlist) -> AlertDelivery:
    alert = AlertFactory(
        watchlist=WatchlistFactory(**watchlist),
        headline="Xiaomi opens its first store in Spain",
        message="Xiaomi opens its first store in Spain\nnew source for: <!channel> & co; now 2 independent sources",
    )
    return AlertDelivery.objects.create(alert=alert, channel=channel, next_attempt_at=timezone.now())


def test_an_email_alert_goes_to_the_watchlist_address_and_is_logged():
    delivery = _delivery(AlertChannel.EMAIL, email=True, email_to="team@example.com", name="Xiaomi")

    assert deliver(delivery_ids=[delivery.pk]) == {delivery.pk: "sent"}

    (message,) = mail.outbox
    assert message.to == ["team@example.com"]
    assert message.subject == "[rivalscope] Xiaomi: Xiaomi opens its first store in Spain"
    assert "now 2 independent sources" in message.body
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1
    assert delivery.log.strip().endswith("attempt 1: sent")


def test_an_email_alert_without_any_address_is_a_logged_failure():
    delivery = _delivery(AlertChannel.EMAIL, email=True, owner__email="")
    assert deliver_one(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "No e-mail address" in delivery.last_error and not mail.outbox


def test_a_webhook_gets_a_slack_compatible_body_with_feed_text_escaped(http_server):
    http_server.route("/hook", body=b"ok")
    delivery = _delivery(AlertChannel.WEBHOOK, webhook_url=http_server.url("/hook"))

    assert deliver_one(delivery.pk) == "sent"

    (request,) = http_server.requests
    assert request.method == "POST" and request.headers["content-type"] == "application/json"
    text = json.loads(request.body)["text"]
    assert "&lt;!channel&gt; &amp; co" in text and "<!channel>" not in text


def test_a_failing_webhook_is_retried_with_backoff_then_given_up_and_every_attempt_logged(http_server, settings):
    settings.RIVALSCOPE_MONITOR_DELIVERY_ATTEMPTS = 3
    http_server.route("/hook", status=500)
    delivery = _delivery(AlertChannel.WEBHOOK, webhook_url=http_server.url("/hook"))
    now = timezone.now()

    assert deliver_one(delivery.pk, now=now) == "retry"
    delivery.refresh_from_db()
    first_wait = (delivery.next_attempt_at - now).total_seconds()
    assert 45 <= first_wait <= 75  # a minute, jittered
    assert claim_due_deliveries(now=now) == []  # not yet due
    later = delivery.next_attempt_at
    assert claim_due_deliveries(now=later) == [delivery.pk]
    assert deliver_one(delivery.pk, now=later) == "retry"
    assert deliver_one(delivery.pk, now=later + timedelta(hours=1)) == "failed"

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert "500 Internal Server Error" in delivery.last_error
    assert len(delivery.log.strip().splitlines()) == 3 and "(given up)" in delivery.log
    assert len(http_server.requests) == 3


def test_a_webhook_into_our_own_network_is_refused_for_good(settings):
    # The address policy will refuse it every time: given up at once, not retried 8 times.
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = []
    delivery = _delivery(AlertChannel.WEBHOOK, webhook_url="http://169.254.169.254/latest/meta-data/")
    assert deliver_one(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert "metadata" in delivery.last_error
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 1, None)


def test_two_runs_of_one_delivery_send_it_once(http_server):
    http_server.route("/hook", body=b"ok")
    delivery = _delivery(AlertChannel.WEBHOOK, webhook_url=http_server.url("/hook"))
    # The second run read the row before the first claimed it: the compare-and-set stops it.
    stale = AlertDelivery.objects.get(pk=delivery.pk)
    assert deliver_one(delivery.pk) == "sent"
    claimed = AlertDelivery.objects.filter(pk=stale.pk, status=DeliveryStatus.PENDING, attempts=stale.attempts).update(
        attempts=stale.attempts + 1
    )
    assert claimed == 0
    assert deliver_one(delivery.pk) == "skipped"
    assert len(http_server.requests) == 1


def test_a_daily_digest_sends_the_days_alerts_together_once(settings):
    watchlist = WatchlistFactory(email=True, delivery=DeliveryMode.DIGEST, digest_hour=8, name="Xiaomi")
    for n in range(3):
        alert = AlertFactory(watchlist=watchlist, message=f"Story {n}")
        AlertDelivery.objects.create(alert=alert, channel=AlertChannel.EMAIL, digest=True)
    morning = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)

    assert due_digests(now=morning) == []  # before the digest hour
    assert due_digests(now=morning.replace(hour=8)) == [watchlist.pk]
    assert send_digest(watchlist_id=watchlist.pk, now=morning.replace(hour=8)) == 3
    assert send_digest(watchlist_id=watchlist.pk, now=morning.replace(hour=9)) == 0  # once a day

    (message,) = mail.outbox
    assert message.subject == "[rivalscope] Xiaomi: daily digest"
    assert all(f"Story {n}" in message.body for n in range(3))
    assert set(AlertDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert due_digests(now=morning.replace(hour=10)) == []
    assert Watchlist.objects.get().last_digest_at == morning.replace(hour=8)


def test_a_digest_that_fails_is_retried_alert_by_alert(http_server):
    http_server.route("/hook", status=503)
    watchlist = WatchlistFactory(webhook_url=http_server.url("/hook"), delivery=DeliveryMode.DIGEST, digest_hour=0)
    alert = AlertFactory(watchlist=watchlist)
    delivery = AlertDelivery.objects.create(alert=alert, channel=AlertChannel.WEBHOOK, digest=True)

    send_digest(watchlist_id=watchlist.pk)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING and not delivery.digest and delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert "503" in delivery.log
