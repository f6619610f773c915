"""The analysts' questions, as queries: a company's timeline, who is in a market.

Plain functions over the models, shared by the API's question endpoints
(``/companies/{id}/timeline/``, ``/markets/{id}/overview/``) and the admin's
analyst pages, so that both answer the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from intel.choices import EventStatus, EventType, ReviewStatus
from intel.models import Company, Event, EventParticipant, Evidence, Market, Source, Tag

TIMELINE_LIMIT = 500


def event_queryset() -> QuerySet[Event]:
    """Events with their participants' names, markets, regulators and tags prefetched:
    only the columns pages show (building full Company and Market rows was most of an
    event list's time, bench/api.py)."""
    return Event.objects.prefetch_related(
        Prefetch(
            "participants",
            queryset=EventParticipant.objects.select_related("company")
            .only("id", "event_id", "role", "company_id", "company__id", "company__name")
            .order_by("id"),
        ),
        Prefetch("markets", queryset=Market.objects.only("id", "name")),
        Prefetch("regulators", queryset=Source.objects.only("id", "name")),
        Prefetch("tags", queryset=Tag.objects.only("id")),
    )


def event_detail_queryset() -> QuerySet[Event]:
    """``event_queryset`` with every event's evidence, its article and the article's source."""
    return event_queryset().prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.select_related("article__source").order_by("id"))
    )


def company_timeline(company: Company, *, limit: int = TIMELINE_LIMIT) -> list[Event]:
    """The company's events in time order, undated last, with their evidence."""
    events = event_detail_queryset().filter(participants__company=company).distinct().order_by("time_start", "id")
    today = timezone.localdate()
    return sorted(events, key=lambda e: (e.time_start is None, e.time_start or today, e.pk))[:limit]


def presence(event: Event) -> str | None:
    """What the event says of its companies in its markets: "present", "entering",
    "leaving", "rumoured" (an entry or exit only reported) or nothing."""
    if event.type == EventType.MARKET_EXIT and event.status in (
        EventStatus.COMPLETED, EventStatus.IN_PROGRESS, EventStatus.ANNOUNCED, EventStatus.PLANNED
    ):  # fmt: skip
        return "leaving"  # gone, going, or said it will go
    if event.type in (EventType.MARKET_ENTRY, EventType.MARKET_EXIT) and event.status == EventStatus.RUMOURED:
        return "rumoured"
    if event.type == EventType.MARKET_ENTRY:
        if event.status == EventStatus.COMPLETED:
            return "present"
        if event.status in (EventStatus.PLANNED, EventStatus.ANNOUNCED, EventStatus.IN_PROGRESS):
            return "entering"
    if event.type in (EventType.MARKET_POSITION, EventType.PRODUCT_LAUNCH, EventType.PRICING) and event.status in (
        EventStatus.COMPLETED,
        EventStatus.ANNOUNCED,
        EventStatus.IN_PROGRESS,
    ):
        return "present"
    return None


PRESENCE_GROUPS = ("present", "entering", "leaving", "rumoured")


@dataclass
class MarketOverview:
    """Who is in a market, by what the events say, and the events behind each."""

    market: Market
    events: list[Event]  # newest first, rejected ones left out
    # company id → (name, the events that put it in the group), per group
    groups: dict[str, dict[int, tuple[str, list[Event]]]] = field(default_factory=dict)

    def names(self, group: str) -> list[dict[str, object]]:
        return [{"id": pk, "name": name} for pk, (name, _) in self.groups[group].items()]


def market_overview(market: Market) -> MarketOverview:
    """Who is present in the market, entering, leaving or rumoured to, and its events.

    A company both present and leaving is leaving; entering and present, present;
    a rumour counts only for a company the events place nowhere else.
    """
    events = list(
        event_queryset()
        .filter(markets=market)
        .exclude(review_status=ReviewStatus.REJECTED)
        .order_by("-time_start", "-id")
    )
    groups: dict[str, dict[int, tuple[str, list[Event]]]] = {name: {} for name in PRESENCE_GROUPS}
    for event in events:
        group = presence(event)
        if group is None:
            continue
        # A partner goes in with the actor; it does not leave with it ("Acme quits India
        # after losing share to Bolt" says nothing of Bolt leaving).
        roles = ("actor",) if group == "leaving" else ("actor", "partner")
        for participant in event.participants.all():
            if participant.role in roles:
                groups[group].setdefault(participant.company_id, (participant.company.name, []))[1].append(event)
    for company_id in groups["leaving"]:
        groups["present"].pop(company_id, None)
    for company_id in groups["present"]:
        groups["entering"].pop(company_id, None)
    placed = {pk for name in ("present", "entering", "leaving") for pk in groups[name]}
    for company_id in placed:
        groups["rumoured"].pop(company_id, None)
    return MarketOverview(market=market, events=events, groups=groups)
