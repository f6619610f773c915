"""The dispatcher claims due feeds once, notices lost checks and lost ingest jobs, and re-queues them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from intel.choices import EntryStatus, FeedStatus
from intel.models import Article, Feed, FeedEntry
from intel.monitoring.dispatch import claim_due_feeds, claim_pending_entries, dispatch_due
from intel.monitoring.entries import ingest_entries
from intel.monitoring.poll import poll_feeds
from tests import feeds
from tests.factories import FeedEntryFactory, FeedFactory
from tests.monitoring import RSS
from tests.test_leases import race

pytestmark = pytest.mark.django_db


def test_only_active_feeds_that_are_due_are_claimed():
    now = timezone.now()
    due = FeedFactory(next_check_at=now - timedelta(minutes=1))
    FeedFactory(next_check_at=now + timedelta(minutes=1))
    FeedFactory(next_check_at=now - timedelta(minutes=1), active=False)

    claims = claim_due_feeds(now=now)

    assert [c.feed_id for c in claims] == [due.pk]
    due.refresh_from_db()
    assert str(due.lease_token) == claims[0].token
    assert due.lease_until == due.next_check_at == now + timedelta(seconds=600)


def test_a_claimed_feed_is_not_claimed_again_until_its_lease_ends_and_a_lost_check_backs_off(settings):
    settings.RIVALSCOPE_MONITOR_LEASE = 600
    now = timezone.now()
    feed = FeedFactory(next_check_at=now)
    assert claim_due_feeds(now=now)
    assert claim_due_feeds(now=now + timedelta(seconds=599)) == []

    # The check never reported back (its task was lost): a failure, so the feed backs off.
    expired = now + timedelta(seconds=600)
    assert claim_due_feeds(now=expired) == []

    feed.refresh_from_db()
    assert feed.lease_token is None and feed.error_count == 1 and feed.last_status == FeedStatus.ERROR
    assert "did not finish within its lease" in feed.last_error
    assert timedelta(seconds=225) <= feed.next_check_at - expired <= timedelta(seconds=375)  # 300 s, jittered
    (again,) = claim_due_feeds(now=feed.next_check_at)
    assert again.feed_id == feed.pk


def test_claims_take_the_longest_waiting_feeds_first_up_to_the_limit():
    now = timezone.now()
    feeds_ = [FeedFactory(next_check_at=now - timedelta(minutes=m)) for m in (1, 5, 3)]
    claims = claim_due_feeds(now=now, limit=2)
    assert [c.feed_id for c in claims] == [feeds_[1].pk, feeds_[2].pk]


def test_ingest_jobs_whose_lease_ran_out_are_queued_again_under_a_new_token(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = []
    now = timezone.now()
    old = uuid.uuid4()
    lost = FeedEntryFactory(
        title="Xiaomi opens a store in Chile", lease_token=old, lease_until=now - timedelta(seconds=1)
    )
    FeedEntryFactory(lease_token=uuid.uuid4(), lease_until=now + timedelta(minutes=5))  # still being worked on
    FeedEntryFactory(status=EntryStatus.INGESTED)

    (job,) = claim_pending_entries(now=now)

    assert job.entry_ids == [lost.pk]
    # The late first job finds its lease gone and does nothing; the new one ingests.
    assert ingest_entries(entry_ids=[lost.pk], token=str(old)).ingested == []
    assert ingest_entries(entry_ids=job.entry_ids, token=job.token).ingested == [lost.pk]
    lost.refresh_from_db()
    assert lost.status == EntryStatus.INGESTED and lost.attempts == 1
    assert Article.objects.get().title == "Xiaomi opens a store in Chile"


def test_an_entry_started_too_often_is_given_up(settings):
    settings.RIVALSCOPE_MONITOR_MAX_DELIVERIES = 3
    token = uuid.uuid4()
    entry = FeedEntryFactory(lease_token=token, attempts=3)

    outcome = ingest_entries(entry_ids=[entry.pk], token=str(token))

    entry.refresh_from_db()
    assert outcome.failed == [entry.pk]
    assert entry.status == EntryStatus.FAILED and "started 3 times without finishing" in entry.error
    assert not Article.objects.exists()


def test_dispatch_returns_everything_to_queue():
    now = timezone.now()
    FeedFactory(next_check_at=now)
    FeedEntryFactory(lease_until=None)
    dispatch = dispatch_due(now=now)
    assert len(dispatch.feeds) == 1 and len(dispatch.entry_jobs) == 1
    assert dispatch.deliveries == [] and dispatch.digests == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_claim_each_due_feed_exactly_once():
    now = timezone.now()
    ids = {FeedFactory(next_check_at=now - timedelta(seconds=i)).pk for i in range(200)}

    # Small batches, so the two interleave.
    results = race(lambda: [c.feed_id for c in claim_due_feeds(now=now, limit=30)], rounds=5)

    claimed = results[0] + results[1]
    assert sorted(claimed) == sorted(ids)  # every feed once, none twice
    assert results[0] and results[1]  # both really worked, neither waited for the other
    assert Feed.objects.filter(lease_token__isnull=True).count() == 0


def test_new_entries_wait_unleased_for_an_ingest_task_that_claims_them_in_a_batch(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(1), feeds.story(2)]), headers=RSS)
    FeedFactory(url=http_server.url("/feed.xml"))

    (claim,) = claim_due_feeds()
    (outcome,) = poll_feeds(feed_ids=[claim.feed_id], token=claim.token)

    assert set(FeedEntry.objects.values_list("lease_token", flat=True)) == {None}
    (job,) = claim_pending_entries()
    assert sorted(job.entry_ids) == sorted(outcome.new_entry_ids)
    # Claimed: no one else takes them until the lease ends (the job was lost, say).
    assert claim_pending_entries() == []
    assert claim_pending_entries(now=timezone.now() + timedelta(hours=1))[0].entry_ids == job.entry_ids
