"""Health of the running system: the database answers, a worker ran the heartbeat lately."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from intel.models import Heartbeat

# Beat queues the heartbeat every minute; three missed beats mean trouble.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def record_heartbeat(*, name: str, hostname: str = "") -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name, defaults={"last_seen_at": timezone.now(), "hostname": hostname[:200]}
    )
    return beat


@dataclass(frozen=True)
class Health:
    database: bool
    worker_last_seen: datetime | None

    @property
    def worker_alive(self) -> bool:
        return self.worker_last_seen is not None and timezone.now() - self.worker_last_seen < HEARTBEAT_STALE_AFTER


def check_health() -> Health:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database = cursor.fetchone() == (1,)
    last = Heartbeat.objects.filter(name="worker").values_list("last_seen_at", flat=True).first()
    return Health(database=database, worker_last_seen=last)
