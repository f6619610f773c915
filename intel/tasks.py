"""Celery tasks. Thin: each takes ids or nothing, calls a function, and is safe to run twice."""

from __future__ import annotations

import socket

from celery import shared_task

from intel.health import record_heartbeat


@shared_task(name="intel.tasks.heartbeat_task", ignore_result=True)
def heartbeat_task(name: str = "worker") -> None:
    """Record that a worker is alive and reached the database (queued every minute by beat)."""
    record_heartbeat(name=name, hostname=socket.gethostname())
