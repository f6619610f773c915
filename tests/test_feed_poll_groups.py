"""Claimed feeds are checked in groups: one task, concurrent fetches, each feed's own outcome."""

from __future__ import annotations

import uuid

import pytest

from intel.choices import EntryStatus, FeedStatus
from intel.models import Feed, FeedEntry
from intel.monitoring.dispatch import FeedClaim, claim_due_feeds, poll_groups
from intel.monitoring.poll import poll_feeds
from tests import feeds
from tests.factories import FeedFactory
from tests.monitoring import RSS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def local_fetching(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RIVALSCOPE_FETCH_TIMEOUT = 3.0


def test_claims_are_split_into_groups_of_the_configured_size(settings):
    settings.RIVALSCOPE_MONITOR_POLL_GROUP = 3
    claims = [FeedClaim(n, "t1") for n in range(7)] + [FeedClaim(100, "t2")]
    groups = poll_groups(claims)
    assert groups == [([0, 1, 2], "t1"), ([3, 4, 5], "t1"), ([6], "t1"), ([100], "t2")]


def test_groups_are_small_enough_to_finish_within_the_task_time_limit(settings):
    # Every fetch may take its whole timeout: 4 threads x (90 s // 30 s) = 12 feeds at most.
    settings.RIVALSCOPE_MONITOR_POLL_GROUP = 100
    settings.RIVALSCOPE_MONITOR_FETCH_THREADS = 4
    settings.RIVALSCOPE_FETCH_TIMEOUT = 30
    groups = poll_groups([FeedClaim(n, "t") for n in range(30)])
    assert [len(ids) for ids, _ in groups] == [12, 12, 6]


def test_a_group_checks_each_feed_once_and_keeps_each_feeds_outcome(http_server):
    http_server.route("/unchanged.xml", status=304, headers={"ETag": '"v1"'})
    http_server.route("/fresh.xml", body=feeds.rss([feeds.story(1), feeds.story(2)]), headers=RSS)
    http_server.route("/broken.xml", status=500)
    http_server.route("/garbled.xml", body=b"<html><body><p>Not a feed</p>", headers=RSS)
    http_server.route("/taken.xml", body=feeds.rss([feeds.story(3)]), headers=RSS)
    unchanged = FeedFactory(url=http_server.url("/unchanged.xml"), etag='"v1"')
    fresh = FeedFactory(url=http_server.url("/fresh.xml"))
    broken = FeedFactory(url=http_server.url("/broken.xml"))
    garbled = FeedFactory(url=http_server.url("/garbled.xml"))
    taken = FeedFactory(url=http_server.url("/taken.xml"))
    claims = claim_due_feeds()
    token = claims[0].token
    # Another dispatcher took this one over (its lease ran out): not ours to check.
    Feed.objects.filter(pk=taken.pk).update(lease_token=uuid.uuid4())

    order = [unchanged.pk, fresh.pk, broken.pk, taken.pk, garbled.pk]
    outcomes = poll_feeds(feed_ids=order, token=token)

    assert [o.feed_id for o in outcomes] == order
    assert [o.status for o in outcomes] == [
        FeedStatus.NOT_MODIFIED,
        FeedStatus.NEW_ITEMS,
        FeedStatus.ERROR,
        "skipped",
        FeedStatus.ERROR,
    ]
    assert len(outcomes[1].new_entry_ids) == 2
    assert set(FeedEntry.objects.values_list("feed_id", "status")) == {(fresh.pk, EntryStatus.PENDING)}
    paths = sorted(r.path for r in http_server.requests)
    assert paths == ["/broken.xml", "/fresh.xml", "/garbled.xml", "/unchanged.xml"]  # once each; never the taken one
    for feed in (unchanged, fresh, broken, garbled):
        feed.refresh_from_db()
        assert feed.lease_token is None and feed.claim_deliveries == 0
    assert (broken.error_count, garbled.error_count, unchanged.error_count, fresh.error_count) == (1, 1, 0, 0)
    assert Feed.objects.get(pk=taken.pk).lease_token is not None  # left to its new owner


@pytest.mark.parametrize(("threads", "at_once"), [(4, "several"), (1, "one")])
def test_a_groups_fetches_run_on_its_threads(http_server, settings, threads, at_once):
    settings.RIVALSCOPE_MONITOR_FETCH_THREADS = threads
    made = []
    for n in range(4):
        http_server.route(f"/slow/{n}.xml", body=feeds.rss([feeds.story(n)]), headers=RSS, delay=0.2)
        made.append(FeedFactory(url=http_server.url(f"/slow/{n}.xml")).pk)
    (claim, *_) = claim_due_feeds()

    outcomes = poll_feeds(feed_ids=made, token=claim.token)

    assert [o.status for o in outcomes] == [FeedStatus.NEW_ITEMS] * 4
    if at_once == "several":
        assert http_server.peak_in_flight >= 2
    else:
        assert http_server.peak_in_flight == 1


def test_a_group_started_too_often_gives_up_on_its_feeds_without_fetching(http_server, settings):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    first = FeedFactory(url=http_server.url("/feed.xml"))
    second = FeedFactory(url=http_server.url("/feed.xml?second"))
    (claim, *_) = claim_due_feeds()
    Feed.objects.filter(pk__in=[first.pk, second.pk]).update(
        claim_deliveries=settings.RIVALSCOPE_MONITOR_MAX_DELIVERIES
    )

    outcomes = poll_feeds(feed_ids=[first.pk, second.pk], token=claim.token)

    assert [o.status for o in outcomes] == [FeedStatus.ERROR, FeedStatus.ERROR]
    assert "without finishing" in outcomes[0].error
    assert http_server.requests == []


def test_one_feeds_refused_entries_fail_that_feed_only(http_server, monkeypatch):
    http_server.route("/a.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    http_server.route("/b.xml", body=feeds.rss([feeds.story(2), feeds.story(3)]), headers=RSS)
    a = FeedFactory(url=http_server.url("/a.xml"))
    b = FeedFactory(url=http_server.url("/b.xml"))
    (claim, *_) = claim_due_feeds()
    # A row the database will refuse to have twice: A's item, stored already, while the
    # check believes it new (as if the seen-lookup had missed it).
    from intel.monitoring import poll
    from intel.monitoring.parsing import parse_feed

    item = parse_feed(feeds.rss([feeds.story(1)]), url=a.url).entries[0]
    FeedEntry.objects.create(feed=a, guid=item.guid, guid_hash=item.guid_hash, status=EntryStatus.INGESTED)
    monkeypatch.setattr(poll, "_seen_guids", lambda listed: {})

    outcomes = poll_feeds(feed_ids=[a.pk, b.pk], token=claim.token)

    assert [o.status for o in outcomes] == [FeedStatus.ERROR, FeedStatus.NEW_ITEMS]
    assert "could not be stored" in outcomes[0].error
    assert FeedEntry.objects.filter(feed=b).count() == 2 and FeedEntry.objects.filter(feed=a).count() == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.lease_token is None and a.error_count == 1 and a.last_status == FeedStatus.ERROR
    assert b.lease_token is None and b.error_count == 0


def test_a_group_started_before_is_split_into_one_task_per_feed(http_server, settings):
    from config.celery import app
    from intel.monitoring.poll import started_before
    from intel.tasks import poll_feeds_task

    for n in range(3):
        http_server.route(f"/{n}.xml", body=feeds.rss([feeds.story(n)]), headers=RSS)
    made = [FeedFactory(url=http_server.url(f"/{n}.xml")).pk for n in range(3)]
    (claim, *_) = claim_due_feeds()
    assert not started_before(made, claim.token)
    # A first delivery started (and counted its start) and its worker died.
    Feed.objects.filter(pk__in=made).update(claim_deliveries=1)
    assert started_before(made, claim.token)

    # Eager for this one call: the split tasks run here, one feed each.
    app.conf.task_always_eager = True
    try:
        assert poll_feeds_task(made, claim.token) == ["split"] * 3
    finally:
        app.conf.task_always_eager = False
    assert sorted(r.path for r in http_server.requests) == ["/0.xml", "/1.xml", "/2.xml"]
    assert set(Feed.objects.filter(pk__in=made).values_list("last_status", "lease_token")) == {
        (FeedStatus.NEW_ITEMS, None)
    }


def test_checks_still_running_at_the_time_budget_are_written_as_failed(http_server, settings, monkeypatch):
    from intel.monitoring import poll

    settings.RIVALSCOPE_MONITOR_FETCH_THREADS = 2
    monkeypatch.setattr(poll, "POLL_TIME_BUDGET", 1.0)
    http_server.route("/quick.xml", body=feeds.rss([feeds.story(1)]), headers=RSS)
    quick = FeedFactory(url=http_server.url("/quick.xml"))
    slow = FeedFactory(url=http_server.url("/sleep?seconds=2"))
    (claim, *_) = claim_due_feeds()

    outcomes = poll_feeds(feed_ids=[quick.pk, slow.pk], token=claim.token)

    assert [o.status for o in outcomes] == [FeedStatus.NEW_ITEMS, FeedStatus.ERROR]
    assert "time budget" in outcomes[1].error
    slow.refresh_from_db()
    assert slow.lease_token is None and slow.error_count == 1
