"""A company's profile: who it is, what it did where, on what sources, and what changed.

One function per section, each a bounded number of queries; ``company_profile``
gathers them for the profile page and the brief.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from intel.choices import ReviewStatus
from intel.models import Article, Company, Event, Mention, Product, Quote, Relationship, Role
from intel.questions import PRESENCE_GROUPS, company_timeline, presence


@dataclass
class TimelineEntry:
    """An event as the profile shows it, with its evidence's weight."""

    event: Event
    independent_sources: int
    credibility: float


@dataclass
class MarketStatus:
    market_id: int
    name: str
    group: str  # present / entering / leaving / rumoured
    event: Event  # the latest event that says so


@dataclass
class Change:
    when: datetime
    who: str
    what: str  # "created", "changed", "deleted"
    record: str
    fields: list[str] = field(default_factory=list)


@dataclass
class Profile:
    company: Company
    timeline: list[TimelineEntry]
    markets: list[MarketStatus]  # of the whole timeline, whatever the filter
    timeline_markets: list[tuple[int, str]]  # every market of the company's events, for the filter
    roles: list[Role]
    products: dict[str, list[Product]]  # by price tier label
    relationships: list[Relationship]
    quotes: list[Quote]
    articles: list[Article]
    activity: tuple[list[date], list[tuple[str, list[int]]]]  # months, (series name, counts)


def timeline_entries(events: list[Event]) -> list[TimelineEntry]:
    """Each event with its independent sources and credibility, from its prefetched evidence."""
    entries = []
    for event in events:
        evidence = list(event.evidence.all())
        entries.append(TimelineEntry(event, event.independent_sources(evidence), event.credibility(evidence)))
    return entries


def newest_first(events: list[Event]) -> list[Event]:
    """The latest time first, undated events last (the timeline's order is oldest first)."""
    dated = [e for e in events if e.time_start is not None]
    return list(reversed(dated)) + [e for e in events if e.time_start is None]


def market_statuses(events: list[Event], company_id: int) -> list[MarketStatus]:
    """Where the events place the company: the latest event that says something per market."""
    latest: dict[int, MarketStatus] = {}
    for event in events:  # oldest first: a later event overrides an earlier one
        if event.review_status == ReviewStatus.REJECTED:
            continue
        group = presence(event)
        roles = {p.role for p in event.participants.all() if p.company_id == company_id}
        if group is None or not roles & ({"actor"} if group == "leaving" else {"actor", "partner"}):
            continue  # a target is not placed by the event; an exit's partner does not leave
        for market in event.markets.all():
            latest[market.pk] = MarketStatus(market.pk, market.name, group, event)
    order = {name: i for i, name in enumerate(PRESENCE_GROUPS)}
    return sorted(latest.values(), key=lambda s: (order[s.group], s.name))


def monthly_activity(company: Company, months: int = 12) -> tuple[list[date], list[tuple[str, list[int]]]]:
    """Mentions (by the article's month) and events (by the month their first evidence
    was published) over the last ``months`` months of the company's news."""
    mentions = (
        Mention.objects.filter(company=company, article__published_on__isnull=False)
        .exclude(review_status=ReviewStatus.REJECTED)
        .annotate(month=TruncMonth("article__published_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    )
    events = (
        Event.objects.filter(participants__company=company, evidence__article__published_on__isnull=False)
        .exclude(review_status=ReviewStatus.REJECTED)
        .annotate(month=TruncMonth("evidence__article__published_on"))
        .values("month")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    by_month: dict[date, list[int]] = {}
    for index, rows in enumerate((mentions, events)):
        for row in rows:
            month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
            by_month.setdefault(month, [0, 0])[index] += row["n"]
    if not by_month:
        return [], []
    last = max(by_month)
    axis = []
    year, month = last.year, last.month
    for _ in range(months):
        axis.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    axis.reverse()
    return axis, [
        ("Mentions", [by_month.get(m, [0, 0])[0] for m in axis]),
        ("Events", [by_month.get(m, [0, 0])[1] for m in axis]),
    ]


def company_profile(company: Company, *, market_id: int | None = None) -> Profile:
    """Everything the profile shows; ``market_id`` narrows the timeline to one market."""
    events = company_timeline(company)
    timeline = [e for e in events if market_id is None or any(m.pk == market_id for m in e.markets.all())]
    markets = {m.pk: m.name for e in events for m in e.markets.all()}
    products: dict[str, list[Product]] = {}
    for product in company.products.exclude(review_status=ReviewStatus.REJECTED).order_by("price_tier", "name"):
        products.setdefault(product.get_price_tier_display() or "Tier not known", []).append(product)
    article_ids = (
        Mention.objects.filter(company=company)
        .exclude(review_status=ReviewStatus.REJECTED)
        .values_list("article_id", flat=True)
        .distinct()
    )
    return Profile(
        company=company,
        timeline=timeline_entries(newest_first(timeline)),
        markets=market_statuses(events, company.pk),
        timeline_markets=sorted(markets.items(), key=lambda item: item[1]),
        roles=list(
            Role.objects.filter(company=company)
            .exclude(review_status=ReviewStatus.REJECTED)
            .select_related("person")
            .order_by("end_date", "person__name")
        ),
        products=products,
        relationships=list(
            Relationship.objects.filter(Q(subject=company) | Q(object=company))
            .exclude(review_status=ReviewStatus.REJECTED)
            .select_related("subject", "object")
            .order_by("kind", "id")
        ),
        quotes=list(
            Quote.objects.filter(speaker__roles__company=company)
            .exclude(review_status=ReviewStatus.REJECTED)
            .select_related("speaker", "article__source")
            .distinct()
            .order_by("-article__published_on", "-id")[:5]
        ),
        articles=list(
            Article.objects.filter(pk__in=list(article_ids[:500]))
            .select_related("source")
            .order_by("-published_on", "-id")[:10]
        ),
        activity=monthly_activity(company),
    )


def changes_since(company: Company, since: date, limit: int = 50) -> list[Change]:
    """What changed since ``since`` about the company, from the history tables: the
    company itself, its aliases, roles and products, and the events it takes part in."""
    start = timezone.make_aware(datetime.combine(since, time.min))
    labels = {"+": "created", "~": "changed", "-": "deleted"}
    changes: list[Change] = []
    own = list(company.history.filter(history_date__gte=start).select_related("history_user").order_by("-history_date"))
    for record in own[:limit]:
        previous = record.prev_record
        fields = [c.field for c in record.diff_against(previous).changes] if previous is not None else []
        changes.append(Change(record.history_date, _who(record), labels[record.history_type], "the company", fields))
    # Each kind's own words for a row, read from the history row itself (its __str__
    # would load related rows, one query each).
    related: list[tuple[Any, str, str]] = [
        (Role.history.filter(company_id=company.pk), "role", "title"),
        (Product.history.filter(maker_id=company.pk), "product", "name"),
        (company.aliases.model.history.filter(company_id=company.pk), "alias", "text"),
        (Event.history.filter(id__in=company.participations.values("event_id")), "event", "summary"),
    ]
    for queryset, kind, label in related:
        for record in (
            queryset.filter(history_date__gte=start).select_related("history_user").order_by("-history_date")[:limit]
        ):
            what = f"{kind}: {getattr(record, label)}"
            changes.append(Change(record.history_date, _who(record), labels[record.history_type], what))
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes[:limit]


def _who(record: Any) -> str:
    user = record.history_user
    return user.get_username() if user is not None else "ingestion"
