"""Celery tasks. Thin: each takes ids or nothing, calls a function, and is safe to run twice.

Monitoring's tasks are set for at-least-once work (``acks_late`` and
``reject_on_worker_lost`` come from the settings): a task that dies with its worker is
delivered again, and the functions they call decide by claim tokens and
compare-and-set whether there is still work to do. Database and connection errors
are retried with backoff; network errors of a feed are the feed's own state (backoff
in ``next_check_at``), not a task retry.

Monitoring functions are imported inside the tasks: beat imports this module too,
and has no use for the ingestion pipeline (spaCy) they load.
"""

from __future__ import annotations

import socket

from celery import Task, current_app, shared_task
from django.db import InterfaceError, OperationalError

from intel.health import record_heartbeat
from intel.jobs import INGEST_JOB_TASK, requeue_stale_ingest_jobs, run_ingest_job

# Retried with exponential backoff (and jitter, Celery's default) up to five times.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError)
RETRY = {"autoretry_for": TRANSIENT, "retry_backoff": 2, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(name="intel.tasks.heartbeat_task", bind=True, ignore_result=True)
def heartbeat_task(self: Task, name: str | None = None) -> None:
    """Refresh the heartbeat of the worker that runs it (or the row ``name``): a round trip through the broker.

    Workers write their own heartbeats without it (``WorkerHeartbeat`` in
    config/celery.py); a task goes to whichever worker takes it first, so it cannot
    tell workers apart. It stays for checking by hand that a message reaches a worker
    (``celery -A config call intel.tasks.heartbeat_task``); the one beat still queues
    every minute only refreshes a row its worker writes anyway.
    """
    record_heartbeat(name=name or self.request.hostname or "worker", hostname=socket.gethostname())


@shared_task(
    name=INGEST_JOB_TASK,  # intel.jobs sends jobs by this name
    ignore_result=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def ingest_job_task(job_id: int) -> None:
    """Run a queued ingest job (``intel.jobs``); a second delivery does nothing."""
    run_ingest_job(job_id)


@shared_task(name="intel.tasks.requeue_stale_ingest_jobs_task", ignore_result=True)
def requeue_stale_ingest_jobs_task() -> None:
    """Re-send jobs whose message was lost or whose worker died (beat, every minute)."""
    requeue_stale_ingest_jobs()


@shared_task(name="intel.tasks.apply_retention_task", ignore_result=True, **RETRY)
def apply_retention_task() -> dict[str, int]:
    """Delete what the RIVALSCOPE_RETAIN_* settings say has expired (beat, daily); nothing while they are 0."""
    from intel.retention import purge_expired

    return purge_expired()


@shared_task(name="intel.tasks.dispatch_monitoring_task", ignore_result=True, **RETRY)
def dispatch_monitoring_task() -> dict[str, int]:
    """Claim due feeds, lost ingest jobs, due deliveries and digests, and queue one task for each."""
    from intel.monitoring.dispatch import dispatch_due, poll_groups

    dispatch = dispatch_due()
    # One producer (one broker connection) for the whole batch: a thousand polls are
    # sent in a fraction of the time separate .delay() calls take.
    with current_app.producer_or_acquire() as producer:
        for feed_ids, token in poll_groups(dispatch.feeds):
            poll_feeds_task.apply_async((feed_ids, token), producer=producer)
        for job in dispatch.entry_jobs:
            ingest_entries_task.apply_async((job.entry_ids, job.token), producer=producer)
        if dispatch.deliveries:
            deliver_alerts_task.apply_async((dispatch.deliveries,), producer=producer)
        for watchlist_id in dispatch.digests:
            send_digest_task.apply_async((watchlist_id,), producer=producer)
    return {
        "feeds": len(dispatch.feeds),
        "entry_jobs": len(dispatch.entry_jobs),
        "deliveries": len(dispatch.deliveries),
        "digests": len(dispatch.digests),
    }


@shared_task(name="intel.tasks.poll_feeds_task", ignore_result=True, soft_time_limit=120, time_limit=150, **RETRY)
def poll_feeds_task(feed_ids: list[int], token: str) -> list[str]:
    """Check a group of claimed feeds; if any had new items, queue an ingest of everything waiting."""
    from intel.monitoring.poll import poll_feeds, started_before

    if len(feed_ids) > 1 and started_before(feed_ids, token):
        # This group was started before and never finished: its worker died or it ran
        # out of time. One task per feed from here, so that a feed which kills workers
        # is given up alone (its delivery count) and the others are checked.
        for feed_id in feed_ids:
            poll_feeds_task.delay([feed_id], token)
        return ["split"] * len(feed_ids)
    outcomes = poll_feeds(feed_ids=feed_ids, token=token)
    if any(outcome.new_entry_ids for outcome in outcomes):
        # Queued behind the other polls of this dispatch: the first such task to run
        # ingests all their entries in batches; the others find nothing left (one query).
        ingest_pending_task.delay()
    return [outcome.status for outcome in outcomes]


@shared_task(name="intel.tasks.ingest_pending_task", ignore_result=True, soft_time_limit=240, time_limit=300, **RETRY)
def ingest_pending_task() -> int:
    """Ingest the entries waiting in every feed, a batch at a time."""
    from intel.monitoring.entries import ingest_pending

    outcome = ingest_pending()
    if outcome.deliveries:
        deliver_alerts_task.delay(outcome.deliveries)
    return len(outcome.ingested)


@shared_task(name="intel.tasks.ingest_entries_task", ignore_result=True, soft_time_limit=240, time_limit=300, **RETRY)
def ingest_entries_task(entry_ids: list[int], token: str) -> int:
    """Ingest a batch of feed entries the dispatcher claimed (waiting ones, or a lost job's)."""
    from intel.monitoring.entries import ingest_entries

    outcome = ingest_entries(entry_ids=entry_ids, token=token)
    if outcome.deliveries:
        deliver_alerts_task.delay(outcome.deliveries)
    return len(outcome.ingested)


@shared_task(name="intel.tasks.deliver_alerts_task", ignore_result=True, soft_time_limit=120, time_limit=150, **RETRY)
def deliver_alerts_task(delivery_ids: list[int]) -> dict[int, str]:
    """Send alerts by e-mail or webhook; failures are retried by the dispatcher with backoff."""
    from intel.monitoring.delivery import deliver

    return deliver(delivery_ids=delivery_ids)


@shared_task(name="intel.tasks.send_digest_task", ignore_result=True, **RETRY)
def send_digest_task(watchlist_id: int) -> int:
    """Send one watchlist's daily digest."""
    from intel.monitoring.delivery import send_digest

    return send_digest(watchlist_id=watchlist_id)
