"""Which watchlists an ingested article matters to, and the one alert per story each of them gets.

Relevance (0 to 1) is the best of what the article says about what is watched:

* a watched company, market or person named in the **headline** scores 1.0, in the
  **lead** (the first paragraph after the headline) 0.8, and **in passing** 0.3, plus
  0.1 for each further passing mention up to 0.5;
* a keyword scores 0.9 in the headline, 0.7 in the lead, 0.3 elsewhere;
* **event types**: a watchlist that names some and nothing else scores 0.6 for an
  article carrying one of them; one that also names entities or keywords adds 0.2
  when the article carries a watched type, and halves the score when it carries none.

Below the watchlist's ``min_relevance`` nothing is raised. A *story* is an article
and its near-duplicates (ingestion links them with ``duplicate_of``), and a watchlist
gets one alert per story, never one per copy: the ``(watchlist, story)`` constraint
decides even between two workers. An article that adds evidence to an event already
known is **related news**: its alert says "new source for: <event>; now N independent
sources".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from intel.choices import AlertKind, DeliveryMode, EventType
from intel.ingest.result import IngestResult
from intel.models import Alert, AlertDelivery, Article, Event, EventParticipant, Watchlist
from intel.models.leases import new_lease
from intel.text import whole_word_pattern

HEADLINE, LEAD, PASSING, PASSING_MAX, PASSING_STEP = 1.0, 0.8, 0.3, 0.5, 0.1
KEYWORD_HEADLINE, KEYWORD_LEAD, KEYWORD_BODY = 0.9, 0.7, 0.3
EVENT_ONLY, EVENT_BONUS, EVENT_MISSING_FACTOR = 0.6, 0.2, 0.5
LEAD_MAX_CHARS = 600


@dataclass
class Watch:
    """A watchlist prepared for matching many articles."""

    watchlist: Watchlist
    targets: dict[tuple[str, int], str]  # (kind, id) → display name
    name_patterns: list[tuple[str, re.Pattern[str]]]  # display name, pattern of a name or alias
    keywords: list[tuple[str, re.Pattern[str]]]
    event_types: set[str]
    market_ids: set[int] = field(default_factory=set)
    company_ids: set[int] = field(default_factory=set)

    @property
    def has_terms(self) -> bool:
        return bool(self.targets or self.keywords)


def load_watches() -> list[Watch]:
    """Every active watchlist with its names, aliases and keywords compiled (a few queries)."""
    watchlists = (
        Watchlist.objects.filter(active=True)
        .select_related("owner")
        .prefetch_related("companies__aliases", "markets__aliases", "people__aliases")
    )
    watches = []
    for watchlist in watchlists:
        targets: dict[tuple[str, int], str] = {}
        patterns: list[tuple[str, re.Pattern[str]]] = []
        for kind, records in (
            ("company", watchlist.companies.all()),
            ("market", watchlist.markets.all()),
            ("person", watchlist.people.all()),
        ):
            for record in records:
                targets[(kind, record.pk)] = record.name
                patterns.append((record.name, whole_word_pattern(record.name, case_sensitive=False)))
                for alias in record.aliases.all():
                    patterns.append((record.name, whole_word_pattern(alias.text, case_sensitive=alias.case_sensitive)))
        watches.append(
            Watch(
                watchlist=watchlist,
                targets=targets,
                name_patterns=patterns,
                keywords=[(k, whole_word_pattern(k, case_sensitive=False)) for k in watchlist.keyword_list()],
                event_types=set(watchlist.event_types or []),
                market_ids={pk for kind, pk in targets if kind == "market"},
                company_ids={pk for kind, pk in targets if kind == "company"},
            )
        )
    return watches


@dataclass(frozen=True)
class Layout:
    """Where the headline and the lead end in an article's body."""

    headline_end: int  # 0 when the body does not start with the headline
    lead_end: int


def layout_of(body: str, title: str) -> Layout:
    headline_end = 0
    first_line = body.split("\n", 1)[0]
    if title and first_line.strip() == title.strip():
        headline_end = len(first_line)
    rest = body[headline_end:]
    skipped = len(rest) - len(rest.lstrip())
    paragraph_end = rest.find("\n\n", skipped)
    lead_len = (paragraph_end if paragraph_end >= 0 else len(rest)) - skipped
    return Layout(headline_end, headline_end + skipped + min(lead_len, LEAD_MAX_CHARS))


def relevance(watch: Watch, result: IngestResult) -> tuple[float, list[str]]:
    """How much the article matters to the watchlist (0 to 1), and why, in words."""
    article = result.article
    layout = layout_of(article.body, article.title)
    best: dict[str, tuple[float, str]] = {}

    def offer(name: str, score: float, reason: str) -> None:
        if score > best.get(name, (0.0, ""))[0]:
            best[name] = (score, reason)

    passing: dict[str, int] = defaultdict(int)
    for mention in result.mentions:
        name = watch.targets.get((mention.kind, mention.target_id))
        if name is None:
            continue
        if mention.start < layout.headline_end:
            offer(name, HEADLINE, f"{name} in the headline")
        elif mention.start < layout.lead_end:
            offer(name, LEAD, f"{name} in the lead")
        else:
            passing[name] += 1
    for name, count in passing.items():
        score = min(PASSING + PASSING_STEP * (count - 1), PASSING_MAX)
        times = f" ({count}×)" if count > 1 else ""
        offer(name, score, f"{name} mentioned in passing{times}")
    # The stored title may not lead the body (a fetched page): look for names in it too.
    for name, pattern in watch.name_patterns:
        if article.title and pattern.search(article.title):
            offer(name, HEADLINE, f"{name} in the headline")
    lead = article.body[layout.headline_end : layout.lead_end]
    for keyword, pattern in watch.keywords:
        label = f"keyword “{keyword}”"
        if pattern.search(article.title or article.body[: layout.headline_end]):
            offer(label, KEYWORD_HEADLINE, f"{label} in the headline")
        elif pattern.search(lead):
            offer(label, KEYWORD_LEAD, f"{label} in the lead")
        elif pattern.search(article.body):
            offer(label, KEYWORD_BODY, f"{label} in the text")

    ranked = sorted(best.values(), key=lambda pair: -pair[0])
    score = ranked[0][0] if ranked else 0.0
    reasons = [reason for _, reason in ranked]
    if watch.event_types:
        carried = sorted({event.type for event, _ in result.events} & watch.event_types)
        labels = [str(EventType(t).label) if t in EventType.values else t for t in carried]
        if not watch.has_terms:
            score = EVENT_ONLY if carried else 0.0
        elif carried:
            score = min(1.0, score + EVENT_BONUS) if score else 0.0
        else:
            score *= EVENT_MISSING_FACTOR
        reasons += [f"event type: {label}" for label in labels]
    return round(score, 3), reasons


def _event_links(results: list[IngestResult]) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Event id → participant company ids, and event id → market ids (two queries per batch)."""
    ids = {event.pk for result in results for event, _ in result.events}
    companies: dict[int, set[int]] = defaultdict(set)
    markets: dict[int, set[int]] = defaultdict(set)
    if ids:
        for event_id, company_id in EventParticipant.objects.filter(event_id__in=ids).values_list(
            "event_id", "company_id"
        ):
            companies[event_id].add(company_id)
        for event_id, market_id in Event.markets.through.objects.filter(event_id__in=ids).values_list(
            "event_id", "market_id"
        ):
            markets[event_id].add(market_id)
    return companies, markets


def _story_of(result: IngestResult) -> Article:
    """The first article of the story: follow near-duplicate links back (a few hops at most)."""
    story = result.near_duplicate_of or result.article
    for _ in range(5):
        if not story.duplicate_of_id:
            break
        story = Article.objects.only("pk", "duplicate_of_id").get(pk=story.duplicate_of_id)
    return story


def _message(result: IngestResult, related: list[tuple[Event, bool]], score: float, reasons: list[str]) -> str:
    article = result.article
    lines = [article.title or str(article)]
    where = " · ".join(
        part
        for part in (
            article.source.name if article.source_id else "",
            article.published_on.isoformat() if article.published_on else "",
            article.url,
        )
        if part
    )
    if where:
        lines.append(where)
    for event, new in related:
        if new:
            lines.append(f"new event: {event.summary}")
        else:
            count = event.independent_sources()
            noun = "source" if count == 1 else "sources"
            lines.append(f"new source for: {event.summary}; now {count} independent {noun}")
    lines.append(f"relevance {score:.2f}: {'; '.join(reasons) or 'matched'}")
    return "\n".join(lines)


def raise_alerts(results: list[IngestResult], *, now: datetime) -> tuple[list[int], list[int]]:
    """Alerts for newly stored articles, and their deliveries. Returns (alert ids, immediate delivery ids).

    Runs inside the caller's transaction, with the ingestion it follows.
    """
    if not results:
        return [], []
    watches = load_watches()
    if not watches:
        return [], []
    event_companies, event_markets = _event_links(results)
    stories = {result.article.pk: _story_of(result) for result in results}
    alerted = set(
        Alert.objects.filter(story_id__in={s.pk for s in stories.values()}).values_list("watchlist_id", "story_id")
    )
    alert_ids: list[int] = []
    delivery_ids: list[int] = []
    for result in results:
        story = stories[result.article.pk]
        for watch in watches:
            if (watch.watchlist.pk, story.pk) in alerted:
                continue  # a copy of a story this watchlist already heard about
            score, reasons = relevance(watch, result)
            if score <= 0 or score < watch.watchlist.min_relevance:
                continue
            related = [
                (event, new)
                for event, new in result.events
                if _concerns(watch, event, event_companies[event.pk], event_markets[event.pk])
            ]
            known = [event for event, new in related if not new]
            alert = Alert(
                watchlist=watch.watchlist,
                story=story,
                article=result.article,
                kind=AlertKind.NEW_SOURCE if known else AlertKind.NEW_STORY,
                event=known[0] if known else (related[0][0] if related else None),
                independent_sources=known[0].independent_sources() if known else None,
                relevance=score,
                reasons=reasons,
                headline=(result.article.title or str(result.article))[:500],
                message=_message(result, related, score, reasons),
                created_at=now,
            )
            try:
                with transaction.atomic():
                    alert.save()
            except IntegrityError:
                continue  # another worker raised it for a copy of the same story just now
            alerted.add((watch.watchlist.pk, story.pk))
            alert_ids.append(alert.pk)
            delivery_ids += _deliveries_for(alert, watch.watchlist, now=now)
    return alert_ids, delivery_ids


def _concerns(watch: Watch, event: Event, companies: set[int], markets: set[int]) -> bool:
    if watch.event_types and event.type in watch.event_types:
        return True
    return bool(companies & watch.company_ids or markets & watch.market_ids)


def _deliveries_for(alert: Alert, watchlist: Watchlist, *, now: datetime) -> list[int]:
    digest = watchlist.delivery == DeliveryMode.DIGEST
    # An immediate delivery is due now and leased from the start: the task queued after
    # commit sends it; if that task is lost, the dispatcher sends it when the lease ends.
    immediate = {"next_attempt_at": now, **new_lease(now)}
    rows: list[dict[str, Any]] = [
        {"channel": channel, "digest": digest, **({} if digest else immediate)} for channel in watchlist.channels()
    ]
    created = AlertDelivery.objects.bulk_create([AlertDelivery(alert=alert, **row) for row in rows])
    return [] if digest else [d.pk for d in created]
