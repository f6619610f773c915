"""A feed check: new items stored and ingested, conditional GET, the publisher's hints, and every failure."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from intel.choices import EntryStatus, FeedStatus
from intel.models import Article, Feed, FeedEntry
from intel.monitoring.dispatch import claim_due_feeds
from intel.monitoring.poll import poll_feeds
from tests import feeds
from tests.factories import FeedFactory
from tests.monitoring import RSS, run_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_fetching(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RIVALSCOPE_FETCH_TIMEOUT = 3.0


def _check(feed: Feed, now=None):
    (claim,) = [c for c in claim_due_feeds(now=now) if c.feed_id == feed.pk]
    (outcome,) = poll_feeds(feed_ids=[feed.pk], token=claim.token, now=now)
    return outcome


def test_new_items_are_stored_ingested_and_the_next_check_scheduled(http_server):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1), feeds.story(2)]), headers=RSS)
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    started = timezone.now()

    polls, ingested = run_cycle()

    assert [p.status for p in polls] == [FeedStatus.NEW_ITEMS]
    assert len(ingested.ingested) == 2
    assert set(FeedEntry.objects.values_list("status", flat=True)) == {EntryStatus.INGESTED}
    assert Article.objects.filter(feed_entries__feed=feed).count() == 2
    feed.refresh_from_db()
    assert feed.last_status == FeedStatus.NEW_ITEMS and feed.error_count == 0 and feed.lease_token is None
    assert feed.last_new_item_at >= started
    # New items: the interval halves (900 → 450 s, within the 300 s minimum).
    assert feed.check_interval == 450
    assert feed.next_check_at - feed.last_checked_at == timedelta(seconds=450)


def test_a_second_check_sends_the_validators_and_a_304_changes_nothing(http_server):
    body = feeds.rss([feeds.story(1)])
    http_server.route(
        "/feed.xml", body=body, headers={**RSS, "ETag": '"v1"', "Last-Modified": "Tue, 20 Nov 2018 10:00:00 GMT"}
    )
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    run_cycle()
    http_server.route("/feed.xml", status=304, headers={"ETag": '"v1"'})

    polls, _ = run_cycle(now=timezone.now() + timedelta(hours=1))

    assert polls[0].status == FeedStatus.NOT_MODIFIED
    last = http_server.requests[-1]
    assert last.headers["if-none-match"] == '"v1"'
    assert last.headers["if-modified-since"] == "Tue, 20 Nov 2018 10:00:00 GMT"
    assert FeedEntry.objects.count() == 1 and Article.objects.count() == 1
    feed.refresh_from_db()
    assert (feed.etag, feed.last_status, feed.last_status_code) == ('"v1"', FeedStatus.NOT_MODIFIED, 304)
    assert feed.check_interval == 675  # 450 after the first check, × 1.5 without news


def test_items_seen_before_are_not_new_when_a_server_ignores_validators(http_server):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    FeedFactory(url=http_server.url("/feed.xml"))
    run_cycle()
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(2), feeds.story(1)]), headers=RSS)

    polls, _ = run_cycle(now=timezone.now() + timedelta(hours=1))

    assert len(polls[0].new_entry_ids) == 1
    assert FeedEntry.objects.count() == 2 and Article.objects.count() == 2


def test_cache_control_and_rss_ttl_delay_the_next_check(http_server):
    http_server.route("/a.xml", body=feeds.rss([feeds.story(1)]), headers={**RSS, "Cache-Control": "max-age=7200"})
    http_server.route("/b.xml", body=feeds.rss([feeds.story(2)], ttl=180), headers=RSS)
    a = FeedFactory(url=http_server.url("/a.xml"))
    b = FeedFactory(url=http_server.url("/b.xml"))
    run_cycle()
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.next_check_at - a.last_checked_at == timedelta(hours=2)
    assert b.next_check_at - b.last_checked_at == timedelta(hours=3)


def test_a_429_with_retry_after_waits_as_long_as_asked(http_server):
    http_server.route("/feed.xml", status=429, headers={"Retry-After": "3600"})
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    outcome = _check(feed)
    feed.refresh_from_db()
    assert outcome.status == FeedStatus.RATE_LIMITED
    assert (feed.last_status, feed.last_status_code, feed.error_count) == (FeedStatus.RATE_LIMITED, 429, 1)
    assert feed.next_check_at - feed.last_checked_at == timedelta(hours=1)


def test_errors_back_off_exponentially_and_a_success_resets_the_count(http_server):
    http_server.route("/feed.xml", status=500)
    feed = FeedFactory(url=http_server.url("/feed.xml"), min_interval=300)
    now = timezone.now()
    waits = []
    for _ in range(4):
        _check(feed, now=now)
        feed.refresh_from_db()
        waits.append((feed.next_check_at - now).total_seconds())
        now = feed.next_check_at
    assert feed.error_count == 4 and feed.last_status == FeedStatus.ERROR
    assert "500 Internal Server Error" in feed.last_error
    for wait, nominal in zip(waits, [300, 600, 1200, 2400], strict=True):
        assert 0.75 * nominal <= wait <= 1.25 * nominal
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    _check(feed, now=now)
    feed.refresh_from_db()
    assert (feed.error_count, feed.last_error, feed.last_status) == (0, "", FeedStatus.NEW_ITEMS)


def test_backoff_is_capped_so_a_feed_failing_all_night_is_tried_in_the_morning(http_server, settings):
    settings.RIVALSCOPE_MONITOR_MAX_BACKOFF = 6 * 3600
    http_server.route("/feed.xml", status=503)
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    Feed.objects.filter(pk=feed.pk).update(error_count=40)
    _check(feed)
    feed.refresh_from_db()
    assert feed.active and feed.error_count == 41
    assert feed.next_check_at - feed.last_checked_at <= timedelta(hours=6)


FAILURES = {
    "server error": ("/status/500", "500 Internal Server Error"),
    "timeout": ("/sleep?seconds=30", "did not answer within"),
    "slow drip": ("/drip?interval=0.3&for=20", "did not answer within"),
    "gzip bomb": ("/gzip-bomb", "larger than"),
    "huge feed": ("/huge?size=20000000&chunked=1", "larger than"),
    "broken xml": ("/broken.xml", "not an RSS, Atom or JSON feed"),
    "entity bomb": ("/entities.xml", "ENTITY"),
    "redirect to the metadata address": ("/redirect?to=http://169.254.169.254/latest/meta-data/", "metadata"),
    "redirect to a private address": ("/redirect?to=http://10.1.2.3/feed.xml", "private address"),
    "redirect to a file": ("/redirect?to=file:///etc/passwd", "Only http and https"),
}


@pytest.mark.parametrize("path,message", FAILURES.values(), ids=FAILURES.keys())
def test_a_failing_feed_records_why_stores_nothing_and_is_scheduled_again(http_server, settings, path, message):
    settings.RIVALSCOPE_FETCH_MAX_BYTES = 1024 * 1024
    settings.RIVALSCOPE_FETCH_TIMEOUT = 1.0
    http_server.route("/broken.xml", body=b"<html><body><p>unclosed <b>tags", headers=RSS)
    http_server.route(
        "/entities.xml",
        body=b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<rss version='2.0'><channel><item><title>&b;</title></item></channel></rss>",
        headers=RSS,
    )
    feed = FeedFactory(url=http_server.url(path))

    outcome = _check(feed)

    feed.refresh_from_db()
    assert outcome.status == FeedStatus.ERROR
    assert message in feed.last_error
    assert feed.error_count == 1 and feed.lease_token is None
    assert feed.next_check_at > feed.last_checked_at
    assert not FeedEntry.objects.exists() and not Article.objects.exists()


def test_a_check_whose_claim_was_taken_over_changes_nothing(http_server):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    (old,) = claim_due_feeds()
    # The lease runs out: the lost check is noticed (backoff), then claimed under a new token.
    assert claim_due_feeds(now=timezone.now() + timedelta(hours=1)) == []
    feed.refresh_from_db()
    (new,) = claim_due_feeds(now=feed.next_check_at)

    assert poll_feeds(feed_ids=[feed.pk], token=old.token)[0].status == "skipped"
    assert not FeedEntry.objects.exists()
    assert poll_feeds(feed_ids=[feed.pk], token=new.token)[0].status == FeedStatus.NEW_ITEMS
    assert poll_feeds(feed_ids=[feed.pk], token=new.token)[0].status == "skipped"  # a redelivery after it finished
    assert poll_feeds(feed_ids=[feed.pk], token=str(uuid.uuid4()))[0].status == "skipped"


def test_a_check_started_again_and_again_is_given_up_and_backs_off(http_server, settings):
    settings.RIVALSCOPE_MONITOR_MAX_DELIVERIES = 3
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    (claim,) = claim_due_feeds()
    # Three starts that never finished (each killed its worker, say): the delivery count.
    Feed.objects.filter(pk=feed.pk).update(claim_deliveries=3)

    (outcome,) = poll_feeds(feed_ids=[feed.pk], token=claim.token)

    feed.refresh_from_db()
    assert outcome.status == FeedStatus.ERROR
    assert "started 4 times without finishing" in feed.last_error
    assert feed.lease_token is None and feed.error_count == 1
    assert not http_server.requests and not FeedEntry.objects.exists()
