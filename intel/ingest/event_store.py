"""Storing the events stage's drafts: events, their participants and links, and every evidence row.

``store_events`` writes, in bulk (``COPY`` on PostgreSQL, ``bulk.py``), the new events
with their participants, markets and regulators, then one ``Evidence`` row per
article and event: the sentence that reported it, and each quote that supports it
(``quote_evidence.py``). The Evidence table is written here only. Adds to each
article's ``ctx.events`` an ``EventOutcome`` per event it proposed or gave evidence for.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from intel.choices import Method, ParticipantRole, ReviewStatus
from intel.models import Event, EventParticipant, Evidence
from intel.models.base import record_bulk_history

from .bulk import copy_rows
from .context import ArticleContext, EventOutcome
from .event_drafts import Draft
from .quote_evidence import quotes_supporting_events

EVENT_FIELDS = (
    "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase", "confidence",
    "review_status", "method", "method_detail", "created_at", "updated_at",
)  # fmt: skip
EVIDENCE_FIELDS = ("event", "article", "start", "end", "text", "quote", "created_at")


def store_events(batch: list[ArticleContext], drafts: list[Draft], fresh: list[Draft]) -> None:
    """Store the new events (``fresh``) and the evidence of every draft, matched
    (``Draft.known``) or new, and of the quotes that support them."""
    now = timezone.now()
    # Plain rows, no Event instance per draft (building one costs more than storing
    # it): IngestResult.events makes them when a caller asks.
    rows = [
        (d.trigger.type, d.status, d.summary, d.time_start, d.time_end, d.precision, d.phrase[:200], d.confidence,
         ReviewStatus.PROPOSED.value, Method.RULE.value, d.rule_label[:200], now, now)
        for d in fresh
    ]  # fmt: skip
    ids = copy_rows(Event, EVENT_FIELDS, rows)
    for d, pk, row in zip(fresh, ids, rows, strict=True):
        d.event_id = pk
        d.stored = dict(zip(EVENT_FIELDS, row, strict=True))
    for d in drafts:
        if d.known is not None:
            # The same as an event stored before, or as one proposed earlier in this batch.
            first = d.known.first
            d.event_id, d.stored = (d.known.pk, None) if first is None else (first.event_id, first.stored)
    record_bulk_history(Event, ids, history_type="+", reason="bulk create")
    _store_links(fresh)
    _store_evidence(batch, drafts, fresh, now)


def _store_links(fresh: list[Draft]) -> None:
    """The new events' participants, markets and regulators."""
    # The linking rows are plain tuples: building a model instance per row costs
    # more than writing it. Participants keep their history like any bulk change.
    participants: list[tuple[int, int, str]] = []
    market_links: list[tuple[int, int]] = []
    regulator_links: list[tuple[int, int]] = []
    for d in fresh:
        event_id = d.event_id
        assert event_id is not None
        if d.actor:
            participants.append((event_id, d.actor, ParticipantRole.ACTOR.value))
        participants += [(event_id, pk, ParticipantRole.PARTNER.value) for pk in d.partners]
        participants += [(event_id, pk, ParticipantRole.TARGET.value) for pk in d.targets]
        market_links += [(event_id, pk) for pk in d.markets]
        regulator_links += [(event_id, pk) for pk in d.regulators]
    ids = copy_rows(EventParticipant, ("event", "company", "role"), participants)
    record_bulk_history(EventParticipant, ids, history_type="+", reason="bulk create")
    copy_rows(Event.markets.through, ("event", "market"), market_links, returning_ids=False)
    copy_rows(Event.regulators.through, ("event", "source"), regulator_links, returning_ids=False)


def _store_evidence(batch: list[ArticleContext], drafts: list[Draft], fresh: list[Draft], now: datetime) -> None:
    """One evidence row per event and passage: each draft's sentence (an ``EventOutcome``
    for its article), then the quotes that support the article's events."""
    # Each article here is new, so none of its evidence rows can exist already; one
    # passage is evidence for an event once, a sentence before a quote of the same span.
    evidence: dict[tuple[int, int, int, int], tuple[object, ...]] = {}
    new_ids = {id(d) for d in fresh}
    for d in drafts:
        assert d.event_id is not None and d.ctx.article is not None
        key = (d.event_id, d.ctx.article.pk, d.sentence.start, d.sentence.end)
        if key not in evidence:
            evidence[key] = (*key, d.ctx.body[d.sentence.start : d.sentence.end], None, now)
            time = (d.known.time_start, d.known.time_end) if d.known is not None else (d.time_start, d.time_end)
            d.ctx.events.append(
                EventOutcome(
                    d.event_id, id(d) in new_ids, d.sentence.start, d.sentence.end, d.main_company, *time,
                    stored=d.stored,
                )
            )  # fmt: skip
    # Stamped after the sentences' rows: an event's evidence is listed by time
    # (``Evidence.Meta.ordering``), the sentence that reports it before the quotes that support it.
    quoted_at = timezone.now()
    for ctx, quote, event_id in quotes_supporting_events(batch):
        assert ctx.article is not None
        key = (event_id, ctx.article.pk, quote.start, quote.end)
        evidence.setdefault(key, (*key, quote.text, quote.pk, quoted_at))
    copy_rows(Evidence, EVIDENCE_FIELDS, list(evidence.values()), returning_ids=False)
