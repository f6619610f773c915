"""A market's page: what the market is, where it sits, who is in it and on what evidence.

``market_page`` gathers it in a fixed number of queries whatever the market's size:
the market's own rows (aliases, the regions it is part of, its members and
segments), the shared ``market_overview`` (``intel/questions.py``, so that the page
and the API's ``/markets/{id}/overview/`` say the same), and one more query for the
evidence of the events the page shows. Only those: a large market has thousands of
events, and the page shows a few per company.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, prefetch_related_objects

from intel.choices import EventType
from intel.event_time import time_label
from intel.models import Event, Evidence, Market
from intel.questions import PRESENCE_GROUPS, market_overview

EVENTS_PER_COMPANY = 5  # the newest events behind a company's status; the rest are counted
RECENT_EVENTS = 20
POSITION_CLAIMS = 20

GROUP_TITLES = {
    "present": "Present",
    "entering": "Entering",
    "leaving": "Leaving",
    "rumoured": "Rumoured to enter or leave",
}


def newest_first(events: list[Event]) -> list[Event]:
    """Dated events newest first, then the undated ones, newest recorded first.

    The same on every database: ``ORDER BY time_start DESC`` puts NULLs last on
    SQLite but first on PostgreSQL, and an undated rumour is not the latest news.
    """
    return sorted(events, key=lambda e: (e.time_start is not None, e.time_start or date.min, e.pk), reverse=True)


@dataclass
class EventLine:
    """An event as the page lists it: its time in words, its independent sources and evidence."""

    event: Event
    time: str
    sources: int
    evidence: list[Evidence]


@dataclass
class Block:
    """Events under one company (a presence group), or under no one (recent events, claims)."""

    lines: list[EventLine]
    company_id: int | None = None
    company_name: str = ""
    more: int = 0  # events behind the company's status not listed


@dataclass
class Section:
    """One card of the page: a presence group, the position claims or the recent events."""

    key: str
    title: str
    blocks: list[Block]
    empty: str  # what the card says when it has nothing


@dataclass
class MarketPage:
    market: Market
    aliases: list[str]
    demonyms: list[str]
    part_of: list[Market]  # the regions the market is a member of
    members: list[Market]  # for a region: what it is made of
    segments: list[Market]  # narrower markets based on this one
    groups: list[Section]  # present, entering, leaving, rumoured, in that order
    claims: Section  # market position (rank and share) events
    recent: Section
    event_count: int  # events about the market, rejected ones left out

    @property
    def sections(self) -> list[Section]:
        """Every card of events, in the page's order."""
        return [*self.groups, self.claims, self.recent]


def market_page(market: Market) -> MarketPage:
    """Everything the market's page shows. ``market.base`` should be selected with it."""
    aliases: list[str] = []
    demonyms: list[str] = []
    for text, is_demonym in market.aliases.order_by("text").values_list("text", "is_demonym"):
        (demonyms if is_demonym else aliases).append(text)
    part_of = list(market.member_of.only("id", "name", "kind").order_by("name"))
    members = list(market.members.only("id", "name", "kind").order_by("name"))
    segments = list(market.segments.only("id", "name", "kind").order_by("name"))

    overview = market_overview(market)
    events = newest_first(overview.events)

    # Which events each group lists, per company, before their evidence is loaded.
    listed: dict[str, list[tuple[int, str, list[Event], int]]] = {}
    for name in PRESENCE_GROUPS:
        companies = sorted(overview.groups[name].items(), key=lambda item: item[1][0].casefold())
        listed[name] = []
        for company_id, (company_name, behind) in companies:
            newest = newest_first(behind)[:EVENTS_PER_COMPANY]
            listed[name].append((company_id, company_name, newest, len(behind) - len(newest)))
    claims = [e for e in events if e.type == EventType.MARKET_POSITION][:POSITION_CLAIMS]
    recent = events[:RECENT_EVENTS]
    shown = {e.pk: e for e in (*claims, *recent)}
    shown.update((e.pk, e) for rows in listed.values() for _, _, newest, _ in rows for e in newest)
    _load_evidence(list(shown.values()))

    groups = []
    for name in PRESENCE_GROUPS:
        blocks = [Block([_line(e) for e in newest], pk, company, more) for pk, company, newest, more in listed[name]]
        groups.append(Section(name, GROUP_TITLES[name], blocks, empty="No company."))
    return MarketPage(
        market=market,
        aliases=aliases,
        demonyms=demonyms,
        part_of=part_of,
        members=members,
        segments=segments,
        groups=groups,
        claims=Section(
            "claims",
            "Position and share claims",
            [Block([_line(e) for e in claims])] if claims else [],
            empty="No rank or share is claimed for this market.",
        ),
        recent=Section(
            "recent",
            "Recent events",
            [Block([_line(e) for e in recent])] if recent else [],
            empty="No events about this market yet.",
        ),
        event_count=len(events),
    )


def _load_evidence(events: list[Event]) -> None:
    """One query for the evidence of every listed event, with what the page and the
    independent-source count read of its article and publisher (not the article's body)."""
    evidence = (
        Evidence.objects.select_related("article__source")
        .only(
            "id", "event_id", "article_id", "text",
            "article__id", "article__title", "article__published_on", "article__source", "article__duplicate_of",
            "article__source__id", "article__source__name", "article__source__reliability",
        )
        .order_by("id")
    )  # fmt: skip
    prefetch_related_objects(events, Prefetch("evidence", queryset=evidence))


def _line(event: Event) -> EventLine:
    evidence = list(event.evidence.all())
    return EventLine(
        event=event,
        time=time_label(event.time_start, event.time_end, event.time_precision),
        sources=event.independent_sources(evidence),
        evidence=evidence,
    )
