"""The market-entry matrix: companies × markets, each cell the latest word on where
the company stands in that market, from the latest relevant event.

Relevant events are market entries and exits, whatever their status (a cancelled
entry is news), and the events that place a company in a market by
``intel.questions.presence`` (a market position, launch or pricing that is
announced, under way or done). Rejected events never count; proposed ones do, and
the cell says so. A company counts as an event's actor or partner, as in the
market overview.

``entry_matrix`` costs the same few queries whatever the number of companies,
markets and events; ``read_filters`` turns a page's query string into its
arguments, collecting what it could not read as messages instead of failing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from intel.api.renderers import defuse
from intel.choices import EventStatus, EventType, MarketKind, ParticipantRole, ReviewStatus
from intel.event_time import time_label
from intel.models import Company, Event, EventParticipant, Market, Watchlist
from intel.questions import presence

ENTRY_TYPES = (EventType.MARKET_ENTRY, EventType.MARKET_EXIT)
# The events ``presence`` reads as "present", besides entries: kept in step with it.
PRESENCE_TYPES = (EventType.MARKET_POSITION, EventType.PRODUCT_LAUNCH, EventType.PRICING)
PRESENCE_STATUSES = (EventStatus.COMPLETED, EventStatus.ANNOUNCED, EventStatus.IN_PROGRESS)
ROLES = (ParticipantRole.ACTOR, ParticipantRole.PARTNER)
EVENT_FIELDS = (
    "id", "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase", "review_status",
)  # fmt: skip


@dataclass(frozen=True)
class Segment:
    """Which markets the matrix shows: those of one kind, and/or those within one market
    (the market itself, its segments, and for a region every region and country inside
    it, with their segments)."""

    kind: str = ""
    within: Market | None = None


@dataclass(frozen=True)
class Cell:
    """The latest relevant event of one company in one market, as the matrix shows it."""

    group: str  # present / entering / leaving / rumoured, or "other" (a cancelled entry, a planned exit …)
    label: str  # "present", "entry rumoured", "exit planned" …
    time: str  # as ``time_label`` says it
    event_id: int
    summary: str
    event_type: str
    event_status: str
    review_status: str

    @property
    def text(self) -> str:
        """The cell as one line of text (the CSV's)."""
        return self.label if self.time == "undated" else f"{self.label} ({self.time})"


@dataclass(frozen=True)
class Row:
    company_id: int
    name: str
    cells: list[Cell | None]  # one a market, in the matrix's market order


@dataclass
class Matrix:
    companies: list[tuple[int, str]]  # (id, name), rows in order
    markets: list[tuple[int, str]]  # (id, name), columns in order
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)  # by (company id, market id)

    def rows(self) -> list[Row]:
        return [
            Row(pk, name, [self.cells.get((pk, market_id)) for market_id, _ in self.markets])
            for pk, name in self.companies
        ]


def cell_of(event: Event) -> Cell:
    """What the event says of its companies in its markets, in the matrix's words."""
    group = presence(event)
    noun = "entry" if event.type == EventType.MARKET_ENTRY else "exit"
    if group == "rumoured":
        label = f"{noun} rumoured"  # an entry or an exit: the overview's group does not say which
    elif group is not None:
        label = group
    else:
        label = f"{noun} {event.get_status_display().lower()}"  # an entry denied, an exit planned …
    return Cell(
        group=group or "other",
        label=label,
        time=time_label(event.time_start, event.time_end, event.time_precision),
        event_id=event.pk,
        summary=event.summary,
        event_type=event.get_type_display(),
        event_status=event.get_status_display(),
        review_status=event.review_status,
    )


def _recency(event: Event) -> tuple[bool, date, date, int]:
    """Later is larger: by start, then end; undated events are older than any dated one,
    and among equals the one recorded last wins (a completion recorded after its announcement)."""
    start = event.time_start or event.time_end
    end = event.time_end or event.time_start
    return (start is not None, start or date.min, end or date.min, event.pk)


def entry_matrix(
    companies: Iterable[Company],
    markets: Sequence[Market] | None = None,
    segment: Segment | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Matrix:
    """The companies × markets table: each cell the latest relevant event between ``start``
    and ``end`` (on the event's time range; undated events only without a period).

    The markets are ``markets`` if given, else every market the companies' relevant
    events name; ``segment`` narrows either. Companies without any such event keep an
    empty row: that nothing is known is worth seeing.

    At most four queries (five with ``segment.within``) whatever the size: the events,
    their companies, their markets, and the markets' names.
    """
    company_list = sorted({c.pk: c for c in companies}.values(), key=lambda c: (c.name.casefold(), c.pk))
    matrix = Matrix(companies=[(c.pk, c.name) for c in company_list], markets=[])
    if not company_list:
        return matrix
    company_ids = [c.pk for c in company_list]

    market_q = _market_filter(markets, segment or Segment())
    events = (
        Event.objects.filter(
            Q(type__in=ENTRY_TYPES) | Q(type__in=PRESENCE_TYPES, status__in=PRESENCE_STATUSES),
            participants__company_id__in=company_ids,
            participants__role__in=ROLES,
        )
        .exclude(review_status=ReviewStatus.REJECTED)
        .filter(_period_filter(start, end))
    )
    if market_q is not None:
        events = events.filter(markets__in=Market.objects.filter(market_q))
    events = events.distinct().order_by().only(*EVENT_FIELDS)
    by_id = {event.pk: event for event in events}
    if not by_id:
        matrix.markets = _columns(markets, segment, market_q, found=set())
        return matrix

    # The events' ids go back as a subquery, not as a list of parameters: SQLite caps
    # their number, and a watchlist's history can pass it.
    event_ids = events.values("pk")
    participants = EventParticipant.objects.filter(
        event_id__in=event_ids, company_id__in=company_ids, role__in=ROLES
    ).values_list("event_id", "company_id", "role")
    companies_of: dict[int, set[int]] = {}
    for event_id, company_id, role in participants:
        if role == ParticipantRole.PARTNER and by_id[event_id].type == EventType.MARKET_EXIT:
            continue  # an exit's partner does not leave with it (as intel.questions.market_overview)
        companies_of.setdefault(event_id, set()).add(company_id)
    links = Event.markets.through.objects.filter(event_id__in=event_ids)
    if market_q is not None:
        links = links.filter(market__in=Market.objects.filter(market_q))

    latest: dict[tuple[int, int], Event] = {}
    for event_id, market_id in links.values_list("event_id", "market_id"):
        event = by_id[event_id]
        for company_id in companies_of.get(event_id, ()):
            key = (company_id, market_id)
            if key not in latest or _recency(event) > _recency(latest[key]):
                latest[key] = event

    matrix.markets = _columns(markets, segment, market_q, found={market_id for _, market_id in latest})
    matrix.cells = {key: cell_of(event) for key, event in latest.items()}
    return matrix


def _columns(
    markets: Sequence[Market] | None, segment: Segment | None, market_q: Q | None, *, found: set[int]
) -> list[tuple[int, str]]:
    """The matrix's markets by name: those given (the ones the segment keeps, even without
    a cell), else those the cells found. One query, none for markets given unnarrowed."""
    if markets is not None and (segment is None or segment == Segment()):
        rows = [(m.pk, m.name) for m in markets]
    elif markets is not None:
        rows = list(Market.objects.filter(market_q).values_list("pk", "name"))
    else:
        rows = list(Market.objects.filter(pk__in=found).values_list("pk", "name")) if found else []
    return sorted(rows, key=lambda row: (row[1].casefold(), row[0]))


def _period_filter(start: date | None, end: date | None) -> Q:
    """Events whose time range meets [start, end]: a range with one end known is that day."""
    q = Q()
    if start is not None:
        q &= Q(time_end__gte=start) | Q(time_end__isnull=True, time_start__gte=start)
    if end is not None:
        q &= Q(time_start__lte=end) | Q(time_start__isnull=True, time_end__lte=end)
    return q


def _market_filter(markets: Sequence[Market] | None, segment: Segment) -> Q | None:
    """The markets' condition, or None when any market goes."""
    q = Q()
    if markets is not None:
        q &= Q(pk__in=[m.pk for m in markets])
    if segment.kind:
        q &= Q(kind=segment.kind)
    if segment.within is not None:
        inside = within(segment.within)
        q &= Q(pk__in=inside) | Q(base_id__in=inside)
    return q if q else None


def within(market: Market) -> set[int]:
    """The market and every region and country inside it (not yet its segments).

    One query for the whole membership table (a few hundred rows: countries and
    regions change rarely) walked here, rather than one query per level of nesting.
    """
    members: dict[int, list[int]] = {}
    for region_id, member_id in Market.members.through.objects.values_list("from_market_id", "to_market_id"):
        members.setdefault(region_id, []).append(member_id)
    found = {market.pk}
    frontier = [market.pk]
    while frontier:
        frontier = [m for pk in frontier for m in members.get(pk, ()) if m not in found]
        found.update(frontier)
    return found


def matrix_csv(matrix: Matrix) -> str:
    """The table as CSV: a company a row, a market a column, each cell its text.

    Names and labels come from the news: a cell starting like a formula is defused as
    the API's CSV does (``intel.api.renderers.defuse``).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([defuse(value) for value in ["Company", *(name for _, name in matrix.markets)]])
    for row in matrix.rows():
        writer.writerow([defuse(row.name), *(defuse(cell.text) if cell else "" for cell in row.cells)])
    return buffer.getvalue()


# --- The page's query string ---------------------------------------------------------

# Ids as the database holds them: at most 18 digits stay below 2**63 (a larger number
# overflows SQLite's integers and PostgreSQL's bigint instead of matching nothing).
_ID = re.compile(r"[0-9]{1,18}")
_YEAR = re.compile(r"[0-9]{4}")
WATCHED = "watched"  # the watchlist choice meaning "every watched company"
# A query string as ``dict(request.GET.lists())`` gives it: every value of each name.
Params = Mapping[str, Sequence[str]]


@dataclass
class Filters:
    """What the matrix page was asked for, read from its query string."""

    companies: list[Company]
    watchlists: list[Watchlist]  # the user's, to choose from
    watchlist: Watchlist | None  # the one whose companies are the rows, if any
    chosen_companies: bool  # the rows were chosen one by one (``?company=``)
    markets: list[Market] | None
    segment: Segment
    start: date | None
    end: date | None
    problems: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        """Where the rows come from, in words."""
        if self.chosen_companies:
            return "the companies chosen"
        if self.watchlist is not None:
            return f"the watchlist “{self.watchlist.name}”"
        return "the watched companies"


def read_filters(params: Params, *, user: AbstractBaseUser | AnonymousUser) -> Filters:
    """The page's filters from its query string (``dict(request.GET.lists())``).

    Rows: ``?company=1&company=2``, else ``?watchlist=<id>`` (one of the user's own,
    or ``watched``), else the user's first watchlist, else the watched companies.
    Columns: ``?market=``; ``?kind=`` and ``?within=<market id>`` narrow them;
    ``?from=`` and ``?to=`` (a date, or a year) bound the events' time. Whatever
    cannot be read is left out and said in ``problems``; the rest still applies.
    """
    problems: list[str] = []
    watchlists = list(Watchlist.objects.filter(owner_id=user.pk).order_by("name", "id")) if user.pk else []

    company_ids = _ids(params, "company", "company", problems)
    companies: list[Company] = []
    if company_ids:
        companies = list(Company.objects.filter(pk__in=company_ids).only("id", "name"))
        _unknown(company_ids, companies, "company", problems)
    chosen = bool(companies)
    watchlist = None
    if not chosen:
        watchlist = _watchlist(params, watchlists, problems)
        if watchlist is not None:
            companies = list(watchlist.companies.only("id", "name"))
        else:
            companies = list(Company.objects.filter(watched=True).only("id", "name"))

    market_ids = _ids(params, "market", "market", problems)
    markets = None
    if market_ids:
        markets = list(Market.objects.filter(pk__in=market_ids).only("id", "name"))
        _unknown(market_ids, markets, "market", problems)
        markets = markets or None

    kind = _last(params, "kind")
    if kind and kind not in MarketKind.values:
        problems.append(f"“{kind}” is not a kind of market; the kinds are {', '.join(MarketKind.values)}.")
        kind = ""
    within_market = None
    within_ids = _ids(params, "within", "market", problems, many=False)
    if within_ids:
        within_market = Market.objects.filter(pk=within_ids[0]).only("id", "name", "kind").first()
        if within_market is None:
            problems.append(f"There is no market #{within_ids[0]}.")

    start = _date(_last(params, "from"), "from", problems, first_day=True)
    end = _date(_last(params, "to"), "to", problems, first_day=False)
    if start and end and end < start:
        problems.append(f"The period ends ({end}) before it starts ({start}); it is left out.")
        start = end = None

    return Filters(
        companies=companies,
        watchlists=watchlists,
        watchlist=watchlist,
        chosen_companies=chosen,
        markets=markets,
        segment=Segment(kind=kind, within=within_market),
        start=start,
        end=end,
        problems=problems,
    )


def within_choices(selected: Market | None) -> list[Market]:
    """The markets a matrix can be narrowed to: regions and markets with segments (and
    the one chosen, whatever it is)."""
    choices = list(
        Market.objects.filter(Q(kind=MarketKind.REGION) | Q(segments__isnull=False))
        .distinct()
        .only("id", "name", "kind")
        .order_by("name")
    )
    if selected is not None and selected.pk not in {m.pk for m in choices}:
        choices = sorted([*choices, selected], key=lambda m: m.name.casefold())
    return choices


def _last(params: Params, name: str) -> str:
    values = params.get(name) or [""]
    return values[-1].strip()


def _ids(params: Params, name: str, what: str, problems: list[str], *, many: bool = True) -> list[int]:
    """The ids given as ``name`` (repeated, or comma-separated), each once, in order."""
    raw = [part.strip() for value in params.get(name, []) for part in value.split(",")]
    raw = [value for value in raw if value]
    if not many:
        raw = raw[-1:]
    ids: list[int] = []
    for value in raw:
        if _ID.fullmatch(value):
            if int(value) not in ids:
                ids.append(int(value))
        else:
            problems.append(f"“{value[:40]}” is not a {what} id.")
    return ids


def _unknown(ids: list[int], found: Sequence[Company | Market], what: str, problems: list[str]) -> None:
    missing = sorted(set(ids) - {row.pk for row in found})
    if missing:
        listed = ", ".join(f"#{pk}" for pk in missing)
        problems.append(f"There is no {what} {listed}." if len(missing) == 1 else f"There are no {what}s {listed}.")


def _watchlist(params: Params, watchlists: list[Watchlist], problems: list[str]) -> Watchlist | None:
    """The chosen watchlist (only the user's own), else the first; None for the watched companies."""
    chosen = _last(params, "watchlist")
    if chosen == WATCHED:
        return None
    if chosen:
        mine = {str(w.pk): w for w in watchlists}
        if chosen in mine:
            return mine[chosen]
        problems.append(f"“{chosen[:40]}” is not one of your watchlists.")
    return watchlists[0] if watchlists else None


def _date(value: str, name: str, problems: list[str], *, first_day: bool) -> date | None:
    """A date (``2019-07-04``) or a year (``2019``: its first day to start from, its last to end at)."""
    if not value:
        return None
    try:
        if _YEAR.fullmatch(value):
            year = int(value)
            return date(year, 1, 1) if first_day else date(year, 12, 31)
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"“{value[:40]}” is not a date for “{name}”: write it as 2019-07-04, or a year.")
        return None
