"""Known events: which drafts report an event stored before, or one proposed earlier in the batch.

``match_known_events`` reads the stored events a batch's drafts could match (by type
and main company, or type and market; ``_known_events``) and matches each draft in
order: one that reports a known event (``_same_event``: same type and main company,
a shared market where both name one, compatible times) becomes evidence for it
(``Draft.known``) instead of a twin; the others are new events, and later drafts of
the batch match them too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Value

from intel.choices import MAIN_ROLES, ReviewStatus, main_company_of
from intel.models import Event, EventParticipant, Evidence
from intel.sql_arrays import many_ids

from .event_drafts import Draft
from .timex import resolve_range_overlap


def match_known_events(drafts: list[Draft]) -> list[Draft]:
    """Set ``known`` on each draft that reports a known event; return the others, the new events."""
    # Known events and the ones proposed earlier in this batch, by type and main company.
    index: dict[tuple[str, int | None], list[Known]] = {}
    for known in _known_events(drafts):
        index.setdefault((known.type, known.main), []).append(known)
    fresh: list[Draft] = []
    for d in drafts:
        same_kind = index.get((d.trigger.type, d.main_company), [])
        match = next((k for k in same_kind if _same_event(k, d)), None)
        if match is not None:
            d.known = match
            continue
        fresh.append(d)
        index.setdefault((d.trigger.type, d.main_company), []).append(
            Known(
                None, d.trigger.type, d.time_start, d.time_end, set(d.markets), d.main_company, first=d,
                published=_published(d),
            )
        )  # fmt: skip
    return fresh


@dataclass
class Known:
    """An event to match drafts against: stored already, or proposed earlier in this batch."""

    pk: int | None
    type: str
    time_start: date | None
    time_end: date | None
    markets: set[int]
    main: int | None
    first: Draft | None = None  # for an event proposed earlier in this batch: the draft that proposed it
    published: date | None = None  # when the latest article reporting it was published


def _published(d: Draft) -> date | None:
    return d.ctx.published.date if d.ctx is not None and d.ctx.published else None


def _same_event(known: Known, d: Draft) -> bool:
    """Whether a draft reports a known event: same type and main company, a shared market
    where both name one, and compatible times. Where either time is unresolved, the
    articles must have been published within ``RIVALSCOPE_EVENT_MATCH_MONTHS`` of each
    other: a denial of plans one year must not absorb a plan reported two years later."""
    if known.type != d.trigger.type or known.main != d.main_company:
        return False
    if d.main_company is None:
        # Without a company, an event is known by its market alone.
        if not (known.markets & set(d.markets)):
            return False
    elif known.markets and d.markets and not (known.markets & set(d.markets)):
        return False
    if (known.time_start or known.time_end) and (d.time_start or d.time_end):
        return resolve_range_overlap((known.time_start, known.time_end), (d.time_start, d.time_end))
    published = _published(d)
    if known.published is None or published is None:
        return True
    window = settings.RIVALSCOPE_EVENT_MATCH_MONTHS
    months = abs((published.year - known.published.year) * 12 + published.month - known.published.month)
    return months <= window


def _known_events(drafts: list[Draft]) -> list[Known]:
    """Candidate events for the drafts, as plain values (three queries, no model instances).

    A draft can only match an event of its type with the same main company (see
    ``_same_event``), so only those are read: the events of its type where its main
    company takes part as actor, target or partner; for a draft without a company,
    the events of its type in one of its markets that have no such participant.
    (Reading every event of any draft's type for any draft's company read several
    times as many, more as the database grew, and whether an event whose only
    participant is a regulator was a candidate depended on the batch's other drafts.)
    A draft with neither company nor market is matched only within its batch.
    """
    pairs: set[tuple[str, int, bool]] = set()  # (type, company or market, whether a market)
    for d in drafts:
        if d.main_company:
            pairs.add((d.trigger.type, d.main_company, False))
        else:
            pairs.update((d.trigger.type, market, True) for market in d.markets)
    # The database finds the rows by the types and companies (or markets) as plain
    # lists, which it can look up by index; the pairs, an OR it could not, are kept
    # here. One part for each kind of draft, joined by UNION, so that each part reads
    # only its own link table. An event listed twice is one key of ``known`` below.
    candidates = Event.objects.exclude(review_status=ReviewStatus.REJECTED).order_by()
    fields = ("pk", "type", "time_start", "time_end", "link", "by_market")
    parts = []
    if by_company := [(type_, pk) for type_, pk, market in pairs if not market]:
        in_main_role = candidates.filter(  # one filter() call: all about the same participant row
            type__in={type_ for type_, _ in by_company},
            participants__company_id__in=many_ids({pk for _, pk in by_company}, Event),
            participants__role__in=MAIN_ROLES,
        )
        parts.append(in_main_role.annotate(link=F("participants__company_id"), by_market=Value(False)))
    if by_market := [(type_, pk) for type_, pk, market in pairs if market]:
        has_main = EventParticipant.objects.filter(event=OuterRef("pk"), role__in=MAIN_ROLES)
        in_market = candidates.filter(
            type__in={type_ for type_, _ in by_market}, markets__id__in={pk for _, pk in by_market}
        ).filter(~Exists(has_main))
        parts.append(in_market.annotate(link=F("markets__id"), by_market=Value(True)))
    if not parts:
        return []
    rows = parts[0].values_list(*fields)
    if len(parts) > 1:
        rows = rows.union(parts[1].values_list(*fields))
    known: dict[int, Known] = {}
    # Newest first: matching takes the first that fits.
    for pk, type_, start, end, link, market in rows.order_by("-time_start", "-pk"):
        if (type_, link, market) in pairs and pk not in known:
            known[pk] = Known(pk, type_, start, end, set(), None)
    if not known:
        return []
    for event_id, market_id in Event.markets.through.objects.filter(event_id__in=many_ids(known, Event)).values_list(
        "event_id", "market_id"
    ):
        known[event_id].markets.add(market_id)
    roles: dict[int, list[tuple[int, str, int]]] = {}
    # No ordering: the participants' default order joins the events to sort by their
    # time; the rows are put back in the order they were stored (by key) here.
    for pk, event_id, company_id, role in (
        EventParticipant.objects.filter(event_id__in=many_ids(known, Event))
        .order_by()
        .values_list("pk", "event_id", "company_id", "role")
    ):
        roles.setdefault(event_id, []).append((pk, role, company_id))
    for event_id, rows_ in roles.items():
        known[event_id].main = main_company_of((role, company) for _, role, company in sorted(rows_))
    for event_id, latest in (
        Evidence.objects.filter(event_id__in=many_ids(known, Event))
        .order_by()
        .values("event_id")
        .annotate(latest=Max("article__published_on"))
        .values_list("event_id", "latest")
    ):
        known[event_id].published = latest
    return list(known.values())
