"""What the REST API needs of its own: tokens for programs, and queued ingest jobs."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .leases import Leased

TOKEN_PREFIX = "rs_"  # noqa: S105 - a label in front of every key, not a secret


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A secret a program presents as ``Authorization: Token <key>``; it acts as ``user``.

    One token per program, so each can be revoked alone. Only a SHA-256 hash of
    the key is stored: the key is shown once, when the token is created, and a
    stolen database dump holds no usable credential. (The key is 32 random
    bytes, so a fast unsalted hash is safe: there is nothing to brute-force.)
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text='The program that uses it, e.g. "pricing dashboard".')
    key_hash = models.CharField(max_length=64, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="The key's first characters, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "API token"
        constraints = [
            models.UniqueConstraint(fields=["key_hash"], name="intel_apitoken_unique_key_hash"),
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=Q(revoked_at__isnull=True),
                name="intel_apitoken_unique_live_name_per_user",
                violation_error_message="This user already has a live token with that name.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, *, user: object, name: str) -> tuple[ApiToken, str]:
        """Create a token; returns it and the key, which is never available again."""
        key = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(key), prefix=key[:10])
        return token, key

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class IngestJob(Leased):
    """An ingest request queued for a worker (a URL to fetch, or an upload too big to wait for).

    The job row is the source of truth, not the broker message: a worker claims it
    (:class:`~intel.models.leases.Leased`) and marks it running; a job still queued, or
    running past its lease, is queued again by ``requeue_stale_ingest_jobs`` (a broker
    restarted without persistence loses its messages). ``attempts`` counts deliveries,
    so a job that kills its worker every time stops after ``MAX_ATTEMPTS`` instead of
    looping forever.
    """

    MAX_ATTEMPTS = 5

    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True)
    # What to ingest: the keyword arguments of ``ingest_article`` (JSON-safe ones) …
    params = models.JSONField(default=dict)
    # … and an uploaded file's bytes, when there is one.
    raw = models.BinaryField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="When a task for it was last sent.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    article = models.ForeignKey("intel.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.JSONField(null=True, blank=True, help_text="What the ingest made, as the API returns it.")
    error = models.TextField(blank=True)
    error_stage = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "lease_until"], name="intel_ingestjob_status_lease")]

    def __str__(self) -> str:
        return f"Ingest job #{self.pk} ({self.status})"
