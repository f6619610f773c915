"""Queued ingestion: a job row per request, run by a worker, safe to run twice.

The row, not the broker message, is the truth. ``queue_ingest`` stores the job and
sends its id after the transaction commits; ``run_ingest_job`` claims it (row
lock, lease, attempt count) and runs ``ingest_article``; ``requeue_stale_ingest_jobs``
(beat, every minute) sends again the jobs whose message was lost (a broker
restarted without persistence) or whose worker died mid-run (lease expired).
Running a job twice is harmless: ingestion finds the article already stored.

Jobs are sent by task name (``INGEST_JOB_TASK``): ``intel.tasks`` imports this module
for the functions its tasks call, so this one does not import it back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intel.ingest.errors import IngestError
from intel.ingest.pipeline import ingest_article
from intel.models import IngestJob, JobStatus

logger = logging.getLogger(__name__)


def lease() -> timedelta:
    """How long a started job is its worker's (``RIVALSCOPE_MONITOR_LEASE``, as for feed
    checks): longer than the task's hard time limit, so a live run never loses it; a
    killed worker's job is due again once it ends."""
    return timedelta(seconds=settings.RIVALSCOPE_MONITOR_LEASE)


# A queued job whose message has not been picked up for this long is sent again.
RESEND_AFTER = timedelta(minutes=5)

JOB_PARAMS = ("text", "html", "fetch_url", "url", "title", "published", "source", "filename")

# The task that runs a job (``intel.tasks.ingest_job_task``), which calls ``run_ingest_job``.
INGEST_JOB_TASK = "intel.tasks.ingest_job_task"


def send_ingest_job(job_id: int) -> None:
    """Send a job's id to a worker (by task name; the task's own options apply where it is registered)."""
    current_app.send_task(INGEST_JOB_TASK, args=(job_id,), ignore_result=True)


def queue_ingest(*, params: dict[str, Any], raw: bytes | None = None, by: Any = None) -> IngestJob:
    """Store an ingest job and send it to a worker once the transaction commits."""
    job = IngestJob.objects.create(
        params={k: v for k, v in params.items() if k in JOB_PARAMS and v not in (None, "")},
        raw=raw,
        created_by=by if getattr(by, "pk", None) else None,
        enqueued_at=timezone.now(),
    )
    transaction.on_commit(lambda: send_ingest_job(job.pk))
    return job


def run_ingest_job(job_id: int) -> IngestJob | None:
    """Claim and run one job; a job that is finished, or running elsewhere, is left alone."""
    now = timezone.now()
    with transaction.atomic():
        # skip_locked: a second delivery of the same message, arriving while the
        # first is claiming, goes away instead of waiting.
        job = IngestJob.objects.select_for_update(skip_locked=True).filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until > now:
            return job
        if job.attempts >= IngestJob.MAX_ATTEMPTS:
            job.status, job.finished_at = JobStatus.FAILED, now
            job.error = f"Gave up after {job.attempts} attempts: the worker stopped during each one."
            job.save(update_fields=["status", "finished_at", "error"])
            return job
        job.status, job.started_at, job.lease_until = JobStatus.RUNNING, now, now + lease()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "lease_until", "attempts"])

    raw = bytes(job.raw) if job.raw is not None else None
    try:
        result = ingest_article(**job.params, raw=raw, by=job.created_by)
    except IngestError as error:
        job.status, job.error, job.error_stage = JobStatus.FAILED, error.describe(), error.stage
        job.result = {"message": error.message, "stage": error.stage, "field": error.field}
    else:
        job.status, job.article, job.result = JobStatus.DONE, result.article, result.as_json()
    job.finished_at, job.lease_until = timezone.now(), None
    job.save(update_fields=["status", "error", "error_stage", "result", "article", "finished_at", "lease_until"])
    return job


def requeue_stale_ingest_jobs() -> list[int]:
    """Send again the jobs whose message was lost or whose worker died; returns their ids."""
    now = timezone.now()
    stale = IngestJob.objects.filter(
        Q(status=JobStatus.QUEUED, enqueued_at__lt=now - RESEND_AFTER)
        | Q(status=JobStatus.RUNNING, lease_until__lt=now)
    )
    ids = list(stale.values_list("pk", flat=True)[:500])
    if ids:
        IngestJob.objects.filter(pk__in=ids).update(enqueued_at=now)
        for job_id in ids:
            send_ingest_job(job_id)
        logger.warning("Re-sent %d ingest job(s) whose message was lost or whose worker died: %s", len(ids), ids)
    return ids
