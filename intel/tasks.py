"""Celery tasks. Thin: each takes ids or nothing, calls a function, and is safe to run twice."""

from __future__ import annotations

import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError

from intel.health import record_heartbeat
from intel.jobs import requeue_stale_ingest_jobs, run_ingest_job


@shared_task(name="intel.tasks.heartbeat_task", ignore_result=True)
def heartbeat_task(name: str = "worker") -> None:
    """Record that a worker is alive and reached the database (queued every minute by beat)."""
    record_heartbeat(name=name, hostname=socket.gethostname())


@shared_task(
    name="intel.tasks.ingest_job_task",
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
