"""rivalscope's own figures for Prometheus (``/metrics``), read from the database at scrape time.

Web and worker are separate processes (gunicorn workers, Celery's prefork pool, on
several machines): a counter kept in one process's memory would count that process's
share only, and start again at each restart. Every figure here is therefore a count
or an age of rows, computed by ``RivalscopeCollector`` when Prometheus scrapes, so any
web process gives the same answer. They are gauges, not counters: rows can be
deleted (the admin, retention), and a counter that goes down reads to Prometheus as
a restart. ``delta()`` and ``deriv()`` work on them; ``rate()`` does not.

Each figure is one query, on an indexed column (statuses, ``review_status``,
``next_check_at``, ``next_attempt_at``) or a small table (feeds, heartbeats); the
oldest-item ages read only the waiting rows. A count still reads its whole index, so
its cost grows with the table: with millions of feed entries, scrape less often or
set a retention horizon. Every known status is reported, zero when no row has it,
so a series never vanishes and an alert on it never goes silent for want of data.

``scrape_refusal`` checks the bearer token; ``render_metrics`` writes the exposition
text. The view in intel/views.py only joins them to HTTP.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import CollectorRegistry

from intel.choices import ArticleStatus, DeliveryStatus, EntryStatus, FeedStatus, ReviewStatus
from intel.health import is_alive
from intel.models import (
    Alert,
    AlertDelivery,
    Article,
    Feed,
    FeedEntry,
    Heartbeat,
    IngestJob,
    JobStatus,
)
from intel.review import REVIEWABLE_MODELS


def _counts_by(queryset: QuerySet, field: str, known: Iterable[str]) -> dict[str, int]:
    """Rows per value of ``field``, one ``GROUP BY`` query; every known value present, 0 if absent."""
    counts = dict.fromkeys(known, 0)
    for value, count in queryset.order_by().values_list(field).annotate(count=Count("pk")):
        counts[value] = count
    return counts


def _age_seconds(oldest: datetime | None, now: datetime) -> float:
    """Seconds since ``oldest``; 0 when nothing waits (an empty queue is not an old one)."""
    return max(0.0, (now - oldest).total_seconds()) if oldest else 0.0


def _by_label(name: str, documentation: str, label: str, counts: dict[str, int]) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation, labels=[label])
    for value, count in sorted(counts.items()):
        gauge.add_metric([value], count)
    return gauge


class RivalscopeCollector:
    """Counts and ages of rows, queried once per scrape (``prometheus_client`` calls ``collect``)."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from self.work()
        yield from self.proposals()
        yield from self.feeds()
        yield from self.alerts()
        yield from self.queues(now)
        yield from self.workers(now)

    def work(self) -> Iterator[Metric]:
        """Articles, ingest jobs and feed entries, each counted by status."""
        yield _by_label(
            "rivalscope_articles",
            "Articles stored, by processing status (failed: the pipeline gave up on it).",
            "status",
            _counts_by(Article.objects.all(), "status", ArticleStatus.values),
        )
        yield _by_label(
            "rivalscope_ingest_jobs",
            "Queued ingest requests (API, admin), by status.",
            "status",
            _counts_by(IngestJob.objects.all(), "status", JobStatus.values),
        )
        yield _by_label(
            "rivalscope_feed_entries",
            "Items seen in feeds, by what became of them (failed: could not be ingested).",
            "status",
            _counts_by(FeedEntry.objects.all(), "status", EntryStatus.values),
        )

    def proposals(self) -> Iterator[Metric]:
        gauge = GaugeMetricFamily(
            "rivalscope_proposals", "Records made automatically and awaiting review, by kind.", labels=["kind"]
        )
        for kind, model in REVIEWABLE_MODELS.items():
            gauge.add_metric([kind], model._default_manager.filter(review_status=ReviewStatus.PROPOSED).count())
        yield gauge

    def feeds(self) -> Iterator[Metric]:
        active = Feed.objects.filter(active=True)
        yield _by_label(
            "rivalscope_feeds",
            "Active feeds, by the outcome of their last check (never: not checked yet).",
            "last_status",
            _counts_by(active, "last_status", FeedStatus.values),
        )
        health = active.aggregate(
            checked=Count("pk", filter=Q(last_checked_at__isnull=False)),
            failing=Count("pk", filter=Q(error_count__gt=0)),
        )
        yield GaugeMetricFamily(
            "rivalscope_feeds_checked", "Active feeds checked at least once.", value=health["checked"]
        )
        yield GaugeMetricFamily(
            "rivalscope_feeds_failing", "Active feeds whose latest check failed.", value=health["failing"]
        )

    def alerts(self) -> Iterator[Metric]:
        yield GaugeMetricFamily("rivalscope_alerts", "Alerts raised by watchlists.", value=Alert.objects.count())
        yield _by_label(
            "rivalscope_alert_deliveries",
            "Alerts to send by e-mail or webhook, by status (failed: given up after every attempt).",
            "status",
            _counts_by(AlertDelivery.objects.all(), "status", DeliveryStatus.values),
        )

    def queues(self, now: datetime) -> Iterator[Metric]:
        """How long the oldest waiting piece of work of each kind has waited: 0 when none waits.

        A claimed row is not waiting: claiming a feed moves its due time to the end of its
        lease, and a delivery counts only while no one holds its lease
        (``intel/models/leases.py``), from when it was due or its lease ran out, whichever
        is later; either counts again only if its lease runs out.
        """
        oldest = {
            "ingest_job": IngestJob.objects.filter(status=JobStatus.QUEUED).aggregate(t=Min("created_at"))["t"],
            "feed_entry": FeedEntry.objects.filter(status=EntryStatus.PENDING).aggregate(t=Min("found_at"))["t"],
            "feed_check": Feed.objects.filter(active=True, next_check_at__lte=now).aggregate(t=Min("next_check_at"))[
                "t"
            ],
            "alert_delivery": AlertDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .free(now)
            .aggregate(t=Min(Greatest("next_attempt_at", Coalesce("lease_until", "next_attempt_at"))))["t"],
        }
        gauge = GaugeMetricFamily(
            "rivalscope_queue_oldest_age_seconds",
            "Seconds the oldest waiting item has waited: queued ingest job, pending feed entry, "
            "overdue feed check, due alert delivery.",
            labels=["queue"],
        )
        for queue, since in oldest.items():
            gauge.add_metric([queue], _age_seconds(since, now))
        yield gauge

    def workers(self, now: datetime) -> Iterator[Metric]:
        beats = list(Heartbeat.objects.order_by("name").values_list("name", "hostname", "last_seen_at"))
        ages = GaugeMetricFamily(
            "rivalscope_worker_heartbeat_age_seconds",
            "Seconds since each Celery worker last wrote its heartbeat.",
            labels=["worker", "hostname"],
        )
        for name, hostname, seen_at in beats:
            ages.add_metric([name, hostname], _age_seconds(seen_at, now))
        yield ages
        alive = sum(1 for _, _, seen_at in beats if is_alive(seen_at, now=now))
        yield _by_label(
            "rivalscope_workers",
            f"Celery workers by heartbeat: alive within RIVALSCOPE_HEARTBEAT_MAX_AGE "
            f"({settings.RIVALSCOPE_HEARTBEAT_MAX_AGE} s), or stale.",
            "state",
            {"alive": alive, "stale": len(beats) - alive},
        )


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


def scrape_refusal(authorization: str, *, token: str) -> Refusal | None:
    """Why a request with this ``Authorization`` header may not read the metrics; None if it may.

    401 without a bearer token, 403 with a wrong one. The comparison takes the same
    time whatever the token's first differing character (``hmac.compare_digest``).
    """
    scheme, _, presented = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        return Refusal(401, "Send the metrics token: Authorization: Bearer <RIVALSCOPE_METRICS_TOKEN>.\n")
    if not hmac.compare_digest(presented.strip().encode(), token.encode()):
        return Refusal(403, "Wrong metrics token.\n")
    return None


def render_metrics(*, accept: str = "") -> tuple[bytes, str]:
    """The exposition text and its content type, in the format the scraper asked for (``Accept``).

    A registry of our own, not prometheus_client's global one: that one holds the
    answering process's own figures (memory, CPU, Python's GC), which for one
    gunicorn worker among several mislead more than they tell.
    """
    registry = CollectorRegistry()
    registry.register(RivalscopeCollector())
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type
