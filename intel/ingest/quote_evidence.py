"""Which of an article's quotes support which of its events: the events stage stores them as evidence.

A quote supports an event when its speaker works for the event's main company (a
role this article gives them, or a stored one not rejected) and either a time phrase
inside the quote overlaps the event's time, or the quote has no time phrase and
stands in the event's sentence or the two after it.
"""

from __future__ import annotations

from typing import NamedTuple

from intel.choices import ReviewStatus
from intel.models import Role

from .context import ArticleContext, StoredQuote
from .timex import resolve_range_overlap


class QuoteSupport(NamedTuple):
    """A quote of ``ctx``'s article that is evidence for the event ``event_id``."""

    ctx: ArticleContext
    quote: StoredQuote
    event_id: int


def quotes_supporting_events(batch: list[ArticleContext]) -> list[QuoteSupport]:
    """The quotes that support the events each article gave evidence for (``ctx.events``)."""
    found: list[QuoteSupport] = []
    employers = _employers(batch)
    for ctx in batch:
        if not ctx.events or not any(q.speaker_id for q in ctx.quotes):
            continue
        events = {o.event_id: o for o in ctx.events}.values()  # an event once, whatever its evidence here
        for quote in ctx.quotes:
            companies = employers.get(quote.speaker_id or 0, set())
            if not companies:
                continue
            times = [t for t in ctx.times if quote.start <= t.start < quote.end and t.date_start]
            quote_sentence = ctx.sentence_at(quote.start)
            for outcome in events:
                if outcome.main_company not in companies:
                    continue
                near = 0 <= quote_sentence - ctx.sentence_at(outcome.evidence_start) <= 2
                # A dated quote supports only a dated event whose time it overlaps.
                event_time = (outcome.time_start, outcome.time_end)
                overlap = outcome.time_start is not None and any(
                    resolve_range_overlap((t.date_start, t.date_end), event_time) for t in times
                )
                if overlap or (near and not times):
                    found.append(QuoteSupport(ctx, quote, outcome.event_id))
    return found


def _employers(batch: list[ArticleContext]) -> dict[int, set[int]]:
    """The companies each quoted speaker works for: roles found here and stored ones (one query)."""
    speakers = {q.speaker_id for ctx in batch for q in ctx.quotes if q.speaker_id}
    employers: dict[int, set[int]] = {}
    for ctx in batch:
        for role in ctx.roles:
            employers.setdefault(role.person_id, set()).add(role.company_id)
    if speakers:
        for person_id, company_id in (
            Role.objects.filter(person_id__in=speakers)
            .exclude(review_status=ReviewStatus.REJECTED)
            .order_by()
            .values_list("person_id", "company_id")
        ):
            employers.setdefault(person_id, set()).add(company_id)
    return employers
