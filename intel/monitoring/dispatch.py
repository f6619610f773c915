"""The dispatcher beat runs every minute: claim what is due, and say what to queue.

Claiming is the only way work starts, and it is made safe for any number of
dispatchers and workers at once. Feeds, feed entries, alert deliveries (here) and
ingest jobs (``intel/jobs.py``) are all :class:`~intel.models.leases.Leased` and
claimed by the one ``claim()`` (``intel/models/leases.py``):

* Due rows that no one holds are selected ``FOR UPDATE SKIP LOCKED``: a second
  dispatcher running at the same moment skips the rows the first holds instead of
  waiting for them, and once the first commits they are leased, so no longer
  claimable. (SQLite has no row locks; its ``BEGIN IMMEDIATE`` write transactions run
  one at a time, which is as safe.)
* A claim stamps the rows with a fresh token and ``lease_until``. The task that does
  the work presents the token, and every write it makes is conditioned on it; if the
  task is lost (a broker restarted without persistence, a worker killed), the rows
  are claimable again when the lease ends, and the late task, if it ever runs, finds
  its token stale and does nothing.
* Claiming a feed also moves ``next_check_at`` to the end of the lease. A feed whose
  lease ran out still carries the lost check's token: the next dispatcher counts
  that check as an error and schedules the feed with backoff instead of checking it.
* Pending feed entries (ingest jobs) wait unleased until an ingest task claims a
  batch of them across feeds (``claim_pending_entries``), and are claimed again (here,
  or by the next ingest task) when the batch's lease runs out.
* An alert delivery is due at ``next_attempt_at``; the task sending it holds a lease
  (a new immediate delivery from the start), so a delivery whose task was lost is
  claimed here when its lease runs out, and a failed one when its retry is due.

Nothing is queued from here: :func:`dispatch_due` commits its claims and returns them;
the task queues them, so no task can run before the claim it depends on is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intel.choices import DeliveryMode, DeliveryStatus, EntryStatus, FeedStatus
from intel.models import AlertDelivery, Feed, FeedEntry, Watchlist
from intel.models.leases import NO_LEASE, lease_length

from .poll import POLL_TIME_BUDGET
from .schedule import backoff_seconds


@dataclass(frozen=True)
class FeedClaim:
    feed_id: int
    token: str


@dataclass(frozen=True)
class EntryJob:
    entry_ids: list[int]
    token: str


@dataclass
class Dispatch:
    feeds: list[FeedClaim] = field(default_factory=list)
    entry_jobs: list[EntryJob] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)
    digests: list[int] = field(default_factory=list)


def dispatch_due(*, now: datetime | None = None) -> Dispatch:
    """Claim due feeds, lost ingest jobs, due deliveries and due digests (each in its own transaction)."""
    now = now or timezone.now()
    return Dispatch(
        feeds=claim_due_feeds(now=now),
        entry_jobs=claim_pending_entries(now=now),
        deliveries=claim_due_deliveries(now=now),
        digests=due_digests(now=now),
    )


def claim_due_feeds(*, now: datetime | None = None, limit: int | None = None) -> list[FeedClaim]:
    """Claim up to ``limit`` active feeds whose ``next_check_at`` has come, oldest first."""
    now = now or timezone.now()
    until = now + lease_length()
    due = Feed.objects.filter(active=True, next_check_at__lte=now)
    # One transaction: a lost check's feed is claimed and rescheduled together.
    with transaction.atomic():
        claim = due.claim(
            now=now,
            limit=limit or settings.RIVALSCOPE_MONITOR_CLAIM_BATCH,
            order_by=("next_check_at", "pk"),
            also={"next_check_at": until, "claim_deliveries": 0},
        )
        # A feed taken over from an earlier claim is due because that claim's lease ran
        # out: its check was lost (a broker restarted, a worker died). That is a failure,
        # and the feed backs off like one that answers 500, so a feed whose checks keep
        # killing their worker is tried less and less often, never in a tight loop.
        lost = Feed.objects.filter(pk__in=claim.taken_over).values_list("pk", "error_count", "min_interval")
        cap = settings.RIVALSCOPE_MONITOR_MAX_BACKOFF
        for pk, errors, base in lost:
            Feed.objects.filter(pk=pk).update(
                **NO_LEASE,
                error_count=errors + 1,
                last_status=FeedStatus.ERROR,
                last_error="The previous check did not finish within its lease (its task or worker was lost).",
                claim_deliveries=0,
                next_check_at=now + timedelta(seconds=backoff_seconds(errors + 1, base=base, cap=cap)),
            )
    return [FeedClaim(pk, str(claim.token)) for pk in claim.ids if pk not in claim.taken_over]


def poll_groups(claims: list[FeedClaim]) -> list[tuple[list[int], str]]:
    """The claimed feeds in groups of ``RIVALSCOPE_MONITOR_POLL_GROUP``, one poll task each.

    A group never holds a feed twice and a feed is in one group only (claims are
    exclusive), so grouping keeps "one check per feed per cycle"; it saves a task
    and two commits per feed (``poll.poll_feeds``). Claims of one dispatch share a token.
    """
    size = max(1, int(settings.RIVALSCOPE_MONITOR_POLL_GROUP))
    # Small enough to finish within its task's soft time limit even if every fetch runs
    # to its timeout: a group killed at the limit would be retried until given up.
    threads = max(1, int(settings.RIVALSCOPE_MONITOR_FETCH_THREADS))
    timeout = float(settings.RIVALSCOPE_FETCH_TIMEOUT)
    size = min(size, threads * max(1, int(POLL_TIME_BUDGET // timeout)))
    by_token: dict[str, list[int]] = {}
    for claim in claims:
        by_token.setdefault(claim.token, []).append(claim.feed_id)
    return [(ids[i : i + size], token) for token, ids in by_token.items() for i in range(0, len(ids), size)]


def claim_pending_entries(*, now: datetime | None = None, limit: int = 1000) -> list[EntryJob]:
    """Claim pending entries under a new token, in batches: those no ingest task took yet, and
    those whose lease ran out (their ingest job was lost)."""
    pending = FeedEntry.objects.filter(status=EntryStatus.PENDING)
    claim = pending.claim(now=now or timezone.now(), limit=limit, order_by=("pk",))
    size = settings.RIVALSCOPE_MONITOR_INGEST_BATCH
    return [EntryJob(claim.ids[i : i + size], str(claim.token)) for i in range(0, len(claim.ids), size)]


def claim_due_deliveries(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Claim pending, non-digest deliveries that are due and that no task holds (new ones whose
    task was lost, retries, and ones whose sending task was lost)."""
    now = now or timezone.now()
    due = AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, digest=False, next_attempt_at__lte=now)
    return due.claim(now=now, limit=limit, order_by=("next_attempt_at", "pk")).ids


def due_digests(*, now: datetime | None = None) -> list[int]:
    """Watchlists whose daily digest hour (UTC) has come, not sent yet today, with something to send."""
    now = now or timezone.now()
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    candidates = (
        Watchlist.objects.filter(active=True, delivery=DeliveryMode.DIGEST, digest_hour__lte=now.hour)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=today_start))
        .filter(alerts__deliveries__status=DeliveryStatus.PENDING, alerts__deliveries__digest=True)
        .distinct()
    )
    return list(candidates.values_list("pk", flat=True))
