"""The dispatcher beat runs every minute: claim what is due, and say what to queue.

Claiming is the only way work starts, and it is made safe for any number of
dispatchers and workers at once:

* Due rows are selected ``FOR UPDATE SKIP LOCKED``: a second dispatcher running at the
  same moment skips the rows the first holds instead of waiting for them, and once
  the first commits they are no longer due. (SQLite has no row locks; its
  ``BEGIN IMMEDIATE`` write transactions run one at a time, which is as safe.)
* Claiming a feed gives it a token and moves ``next_check_at`` to the end of a lease.
  The poll task must present the token; if the task is lost (a broker restarted
  without persistence, a worker killed), the feed is due again when the lease ends:
  the next dispatcher counts the lost check as an error and schedules it with
  backoff, and the late task, if it ever runs, finds its token stale and does nothing.
* Pending feed entries (ingest jobs) wait unleased until an ingest task claims a
  batch of them across feeds (``claim_pending_entries``); a claimed batch carries a
  lease, and is claimed again (here, or by the next ingest task) when it runs out.
  Alert deliveries carry leases too.

Nothing is queued from here: :func:`dispatch_due` commits its claims and returns them;
the task queues them, so no task can run before the claim it depends on is visible.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intel.choices import DeliveryMode, DeliveryStatus, EntryStatus, FeedStatus
from intel.models import AlertDelivery, Feed, FeedEntry, Watchlist

from .poll import POLL_TIME_BUDGET
from .schedule import backoff_seconds


def lease() -> timedelta:
    return timedelta(seconds=settings.RIVALSCOPE_MONITOR_LEASE)


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
    limit = limit or settings.RIVALSCOPE_MONITOR_CLAIM_BATCH
    token = uuid.uuid4()
    until = now + lease()
    with transaction.atomic():
        due = Feed.objects.select_for_update(skip_locked=True).filter(active=True, next_check_at__lte=now)
        ids = list(due.order_by("next_check_at", "pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        # A feed still holding a claim is due because that claim's lease ran out: its
        # check was lost (a broker restarted, a worker died). That is a failure, and
        # the feed backs off like one that answers 500, so a feed whose checks keep
        # killing their worker is tried less and less often, never in a tight loop.
        lost = Feed.objects.filter(pk__in=ids, claim_token__isnull=False).values_list(
            "pk", "error_count", "min_interval"
        )
        lost_ids = set()
        cap = settings.RIVALSCOPE_MONITOR_MAX_BACKOFF
        for pk, errors, base in lost:
            lost_ids.add(pk)
            Feed.objects.filter(pk=pk).update(
                error_count=errors + 1,
                last_status=FeedStatus.ERROR,
                last_error="The previous check did not finish within its lease (its task or worker was lost).",
                claim_token=None,
                claimed_until=None,
                claim_deliveries=0,
                next_check_at=now + timedelta(seconds=backoff_seconds(errors + 1, base=base, cap=cap)),
            )
        ids = [pk for pk in ids if pk not in lost_ids]
        Feed.objects.filter(pk__in=ids).update(
            claim_token=token, claimed_until=until, next_check_at=until, claim_deliveries=0
        )
    return [FeedClaim(pk, str(token)) for pk in ids]


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
    now = now or timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        lost = FeedEntry.objects.select_for_update(skip_locked=True).filter(
            Q(lease_until__lt=now) | Q(lease_until__isnull=True), status=EntryStatus.PENDING
        )
        ids = list(lost.order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        FeedEntry.objects.filter(pk__in=ids).update(lease_token=token, lease_until=now + lease())
    size = settings.RIVALSCOPE_MONITOR_INGEST_BATCH
    return [EntryJob(ids[i : i + size], str(token)) for i in range(0, len(ids), size)]


def claim_due_deliveries(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Claim pending, non-digest deliveries that are due (new ones whose task was lost, or retries)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = AlertDelivery.objects.select_for_update(skip_locked=True).filter(
            status=DeliveryStatus.PENDING, digest=False, next_attempt_at__lte=now
        )
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        AlertDelivery.objects.filter(pk__in=ids).update(next_attempt_at=now + lease())
    return ids


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
