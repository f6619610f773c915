"""Queued ingestion: a job row per request, run by a worker, safe to run twice.

The row, not the broker message, is the truth. ``queue_ingest`` stores the job and
sends its id after the transaction commits; ``run_ingest_job`` claims it (a lease,
``intel/models/leases.py``, and an attempt count) and runs ``ingest_article``;
``requeue_stale_ingest_jobs`` (beat, every minute) sends again the jobs whose message
was lost (a broker restarted without persistence) or whose worker died mid-run (its
lease ran out).
Running a job twice is harmless: ingestion finds the article already stored.

Jobs are sent by task name (``INGEST_JOB_TASK``): ``intel.tasks`` imports this module
for the functions its tasks call, so this one does not import it back.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intel.ingest.errors import IngestError
from intel.ingest.pipeline import ingest_article
from intel.models import IngestJob, JobStatus
from intel.models.leases import NO_LEASE

logger = logging.getLogger(__name__)

# The statuses of a job that may still run; a running one is its worker's while its lease lasts.
LIVE = (JobStatus.QUEUED, JobStatus.RUNNING)

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
    """Claim and run one job; a job that is finished, or running elsewhere, is left alone.

    Returns the job as it now is (``None`` if there is none). A job started
    ``MAX_ATTEMPTS`` times without finishing is not claimed but given up: its worker
    stopped during each run.
    """
    now = timezone.now()
    live = IngestJob.objects.filter(pk=job_id, status__in=LIVE)
    # A second delivery of the same message, arriving while the first is claiming, finds
    # the row locked and goes away instead of waiting (the claim skips locked rows).
    claim = live.filter(attempts__lt=IngestJob.MAX_ATTEMPTS).claim(
        now=now,
        limit=1,
        order_by=("pk",),
        also={"status": JobStatus.RUNNING, "started_at": now, "attempts": F("attempts") + 1},
    )
    if not claim:
        live.filter(attempts__gte=IngestJob.MAX_ATTEMPTS).free(now).update(
            **NO_LEASE,
            status=JobStatus.FAILED,
            finished_at=now,
            error=f"Gave up after {IngestJob.MAX_ATTEMPTS} attempts: the worker stopped during each one.",
        )
        return IngestJob.objects.filter(pk=job_id).first()

    job = IngestJob.objects.get(pk=job_id)
    raw = bytes(job.raw) if job.raw is not None else None
    try:
        result = ingest_article(**job.params, raw=raw, by=job.created_by)
    except IngestError as error:
        job.status, job.error, job.error_stage = JobStatus.FAILED, error.describe(), error.stage
        job.result = {"message": error.message, "stage": error.stage, "field": error.field}
    else:
        job.status, job.article, job.result = JobStatus.DONE, result.article, result.as_json()
    job.finished_at = timezone.now()
    job.end_lease()
    job.save(
        update_fields=["status", "error", "error_stage", "result", "article", "finished_at", *IngestJob.LEASE_FIELDS]
    )
    return job


def requeue_stale_ingest_jobs() -> list[int]:
    """Send again the jobs whose message was lost or whose worker died; returns their ids."""
    now = timezone.now()
    lost = IngestJob.objects.filter(status=JobStatus.QUEUED, enqueued_at__lt=now - RESEND_AFTER)
    died = IngestJob.objects.filter(status=JobStatus.RUNNING).free(now)
    ids = list((lost | died).values_list("pk", flat=True)[:500])
    if ids:
        IngestJob.objects.filter(pk__in=ids).update(enqueued_at=now)
        for job_id in ids:
            send_ingest_job(job_id)
        logger.warning("Re-sent %d ingest job(s) whose message was lost or whose worker died: %s", len(ids), ids)
    return ids
