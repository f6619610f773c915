"""New feed entries go through the ingestion function, once each, and raise alerts.

An entry is an ingest job. Polls store entries pending and unleased; an ingest task
claims them in batches across feeds (a Celery task and an ingest call each have a
fixed cost, and most checks find one or two items), leased under a token
(``intel/models/leases.py``). Then

1. counts the start in the database (``attempts``) in a transaction of its own, so an
   entry that kills its worker every time is given up after a few starts;
2. fetches linked pages for feeds that give only summaries, before any transaction
   opens, through the safe fetcher;
3. in one transaction per batch: re-checks under row locks that the entries are still
   pending and leased to this token, links duplicates across feeds (the same GUID or
   normalised URL already stored) without ingesting them again, ingests the rest with
   ``intel.ingest.pipeline.ingest_articles``, marks the entries and raises the alerts.

A worker killed in step 3 leaves nothing: the transaction is rolled back, the entries
stay pending, and when their lease ends the dispatcher queues them again.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from intel.choices import EntryStatus
from intel.fetch import FetchError, fetch_url
from intel.ingest.context import IngestInput
from intel.ingest.errors import IngestError
from intel.ingest.minhash import NEAR_DUPLICATE_JACCARD, bands_of, estimated_jaccard, shingle_hashes, signature
from intel.ingest.pipeline import ingest_articles
from intel.ingest.result import IngestResult
from intel.models import Article, FeedEntry
from intel.models.leases import lease_length
from intel.urlnorm import normalise_url

from .alerts import raise_alerts
from .content import fragment_text
from .dispatch import claim_pending_entries

logger = logging.getLogger(__name__)

HTML_TYPES = {"text/html", "application/xhtml+xml"}
# GUIDs that name themselves globally (URLs, URNs, tag: URIs) identify one story across
# feeds; short ones ("1234") are only unique within their own feed.
GLOBAL_GUID_PREFIXES = ("http://", "https://", "urn:", "tag:")


@dataclass
class IngestOutcome:
    ingested: list[int] = field(default_factory=list)  # entry ids that made a new article
    duplicates: list[int] = field(default_factory=list)  # linked to an article already stored
    failed: list[int] = field(default_factory=list)
    alerts: list[int] = field(default_factory=list)
    deliveries: list[int] = field(default_factory=list)  # immediate deliveries to queue

    def add(self, other: IngestOutcome) -> None:
        for name in ("ingested", "duplicates", "failed", "alerts", "deliveries"):
            getattr(self, name).extend(getattr(other, name))


@dataclass(frozen=True)
class _Page:
    raw: bytes
    filename: str


def ingest_entries(*, entry_ids: list[int], token: str, now: datetime | None = None) -> IngestOutcome:
    """Ingest the pending entries leased to ``token``; entries not (or no longer) ours are left alone."""
    now = now or timezone.now()
    outcome = IngestOutcome()
    mine = _start(entry_ids, token, now=now, outcome=outcome)
    if not mine:
        return outcome
    pages, notes = _fetch_pages(mine)
    size = settings.RIVALSCOPE_MONITOR_INGEST_BATCH
    for start in range(0, len(mine), size):
        chunk = [entry.pk for entry in mine[start : start + size]]
        outcome.add(_ingest_chunk(chunk, token, pages, notes, now=now))
    return outcome


def ingest_pending(*, now: datetime | None = None, limit: int = 2000) -> IngestOutcome:
    """Claim waiting entries of every feed, a batch at a time, and ingest them, until none is left."""
    outcome = IngestOutcome()
    size = settings.RIVALSCOPE_MONITOR_INGEST_BATCH
    done = 0
    while done < limit:
        jobs = claim_pending_entries(now=now, limit=size)
        if not jobs:
            break
        for job in jobs:
            outcome.add(ingest_entries(entry_ids=job.entry_ids, token=job.token, now=now))
            done += len(job.entry_ids)
    return outcome


def _owned(entry_ids: list[int], token: str) -> list[FeedEntry]:
    return list(
        # of=("self",): lock the entries only; the joined feed and source stay unlocked
        # (PostgreSQL cannot lock the nullable side of the outer join to the source).
        FeedEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=entry_ids, status=EntryStatus.PENDING)
        .held(token)
        .select_related("feed__source")
        .order_by("pk")
    )


def _start(entry_ids: list[int], token: str, *, now: datetime, outcome: IngestOutcome) -> list[FeedEntry]:
    """Count this start for each entry still ours; give up entries started too often."""
    limit = settings.RIVALSCOPE_MONITOR_MAX_DELIVERIES
    with transaction.atomic():
        entries = _owned(entry_ids, token)
        mine = []
        for entry in entries:
            entry.attempts += 1
            if entry.attempts > limit:
                entry.status = EntryStatus.FAILED
                entry.error = f"Ingestion was started {entry.attempts - 1} times without finishing; given up."
                entry.end_lease()
                outcome.failed.append(entry.pk)
                logger.warning("feed entry %s given up: %s", entry.pk, entry.error)
            else:
                entry.lease_until = now + lease_length()  # renewed: this start has the whole lease
                mine.append(entry)
        FeedEntry.objects.bulk_update(entries, ["attempts", "status", "error", *FeedEntry.LEASE_FIELDS])
    return mine


def _fetch_pages(entries: list[FeedEntry]) -> tuple[dict[int, _Page], dict[int, str]]:
    """Linked pages of feeds set to fetch full text, except those already stored by URL."""
    wanted = [e for e in entries if e.feed.fetch_full_text and e.url]
    if not wanted:
        return {}, {}
    stored = set(Article.objects.filter(url__in={normalise_url(e.url) for e in wanted}).values_list("url", flat=True))
    limit = settings.RIVALSCOPE_INGEST_MAX_BYTES
    # Pages are fetched one after another inside a task with a time limit: past this
    # budget the rest keep their feed's text, so a slow site cannot take the batch's
    # time (and every item with it) before anything is ingested.
    deadline = time.monotonic() + settings.RIVALSCOPE_MONITOR_PAGE_BUDGET
    pages: dict[int, _Page] = {}
    notes: dict[int, str] = {}
    for entry in wanted:
        if normalise_url(entry.url) in stored:
            continue
        remaining = deadline - time.monotonic()
        if remaining < 1:
            notes[entry.pk] = (
                "The linked page was not fetched (the time for this batch's pages was spent); "
                "the feed's text was ingested."
            )
            continue
        try:
            timeout = min(remaining, settings.RIVALSCOPE_FETCH_TIMEOUT)
            response = fetch_url(entry.url, max_bytes=limit, timeout=timeout)
        except FetchError as exc:
            notes[entry.pk] = f"The linked page was not fetched ({exc}); the feed's text was ingested."
            continue
        if response.content_type in HTML_TYPES:
            pages[entry.pk] = _Page(response.content, "page.html")
        elif response.content_type in ("text/plain", ""):
            pages[entry.pk] = _Page(response.content, "page.txt")
        else:
            notes[entry.pk] = f"The linked page is {response.content_type}, not HTML; the feed's text was ingested."
    return pages, notes


def _input_for(entry: FeedEntry, page: _Page | None) -> IngestInput | None:
    source = entry.feed.source.name if entry.feed.source_id else entry.source_name
    published = None
    if entry.published_at is not None:
        # Feeds in time zones ahead of ours publish "tomorrow"; ingestion refuses future dates.
        published = min(entry.published_at.date(), timezone.now().date())
    common = {"url": entry.url, "title": entry.title, "published": published, "source": source}
    if page is not None:
        return IngestInput(raw=page.raw, filename=page.filename, **common)
    text = entry.body_text or fragment_text(entry.summary)
    # The headline leads the text, as in a printed article, so that its mentions are
    # found and count as headline mentions.
    if entry.title and not text.startswith(entry.title):
        text = f"{entry.title}\n\n{text}".strip()
    if not text:
        return None
    return IngestInput(text=text, **common)


def _ingest_chunk(
    chunk: list[int], token: str, pages: dict[int, _Page], notes: dict[int, str], *, now: datetime
) -> IngestOutcome:
    outcome = IngestOutcome()
    with transaction.atomic():
        entries = _owned(chunk, token)
        known = _already_stored(entries)
        todo: list[tuple[FeedEntry, IngestInput]] = []
        for entry in entries:
            entry.end_lease()
            entry.error = notes.get(entry.pk, "")
            if entry.pk in known:
                entry.article_id, entry.status, entry.ingested_at = known[entry.pk], EntryStatus.DUPLICATE, now
                outcome.duplicates.append(entry.pk)
                continue
            item = _input_for(entry, pages.get(entry.pk))
            if item is None:
                entry.status, entry.error = EntryStatus.FAILED, "The item has neither a title nor any text."
                outcome.failed.append(entry.pk)
                continue
            todo.append((entry, item))
        results = _ingest([item for _, item in todo])
        fresh: list[IngestResult] = []
        for (entry, _), result in zip(todo, results, strict=True):
            if isinstance(result, IngestError):
                entry.status, entry.error = EntryStatus.FAILED, result.describe()[:2000]
                outcome.failed.append(entry.pk)
                continue
            entry.article_id, entry.ingested_at = result.article.pk, now
            entry.status = EntryStatus.INGESTED if result.new else EntryStatus.DUPLICATE
            (outcome.ingested if result.new else outcome.duplicates).append(entry.pk)
            if result.new:
                fresh.append(result)
        FeedEntry.objects.bulk_update(entries, ["status", "article", "ingested_at", "error", *FeedEntry.LEASE_FIELDS])
        alerts, deliveries = raise_alerts(fresh, now=now)
        outcome.alerts.extend(alerts)
        outcome.deliveries.extend(deliveries)
    return outcome


def _already_stored(entries: list[FeedEntry]) -> dict[int, int]:
    """Entry id → article id, for entries whose GUID (a global one) or URL is already stored."""
    found: dict[int, int] = {}
    global_guids = {e.guid_hash for e in entries if e.guid.lower().startswith(GLOBAL_GUID_PREFIXES)}
    by_guid = dict(
        FeedEntry.objects.filter(guid_hash__in=global_guids, article__isnull=False)
        .exclude(pk__in=[e.pk for e in entries])
        .values_list("guid_hash", "article_id")
    )
    urls = {e.pk: normalise_url(e.url) for e in entries if e.url}
    by_url = dict(Article.objects.filter(url__in=set(urls.values())).values_list("url", "pk"))
    for entry in entries:
        article_id = by_guid.get(entry.guid_hash) if entry.guid_hash in global_guids else None
        article_id = article_id or by_url.get(urls.get(entry.pk, ""))
        if article_id:
            found[entry.pk] = article_id
    return found


def _ingest(items: list[IngestInput]) -> list[IngestResult | IngestError]:
    """Ingest items, results in the same order.

    Ingestion finds near-duplicates among stored articles, not within one batch, so
    an item that is a near-duplicate of an earlier one in the batch (one story
    syndicated twice in the same feed) waits for a later round: by then the earlier
    one is stored (in this transaction) and ingestion links the copy to it.
    """
    results: dict[int, IngestResult | IngestError] = {}
    for round_ in _rounds(items):
        for i, result in zip(round_, _ingest_batch([items[i] for i in round_]), strict=True):
            results[i] = result
    return [results[i] for i in range(len(items))]


def _rounds(items: list[IngestInput]) -> list[list[int]]:
    """Item positions grouped so that no round holds two near-duplicates of each other.

    Near-duplicates by ingestion's own test (``intel/ingest/minhash.py``): MinHash
    signatures that share a band and estimate a Jaccard similarity of at least
    ``NEAR_DUPLICATE_JACCARD``. Each item is compared only with the earlier ones
    sharing one of its bands, not with every earlier item's shingle set: the pairwise
    exact sets cost about as much as ingesting the article (docs/benchmarks.md).
    """
    signatures: dict[int, np.ndarray] = {}
    holders: dict[tuple[int, int], list[int]] = {}  # (band, value) -> the earlier items with it
    level: list[int] = []
    for i, item in enumerate(items):
        depth = 0
        if item.text:
            mine = signatures[i] = signature(shingle_hashes(item.text))
            keys = list(enumerate(bands_of(mine)))
            for j in {j for key in keys for j in holders.get(key, ())}:
                if estimated_jaccard(mine, signatures[j]) >= NEAR_DUPLICATE_JACCARD:
                    depth = max(depth, level[j] + 1)
            for key in keys:
                holders.setdefault(key, []).append(i)
        level.append(depth)
    return [[i for i, d in enumerate(level) if d == depth] for depth in range(max(level, default=-1) + 1)]


def _ingest_batch(items: list[IngestInput]) -> list[IngestResult | IngestError]:
    """Ingest a batch in one go; if it fails for any reason, each item alone, so that one
    bad item fails alone. An item that trips a bug (not an ``IngestError``) is not
    reported as bad input: once every other item is stored, the bug is raised, the
    task fails and a later round tries again (stored items are found, not stored twice)."""
    if not items:
        return []
    try:
        with transaction.atomic():
            return list(ingest_articles(items))
    except Exception:
        logger.warning("a batch of %d feed items failed; ingesting them one by one", len(items), exc_info=True)
    results: list[IngestResult | IngestError] = []
    bug: Exception | None = None
    for item in items:
        try:
            with transaction.atomic():
                results.append(ingest_articles([item])[0])
        except IngestError as exc:
            logger.info("feed item %s not ingested: %s", item.url or item.title, exc.describe())
            results.append(exc)
        except Exception as exc:
            logger.exception("feed item %s hit an internal error", item.url or item.title)
            bug = bug or exc
    if bug is not None:
        raise bug
    return results
