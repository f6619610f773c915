"""Liveness of the background processes, for the health check."""

from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """The last time a Celery worker ran the scheduled heartbeat task.

    Beat queues ``heartbeat_task`` every minute and a worker runs it, so a fresh
    row proves both are alive and connected to the broker and the database.
    """

    name = models.CharField(max_length=50)
    last_seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name"], name="intel_heartbeat_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
