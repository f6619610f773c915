"""What an ingest made or found, for people (admin messages) and programs (``--json``, the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from intel.models import Article, ArticleTag, Company, Event, Market, Person, Product, Quote, Source

from .context import ArticleContext, EventOutcome, Proposal, StoredMention, StoredQuote, StoredTag, is_english


@dataclass
class IngestResult:
    """What one article's ingest made or found.

    The model instances of the events, quotes and tags are built from the stage's plain records
    the first time a caller reads them: a feed or a bulk import that only
    counts articles never pays for them.
    """

    article: Article
    new: bool
    near_duplicate_of: Article | None = None
    mentions: list[StoredMention] = field(default_factory=list)
    proposed: list[Proposal] = field(default_factory=list)
    cited_sources: list[Source] = field(default_factory=list)
    stored_quotes: list[StoredQuote] = field(default_factory=list, repr=False)
    stored_tags: list[StoredTag] = field(default_factory=list, repr=False)
    event_outcomes: list[EventOutcome] = field(default_factory=list, repr=False)

    @cached_property
    def quotes(self) -> list[Quote]:
        return [quote.instance(self.article) for quote in self.stored_quotes]

    @cached_property
    def tags(self) -> list[ArticleTag]:
        return [tag.instance(self.article) for tag in self.stored_tags]

    @cached_property
    def events(self) -> list[tuple[Event, bool]]:
        """(event, new) for each event the article proposed or gave evidence for."""
        stored_before = Event.objects.in_bulk({o.event_id for o in self.event_outcomes if o.stored is None})
        events: dict[int, tuple[Event, bool]] = {}
        for outcome in self.event_outcomes:
            previous = events.get(outcome.event_id)
            if previous is None:
                events[outcome.event_id] = (outcome.instance() or stored_before[outcome.event_id], outcome.new)
            else:
                events[outcome.event_id] = (previous[0], outcome.new or previous[1])
        return list(events.values())

    @classmethod
    def from_context(cls, ctx: ArticleContext) -> IngestResult:
        assert ctx.article is not None
        return cls(
            article=ctx.article,
            new=ctx.created,
            near_duplicate_of=ctx.near_duplicate_of,
            mentions=list(ctx.mentions),
            proposed=list(ctx.proposed) + [Proposal("role", role) for role in ctx.roles],
            event_outcomes=list(ctx.events),
            stored_quotes=list(ctx.quotes),
            stored_tags=list(ctx.tags),
            cited_sources=list({c.source.pk: c.source for c in ctx.cited}.values()),
        )

    def summary(self) -> str:
        if not self.new:
            return f"Already stored as article #{self.article.pk} “{self.article}”: nothing new was made."
        near = f" It is a near-duplicate of article #{self.near_duplicate_of.pk}." if self.near_duplicate_of else ""
        if not self.english:
            # Stage 2 stored it; stages 3-9 extract from English only (``ArticleContext.done``):
            # say so, rather than "0 mentions", which reads like a failure to find any.
            return (
                f"Stored article #{self.article.pk} “{self.article}” in language {self.article.language!r}: "
                f"only English articles are extracted from, so nothing was proposed.{near}"
            )
        parts = [
            f"{len(self.mentions)} mention(s)",
            f"{len(self.proposed)} proposed record(s)",
            f"{sum(1 for _, new in self.events if new)} new event(s)",
            f"{sum(1 for _, new in self.events if not new)} event(s) with new evidence",
            f"{len(self.quotes)} quote(s)",
            f"{len(self.tags)} tag(s)",
        ]
        return f"Stored article #{self.article.pk} “{self.article}”: {', '.join(parts)}.{near}"

    @property
    def english(self) -> bool:
        """Whether records were extracted from the article: only English ones are (``ArticleContext.english``)."""
        return is_english(self.article.language)

    def as_json(self) -> dict[str, Any]:
        """A plain dict: ids and names of everything, for scripts."""
        names = _names(self)
        return {
            "article": {
                "id": self.article.pk,
                "new": self.new,
                "title": self.article.title,
                "url": self.article.url,
                "language": self.article.language,
                "published": self.article.published_on.isoformat() if self.article.published_on else None,
                "near_duplicate_of": self.near_duplicate_of.pk if self.near_duplicate_of else None,
            },
            "mentions": [
                {
                    "id": m.pk,
                    "kind": m.kind,
                    "target_id": m.target_id,
                    "target": names[m.kind].get(m.target_id),
                    "text": m.text,
                    "start": m.start,
                    "end": m.end,
                    "method": m.method,
                    "confidence": m.confidence,
                }
                for m in self.mentions
            ],
            "proposed_entities": [_proposed_json(kind, record, names) for kind, record in self.proposed],
            "events": [_event_json(event, new) for event, new in self.events],
            "quotes": [
                {
                    "id": q.pk,
                    "text": q.text,
                    "speaker": names["person"].get(q.speaker_id) if q.speaker_id else (q.speaker_name or None),
                    "speaker_id": q.speaker_id,
                    "reported_via": q.reported_via.name if q.reported_via else None,
                    "start": q.start,
                    "end": q.end,
                }
                for q in self.quotes
            ],
            "tags": [
                {"id": t.pk, "tag": str(t.tag), "reason": t.reason, "confidence": t.confidence} for t in self.tags
            ],
            "cited_sources": [{"id": s.pk, "name": s.name, "kind": s.kind} for s in self.cited_sources],
        }


def _names(result: IngestResult) -> dict[str, dict[int, str]]:
    ids: dict[str, set[int]] = {"company": set(), "market": set(), "person": set(), "product": set()}
    for m in result.mentions:
        ids[m.kind].add(m.target_id)
    for q in result.quotes:
        if q.speaker_id:
            ids["person"].add(q.speaker_id)
    models = {"company": Company, "market": Market, "person": Person, "product": Product}
    return {kind: dict(models[kind].objects.filter(pk__in=pks).values_list("pk", "name")) for kind, pks in ids.items()}


def _proposed_json(kind: str, record: Any, names: dict[str, dict[int, str]]) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": kind, "id": record.pk, "confidence": record.confidence}
    if kind == "role":
        data.update(person=record.person.name, company=record.company.name, title=record.title)
    else:
        data["name"] = record.name
    if kind == "product" and record.maker_id:
        data["maker"] = record.maker.name
    return data


def _event_json(event: Event, new: bool) -> dict[str, Any]:
    return {
        "id": event.pk,
        "new": new,
        "type": event.type,
        "status": event.status,
        "summary": event.summary,
        "companies": [
            {"id": p.company_id, "name": p.company.name, "role": p.role}
            for p in event.participants.select_related("company").order_by("id")
        ],
        "markets": [{"id": m.pk, "name": m.name} for m in event.markets.order_by("name")],
        "time": {
            "start": event.time_start.isoformat() if event.time_start else None,
            "end": event.time_end.isoformat() if event.time_end else None,
            "precision": event.time_precision or None,
            "phrase": event.time_phrase or None,
        },
        "evidence_count": event.evidence.count(),
        "independent_sources": event.independent_sources(),
    }
