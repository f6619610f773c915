"""``/health/`` tells monitors whether the database answers and a worker ran lately."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intel.health import record_heartbeat
from intel.models import Heartbeat
from intel.tasks import heartbeat_task

pytestmark = pytest.mark.django_db


def test_health_without_a_worker_says_so(client):
    data = client.get("/health/").json()
    assert data == {"database": "ok", "worker": "no recent heartbeat", "worker_last_seen": None}


def test_health_with_a_recent_heartbeat_is_ok(client):
    heartbeat_task.apply(kwargs={"name": "worker"})  # the task body, run in-process
    data = client.get("/health/").json()
    assert data["worker"] == "ok"


def test_a_stale_heartbeat_is_reported(client):
    record_heartbeat(name="worker")
    Heartbeat.objects.update(last_seen_at=timezone.now() - timedelta(minutes=10))
    assert client.get("/health/").json()["worker"] == "no recent heartbeat"


def test_health_accepts_only_get(client):
    assert client.post("/health/").status_code == 405
