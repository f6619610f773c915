"""The admin home page's figures: what waits for review, new alerts, events by week
and type, the watched companies' mentions and how they changed, failing feeds, and
what is new for the user's watchlist since a day (Monday by default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from intel.choices import EventType, ReviewStatus
from intel.models import (
    Alert,
    Company,
    Event,
    Evidence,
    Feed,
    Mention,
    Watchlist,
)
from intel.questions import event_queryset
from intel.workspace.inbox import queue_summary
from intel.workspace.inbox_kinds import KINDS, visible_kinds

WEEKS = 8


@dataclass(frozen=True)
class Waiting:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class WatchedTrend:
    company_id: int
    name: str
    this_week: int
    last_week: int

    @property
    def change(self) -> int:
        return self.this_week - self.last_week


@dataclass
class EventsByWeek:
    weeks: list[date]  # each week's Monday, oldest first
    series: list[tuple[str, list[int]]]  # (event type label, count per week), busiest type first

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        return [(label, counts, sum(counts)) for label, counts in self.series]


def last_monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def waiting_for_review(user: Any) -> list[Waiting]:
    """Proposed records by kind, the kinds the user may see (the inbox's count, one query)."""
    summary = queue_summary(visible_kinds(user))
    return [Waiting(key, KINDS[key].plural, count) for key, count in summary.by_kind.items()]


def new_alerts(user: Any, limit: int = 10) -> list[Alert]:
    """The user's unread alerts, newest first."""
    return list(
        Alert.objects.filter(watchlist__owner=user, read_at__isnull=True)
        .select_related("article", "watchlist")
        .order_by("-created_at")[:limit]
    )


def events_by_week(today: date, weeks: int = WEEKS) -> EventsByWeek:
    """Events the system learned of in each of the last weeks, by type (rejected ones left out)."""
    monday = last_monday(today)
    starts = [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(starts[0], time.min))
    counts: dict[str, list[int]] = {}
    rows = (
        Event.objects.filter(created_at__gte=since)
        .exclude(review_status=ReviewStatus.REJECTED)
        .annotate(day=TruncDate("created_at"))
        .values("day", "type")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        week = min((row["day"] - starts[0]).days // 7, weeks - 1)
        counts.setdefault(row["type"], [0] * weeks)[week] += row["n"]
    labels = dict(EventType.choices)
    series = sorted(
        ((labels.get(kind, kind).split(" (")[0], values) for kind, values in counts.items()),
        key=lambda item: -sum(item[1]),
    )
    return EventsByWeek(weeks=starts, series=series)


def watched_company_ids(user: Any) -> list[int]:
    """The companies flagged watched and those in the user's watchlists."""
    flagged = Company.objects.filter(watched=True).values_list("pk", flat=True)
    listed = Watchlist.companies.through.objects.filter(watchlist__owner=user).values_list("company_id", flat=True)
    return sorted(set(flagged) | set(listed))


def watched_trends(company_ids: list[int], today: date, limit: int = 10) -> list[WatchedTrend]:
    """Mentions of the watched companies in articles of the last seven days against the
    seven before, the most mentioned first."""
    this_start, last_start = today - timedelta(days=6), today - timedelta(days=13)
    rows = (
        Mention.objects.filter(company_id__in=company_ids, article__published_on__gte=last_start)
        .exclude(review_status=ReviewStatus.REJECTED)
        .values("company_id", "company__name")
        .annotate(
            this_week=Count("id", filter=Q(article__published_on__gte=this_start)),
            last_week=Count("id", filter=Q(article__published_on__lt=this_start)),
        )
        .order_by("-this_week", "company__name")[:limit]
    )
    return [WatchedTrend(r["company_id"], r["company__name"], r["this_week"], r["last_week"]) for r in rows]


def failing_feeds(limit: int = 10) -> list[Feed]:
    return list(Feed.objects.filter(active=True, error_count__gt=0).order_by("-error_count", "name")[:limit])


def new_for_watchlist(company_ids: list[int], since: date, limit: int = 30) -> list[Event]:
    """Events about the watched companies with evidence gathered since ``since``: new
    events and known ones that new articles confirm, the latest first."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    ids = (
        Evidence.objects.filter(created_at__gte=start, event__participants__company_id__in=company_ids)
        .exclude(event__review_status=ReviewStatus.REJECTED)
        .values_list("event_id", flat=True)
        .distinct()
    )
    events: QuerySet[Event] = event_queryset().filter(pk__in=list(ids)).order_by("-created_at", "-id")
    return list(events[:limit])
