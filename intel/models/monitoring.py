"""Monitoring: liveness of the background processes, and the feeds Celery polls."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models import Q
from django.utils import timezone

from intel.choices import EntryStatus, FeedKind, FeedStatus

from .leases import Leased


class Heartbeat(models.Model):
    """The last time a Celery worker showed it was alive: one row per worker.

    Every worker writes its own row, keyed by its Celery node name (``celery@host``,
    what ``--hostname`` sets), from a thread its consumer starts once connected to the
    broker (``WorkerHeartbeat`` in config/celery.py), and deletes it when it shuts down
    cleanly. A row older than ``RIVALSCOPE_HEARTBEAT_MAX_AGE`` is therefore a worker
    that died, lost the broker or cannot write to the database; ``/health/ready/``
    and the admin name it.
    """

    name = models.CharField(
        max_length=255, verbose_name="worker", help_text="The Celery worker's node name (celery@host)."
    )
    last_seen_at = models.DateTimeField()
    hostname = models.CharField(
        max_length=200, blank=True, verbose_name="machine", help_text="The machine or container it runs on."
    )

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="intel_heartbeat_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} at {self.last_seen_at:%Y-%m-%d %H:%M:%S}"


# How often a feed is checked, in seconds, until it shows how often it publishes.
DEFAULT_CHECK_INTERVAL = 15 * 60
DEFAULT_MIN_INTERVAL = 5 * 60
DEFAULT_MAX_INTERVAL = 24 * 60 * 60


def _optional_link(
    to: str, related_name: str, help_text: str, on_delete: Callable[..., None] = models.SET_NULL
) -> models.ForeignKey:
    """A foreign key a feed may go without (a query feed has no one publisher; an outlet's feed no watchlist)."""
    return models.ForeignKey(
        to, null=True, blank=True, on_delete=on_delete, related_name=related_name, help_text=help_text
    )


class Feed(Leased):
    """A news feed the monitor polls: RSS, Atom, JSON Feed, or a query made from a watchlist.

    Scheduling works like Miniflux and Healthchecks: ``next_check_at`` says when the
    feed is due; the dispatcher leases due feeds (:class:`~intel.models.leases.Leased`)
    and queues their polls. A check that is not finished by ``lease_until`` (the task
    was lost, the worker died) leaves the feed due again, because claiming also moves
    ``next_check_at`` to the end of the lease.
    """

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, verbose_name="URL")
    kind = models.CharField(max_length=16, choices=FeedKind.choices, default=FeedKind.FEED)
    watchlist = _optional_link(
        "intel.Watchlist",
        "query_feeds",
        "The watchlist a query feed was made from (Google News, GDELT).",
        models.CASCADE,
    )
    source = _optional_link(
        "intel.Source", "feeds", "The publisher of every item, if the feed is one outlet's. Otherwise each item's own."
    )
    fetch_full_text = models.BooleanField(
        default=False,
        help_text="Fetch each item's linked page and extract its text (for feeds that give only a summary).",
    )
    active = models.BooleanField(default=True, db_index=True)

    # Scheduling
    check_interval = models.PositiveIntegerField(
        default=DEFAULT_CHECK_INTERVAL, help_text="Seconds between checks; adapts to how often the feed publishes."
    )
    min_interval = models.PositiveIntegerField(default=DEFAULT_MIN_INTERVAL, help_text="Never check more often.")
    max_interval = models.PositiveIntegerField(
        default=DEFAULT_MAX_INTERVAL, help_text="Never check less often (while it works)."
    )
    next_check_at = models.DateTimeField(default=timezone.now, db_index=True)
    claim_deliveries = models.PositiveSmallIntegerField(
        default=0, editable=False, help_text="How many times the current claim's poll task started (stops loops)."
    )

    # Conditional GET
    etag = models.CharField(max_length=500, blank=True, editable=False, verbose_name="ETag")
    last_modified = models.CharField(max_length=100, blank=True, editable=False)

    # Health, shown in the admin
    last_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_status = models.CharField(max_length=16, choices=FeedStatus.choices, default=FeedStatus.NEVER, editable=False)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    error_count = models.PositiveIntegerField(default=0, editable=False, help_text="Failed checks in a row.")
    last_new_item_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], name="intel_feed_unique_url", violation_error_message="This feed is already watched."
            ),
            models.CheckConstraint(
                condition=Q(min_interval__gt=0) & Q(min_interval__lte=models.F("max_interval")),
                name="intel_feed_interval_bounds",
                violation_error_message="The shortest interval must be positive and not above the longest.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeedEntry(Leased):
    """One item seen in a feed, and what became of it: an ingest job until it is ingested.

    ``(feed, guid_hash)`` is unique, so an item seen again is never a second job. A
    pending entry is leased to the ingest task that claimed it, which must finish by
    ``lease_until``, or the dispatcher queues the job again. ``attempts`` counts the
    runs that started, so an item that kills its worker every time is given up.
    """

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    guid = models.CharField(max_length=2000, help_text="The item's id (GUID), or its link if it has none.")
    guid_hash = models.CharField(max_length=64, db_index=True, editable=False)
    url = models.URLField(max_length=2000, blank=True, verbose_name="URL")
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True, help_text="The item's HTML, cleaned (nh3).")
    body_text = models.TextField(blank=True, help_text="The item's fullest content as plain text, for ingestion.")
    source_name = models.CharField(max_length=200, blank=True, help_text="The publisher the item names.")
    published_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=EntryStatus.choices, default=EntryStatus.PENDING, db_index=True)
    article = models.ForeignKey(
        "intel.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_entries"
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    ingested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "feed entry"
        verbose_name_plural = "feed entries"
        ordering = ["-found_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid_hash"], name="intel_feedentry_unique_guid"),
        ]

    def __str__(self) -> str:
        return self.title or self.url or self.guid
