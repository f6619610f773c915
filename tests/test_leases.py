"""One lease for feeds, feed entries, ingest jobs and alert deliveries (intel/models/leases.py).

The claim's contract on each of the four models, and the race it exists for: two
claimers at once on PostgreSQL never get the same row, and neither waits for the other.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import pytest
from django.db import connection
from django.utils import timezone

from intel import jobs
from intel.choices import AlertChannel, DeliveryStatus, EntryStatus
from intel.models import AlertDelivery, Feed, FeedEntry, IngestJob, JobStatus, Leased
from intel.models.leases import LeasedQuerySet, lease_length
from intel.monitoring.dispatch import claim_due_deliveries, claim_pending_entries
from tests.factories import AlertFactory, FeedEntryFactory, FeedFactory, WatchlistFactory

LEASE = timedelta(minutes=10)
T = TypeVar("T")


def _feeds(count: int) -> LeasedQuerySet[Feed]:
    for _ in range(count):
        FeedFactory(next_check_at=timezone.now() - timedelta(minutes=1))
    return Feed.objects.filter(active=True)


def _entries(count: int) -> LeasedQuerySet[FeedEntry]:
    feed = FeedFactory()
    for _ in range(count):
        FeedEntryFactory(feed=feed)
    return FeedEntry.objects.filter(status=EntryStatus.PENDING)


def _jobs(count: int) -> LeasedQuerySet[IngestJob]:
    IngestJob.objects.bulk_create(IngestJob(params={"text": f"Story {n}"}) for n in range(count))
    return IngestJob.objects.filter(status__in=jobs.LIVE)


def _deliveries(count: int) -> LeasedQuerySet[AlertDelivery]:
    watchlist = WatchlistFactory()
    due = timezone.now() - timedelta(minutes=1)
    AlertDelivery.objects.bulk_create(
        AlertDelivery(alert=AlertFactory(watchlist=watchlist), channel=AlertChannel.EMAIL, next_attempt_at=due)
        for _ in range(count)
    )
    return AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, digest=False)


# Each model's rows waiting for work, as the queryset of those its claim path asks for.
MAKERS: dict[str, Callable[[int], LeasedQuerySet]] = {
    "feed": _feeds,
    "feed entry": _entries,
    "ingest job": _jobs,
    "alert delivery": _deliveries,
}


@pytest.mark.django_db
def test_all_four_kinds_of_work_carry_the_one_lease():
    for model in (Feed, FeedEntry, IngestJob, AlertDelivery):
        assert issubclass(model, Leased)
        names = {field.name for field in model._meta.fields}
        assert {"lease_token", "lease_until"} <= names
        assert not {"claim_token", "claimed_until"} & names


@pytest.mark.django_db
@pytest.mark.parametrize("kind", MAKERS)
def test_a_claimed_row_is_not_claimed_again_until_its_lease_runs_out_then_under_a_new_token(kind):
    due = MAKERS[kind](1)
    (row,) = due
    now = timezone.now()

    first = due.claim(now=now, limit=10, order_by=("pk",), lease=LEASE)

    assert first.ids == [row.pk] and not first.taken_over
    stored = type(row).objects.get(pk=row.pk)
    assert (stored.lease_token, stored.lease_until) == (first.token, now + LEASE)
    assert not due.claim(now=now, limit=10, order_by=("pk",), lease=LEASE)
    assert not due.claim(now=now + LEASE - timedelta(seconds=1), limit=10, order_by=("pk",), lease=LEASE)

    # The holder was lost: from the end of its lease the row is claimable again.
    second = due.claim(now=now + LEASE, limit=10, order_by=("pk",), lease=LEASE)

    assert second.ids == [row.pk] and second.taken_over == {row.pk}
    assert second.token != first.token
    # The late holder's token-conditioned writes find nothing; the new holder's do.
    assert not due.held(first.token).exists()
    assert list(due.held(str(second.token)).values_list("pk", flat=True)) == [row.pk]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", MAKERS)
def test_a_released_row_is_claimable_at_once_and_the_callers_filter_and_limit_hold(kind):
    due = MAKERS[kind](3)
    now = timezone.now()
    first = due.claim(now=now, limit=2, order_by=("-pk",), lease=LEASE)
    assert first.ids == sorted(due.values_list("pk", flat=True), reverse=True)[:2]

    assert due.filter(pk=first.ids[0]).held(first.token).release() == 1
    again = due.claim(now=now, limit=10, order_by=("pk",), lease=LEASE)
    assert sorted(again.ids) == sorted(set(due.values_list("pk", flat=True)) - {first.ids[1]})
    assert not again.taken_over  # released, not lost
    assert not due.none().claim(now=now + 2 * LEASE, limit=10, order_by=("pk",))


@pytest.mark.django_db
def test_without_a_lease_given_a_claim_lasts_the_monitor_lease(settings):
    settings.RIVALSCOPE_MONITOR_LEASE = 45
    due = _entries(1)
    now = timezone.now()
    claim = due.claim(now=now, limit=1, order_by=("pk",))
    assert claim.until == now + timedelta(seconds=45) == now + lease_length()


@pytest.mark.django_db
def test_each_claim_path_goes_through_the_lease():
    now = timezone.now()
    entry = FeedEntryFactory()
    (job,) = claim_pending_entries(now=now)
    assert job.entry_ids == [entry.pk] and str(FeedEntry.objects.get().lease_token) == job.token

    delivery = AlertDelivery.objects.create(alert=AlertFactory(), channel=AlertChannel.EMAIL, next_attempt_at=now)
    assert claim_due_deliveries(now=now) == [delivery.pk]
    delivery.refresh_from_db()
    # Claiming no longer moves the due time: the lease says the delivery is held.
    assert delivery.next_attempt_at == now and delivery.lease_until == now + lease_length()
    assert claim_due_deliveries(now=now + lease_length() - timedelta(seconds=1)) == []
    assert claim_due_deliveries(now=now + lease_length()) == [delivery.pk]


@pytest.mark.django_db
def test_an_ingest_job_is_leased_while_it_runs_and_released_when_done(monkeypatch):
    job = IngestJob.objects.create(params={"text": "Brightwater Corp will enter India next year."})
    seen: list[tuple[str, uuid.UUID | None]] = []

    def while_running(**kwargs):
        row = IngestJob.objects.get(pk=job.pk)
        seen.append((row.status, row.lease_token))
        # A second delivery of the message while this one runs leaves the job alone.
        assert jobs.run_ingest_job(job.pk).status == JobStatus.RUNNING
        raise jobs.IngestError("stop here")

    monkeypatch.setattr(jobs, "ingest_article", while_running)
    done = jobs.run_ingest_job(job.pk)

    assert len(seen) == 1 and seen[0][0] == JobStatus.RUNNING and seen[0][1] is not None
    assert (done.status, done.attempts, done.lease_token, done.lease_until) == (JobStatus.FAILED, 1, None, None)


# --- the race, on PostgreSQL: two claimers at once ------------------------------------


def race(claim: Callable[[], list[T]], *, rounds: int) -> list[list[T]]:
    """Run ``claim`` ``rounds`` times on each of two threads started together; what each claimed."""
    barrier = threading.Barrier(2)
    results: list[list[T]] = [[], []]
    errors: list[Exception] = []

    def claimer(slot: int) -> None:
        try:
            barrier.wait()
            for _ in range(rounds):
                results[slot] += claim()
        except Exception as exc:  # reported on the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=claimer, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", MAKERS)
def test_two_claimers_at_once_never_get_the_same_row(kind):
    due = MAKERS[kind](120)
    ids = set(due.values_list("pk", flat=True))
    now = timezone.now()

    # Small batches, so the two interleave.
    results = race(lambda: due.claim(now=now, limit=20, order_by=("pk",), lease=LEASE).ids, rounds=5)

    claimed = results[0] + results[1]
    assert sorted(claimed) == sorted(ids)  # every row once, none twice
    assert results[0] and results[1]  # both really claimed: neither waited for the other's rows
    assert not due.free(now).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_claim_each_pending_entry_and_due_delivery_once():
    entries = {("entry", pk) for pk in _entries(120).values_list("pk", flat=True)}
    deliveries = {("delivery", pk) for pk in _deliveries(120).values_list("pk", flat=True)}
    now = timezone.now()

    def dispatch() -> list[tuple[str, int]]:
        claimed = [("entry", pk) for job in claim_pending_entries(now=now, limit=20) for pk in job.entry_ids]
        return claimed + [("delivery", pk) for pk in claim_due_deliveries(now=now, limit=20)]

    results = race(dispatch, rounds=5)

    claimed = Counter(results[0] + results[1])
    assert claimed == Counter(entries | deliveries)  # every row once, none twice
    assert results[0] and results[1]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_ingest_job_delivered_twice_at_once_runs_once(monkeypatch):
    job_ids = [job.pk for job in _jobs(30)]
    runs: Counter[int] = Counter()
    lock = threading.Lock()

    def ingest(**params):
        with lock:
            runs[int(params["text"].split()[-1])] += 1
        raise jobs.IngestError("stop here")

    monkeypatch.setattr(jobs, "ingest_article", ingest)

    def worker() -> list[int]:
        return [job_id for job_id in job_ids if jobs.run_ingest_job(job_id) is not None]

    race(worker, rounds=1)

    assert runs == Counter(range(30))  # every job ran, none twice
    assert set(IngestJob.objects.values_list("status", "attempts")) == {(JobStatus.FAILED, 1)}
