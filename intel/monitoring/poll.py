"""Checks of claimed feeds: fetch each (conditionally), store new entries, schedule the next check.

The caller holds a claim (``dispatch.claim_due_feeds``): the feeds are leased to its
token (``intel/models/leases.py``), and every write here is conditioned on the token
still being the feed's. A check whose lease ran out and whose feed was claimed again
therefore changes nothing: at most one check of a feed writes per cycle, however
many workers and redeliveries there are. No lock is held while fetching.

Feeds are checked in groups (:func:`poll_feeds`, one task per group of
``RIVALSCOPE_MONITOR_POLL_GROUP`` claimed feeds): most checks find nothing new, and
a task (Celery's own work on the broker) plus three committed statements per feed
cost more than the conditional GET itself. A group costs, whatever its size:

1. one UPDATE counting the start (committed at once, so a start is counted even if
   the worker dies in the fetches) and one SELECT of the feeds still claimed;
2. the fetches, on ``RIVALSCOPE_MONITOR_FETCH_THREADS`` threads (network waits
   overlap; the threads never touch the database);
3. one SELECT of the already seen GUIDs of every feed that listed items;
4. one transaction: lock the feeds still claimed (``SELECT … FOR NO KEY UPDATE``),
   insert all new entries, write each feed's outcome and release its claim (one
   UPDATE per feed, all sent in one round trip). A feed whose entries the database
   refuses is written as a failed check; the others keep theirs (``_insert_entries``).

A group that started before without finishing (its worker died, or it ran past its
time limit) is not run again as a group: ``poll_feeds_task`` splits it into one task
per feed, so the feed that kills workers is given up alone. Fetching and parsing
stop at ``POLL_TIME_BUDGET``; checks still running then are written as failed.

Nothing here decides what an outcome is: ``_success`` and ``_failure`` are plain
functions of the feed, the answer and the time.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone

from intel.choices import EntryStatus, FeedStatus
from intel.fetch import FetchedResponse, FetchError, fetch_url
from intel.models import Feed, FeedEntry
from intel.models.leases import NO_LEASE, as_token

from .parsing import FeedParseError, ParsedFeed, parse_feed
from .schedule import adapted_interval, backoff_seconds, hinted_seconds, retry_after_seconds

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    feed_id: int
    status: str  # a FeedStatus value, or "skipped" when the claim was no longer ours
    new_entry_ids: list[int] = field(default_factory=list)
    token: str = ""
    error: str = ""


@dataclass
class _Fetched:
    response: FetchedResponse | None = None
    parsed: ParsedFeed | None = None
    error: FetchError | FeedParseError | None = None


@dataclass
class _Planned:
    """What a check found, as the writes it needs: the feed's new field values and entries."""

    feed: Feed
    status: str
    fields: dict[str, Any]
    delay: float
    entries: list[FeedEntry] = field(default_factory=list)
    error: str = ""


def poll_feeds(*, feed_ids: Sequence[int], token: str, now: datetime | None = None) -> list[PollOutcome]:
    """Check claimed feeds once each; one outcome per id, in order. New entries are stored
    pending, for ``entries.ingest_pending``."""
    feeds = _start(feed_ids, token)
    limit = settings.RIVALSCOPE_MONITOR_MAX_DELIVERIES
    to_fetch = [feed for feed in feeds if feed.claim_deliveries <= limit]
    fetched = _fetch_all(to_fetch)

    now = now or timezone.now()
    seen = _seen_guids({pk: r.parsed for pk, r in fetched.items() if r.parsed is not None and r.parsed.entries})
    plans = []
    for feed in feeds:
        result = fetched.get(feed.pk)
        if result is None:
            message = f"The check was started {feed.claim_deliveries} times without finishing; giving up on it."
            plans.append(_failure(feed, FetchError(message), now=now))
        elif result.error is not None:
            plans.append(_failure(feed, result.error, now=now))
        else:
            assert result.response is not None
            plans.append(_success(feed, result.response, result.parsed, seen.get(feed.pk, set()), now=now))

    written = {plan.feed.pk: plan for plan in _write(plans, token, now=now)}
    outcomes = {pk: PollOutcome(pk, "skipped", token=token) for pk in feed_ids}
    for plan in plans:
        pk = plan.feed.pk
        if pk not in written:
            outcomes[pk].error = plan.error
            continue
        plan = written[pk]
        if plan.error:
            logger.info("feed %s failed (%s in a row): %s", pk, plan.fields["error_count"], plan.error)
        outcomes[pk] = PollOutcome(
            pk, plan.status, new_entry_ids=[entry.pk for entry in plan.entries], token=token, error=plan.error
        )
    return [outcomes[pk] for pk in feed_ids]


# Seconds a group's fetching and parsing may take, under ``poll_feeds_task``'s soft time
# limit (120 s) with room to write. A check still running then is written as failed (and
# backs off), so the group's other outcomes are not lost with the task.
POLL_TIME_BUDGET = 90.0


def _fetch_all(feeds: list[Feed]) -> dict[int, _Fetched]:
    """Fetch and parse ``feeds`` on this process's fetch threads, within ``POLL_TIME_BUDGET``."""
    deadline = time.monotonic() + POLL_TIME_BUDGET
    late = _Fetched(error=FetchError("The check did not finish within the poll task's time budget."))
    threads = settings.RIVALSCOPE_MONITOR_FETCH_THREADS
    if threads <= 1 or len(feeds) <= 1:
        return {feed.pk: _fetch(feed) if time.monotonic() < deadline else late for feed in feeds}
    pool = _fetch_pool(threads)
    futures = {feed.pk: pool.submit(_fetch, feed) for feed in feeds}
    done, _ = wait(futures.values(), timeout=POLL_TIME_BUDGET)
    # Late fetches run on to their own deadline in the background; their results are dropped.
    return {pk: future.result() if future in done else late for pk, future in futures.items()}


_pool_lock = threading.Lock()
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (process id, size, pool)


def _fetch_pool(size: int) -> ThreadPoolExecutor:
    """This process's fetch threads, made on first use and kept (starting a group's threads
    for every group was a cost per feed, docs/benchmarks.md). Made in the process that uses it: threads do not
    survive a fork, so a pool inherited from a parent (Celery's prefork) is replaced."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid() or _pool[1] != size:
            _pool = (os.getpid(), size, ThreadPoolExecutor(max_workers=size, thread_name_prefix="feed-fetch"))
        return _pool[2]


def started_before(feed_ids: Sequence[int], token: str) -> bool:
    """Whether a check of these claimed feeds was started and did not finish (a redelivery)."""
    return Feed.objects.filter(pk__in=list(feed_ids), claim_deliveries__gt=0).held(token).exists()


def _start(feed_ids: Sequence[int], token: str) -> list[Feed]:
    """Count this start of the claim's task (the delivery count); the feeds whose claim is ours.

    One UPDATE, committed at once (autocommit), so a start is counted even if the
    worker dies in the fetches that follow; then one SELECT.
    """
    mine = Feed.objects.filter(pk__in=list(feed_ids)).held(token)
    if not mine.update(claim_deliveries=F("claim_deliveries") + 1):
        return []
    return list(mine)


def _fetch(feed: Feed) -> _Fetched:
    """Fetch and parse one feed (no database access: this runs on the group's threads)."""
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        response = fetch_url(feed.url, headers=headers)
        parsed = (
            None
            if response.status_code == 304
            else parse_feed(response.content, url=response.url, content_type=response.content_type)
        )
    except (FetchError, FeedParseError) as exc:
        return _Fetched(error=exc)
    return _Fetched(response=response, parsed=parsed)


def _seen_guids(listed: dict[int, ParsedFeed]) -> dict[int, set[str]]:
    """Which of the GUID hashes these feeds list are already stored, per feed (one query)."""
    seen: dict[int, set[str]] = {}
    if listed:
        hashes = {entry.guid_hash for parsed in listed.values() for entry in parsed.entries}
        rows = FeedEntry.objects.filter(feed_id__in=list(listed), guid_hash__in=list(hashes))
        for feed_id, key in rows.values_list("feed_id", "guid_hash"):
            seen.setdefault(feed_id, set()).add(key)
    return seen


def _write(plans: list[_Planned], token: str, *, now: datetime) -> list[_Planned]:
    """Write every plan whose feed is still claimed under ``token``, in one transaction; the plans
    written (a feed whose entries were refused, as the failure written instead).

    The feeds are locked first (``FOR NO KEY UPDATE``, in id order; a no-op on SQLite,
    whose write transactions run one at a time): a claim taken over after its lease ran
    out is not ours, and its feed is left alone. While the rows are locked and claimed,
    no other check of these feeds inserts at the same time, so (feed, guid_hash) never
    races. New entries go in first, all at once; if the database refuses them, each
    feed's are tried in a savepoint of their own, and a feed whose entries still fail
    is written as a failed check: one feed's bad item never costs the others theirs.
    """
    if not plans:
        return []
    claim = as_token(token)
    with transaction.atomic():
        ours = set(
            Feed.objects.select_for_update(no_key=True)
            .filter(pk__in=[plan.feed.pk for plan in plans])
            .held(claim)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        plans = _insert_entries([plan for plan in plans if plan.feed.pk in ours], now=now)
        by_fields: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
        for plan in plans:
            values = {
                **plan.fields,
                "next_check_at": now + timedelta(seconds=plan.delay),
                "last_checked_at": now,
                **NO_LEASE,
                "claim_deliveries": 0,
            }
            by_fields.setdefault(tuple(sorted(values)), []).append((plan.feed.pk, values))
        for names, rows in by_fields.items():
            _update_claimed(names, rows, claim)
    return plans


def _insert_entries(plans: list[_Planned], *, now: datetime) -> list[_Planned]:
    """Insert the plans' new entries; the plans, a feed whose entries were refused now a failure."""
    entries = [entry for plan in plans for entry in plan.entries]
    if not entries:
        return plans
    try:
        with transaction.atomic():
            FeedEntry.objects.bulk_create(entries)
        return plans
    except DatabaseError:
        logger.warning("new entries of a group refused together; trying each feed alone")
    return [_insert_alone(plan, now=now) if plan.entries else plan for plan in plans]


def _insert_alone(plan: _Planned, *, now: datetime) -> _Planned:
    try:
        with transaction.atomic():
            FeedEntry.objects.bulk_create(plan.entries)
    except DatabaseError as exc:
        return _failure(plan.feed, FeedParseError(f"Its new items could not be stored: {exc}"), now=now)
    return plan


def _update_claimed(names: tuple[str, ...], rows: list[tuple[int, dict[str, Any]]], claim: uuid.UUID) -> None:
    """``UPDATE intel_feed SET <names> WHERE id = … AND lease_token = …`` for each row, sent at once.

    ``executemany`` sends the statements in one round trip (psycopg's pipeline mode;
    SQLite's own loop). Django's ``bulk_update`` builds one statement of CASE WHEN
    expressions instead, which costs far more Python per feed (``bench/monitoring.py``).
    Values are prepared by the model's fields, as the ORM would prepare them.
    """
    meta = Feed._meta
    fields = [meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)  # type: ignore[union-attr]
    claim_field = meta.get_field("lease_token")
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {sets} "  # noqa: S608 - names come from the model
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(claim_field.column)} = %s"  # type: ignore[union-attr]
    )
    claim_value = claim_field.get_db_prep_save(claim, connection)  # type: ignore[union-attr]
    params = [
        [f.get_db_prep_save(values[f.name], connection) for f in fields] + [pk, claim_value]  # type: ignore[union-attr]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _success(
    feed: Feed, response: FetchedResponse, parsed: ParsedFeed | None, seen: set[str], *, now: datetime
) -> _Planned:
    rows = _new_entries(feed, parsed, seen, now=now) if parsed is not None else []
    status = FeedStatus.NEW_ITEMS if rows else FeedStatus.NO_NEW_ITEMS
    if parsed is None:
        status = FeedStatus.NOT_MODIFIED
    interval = adapted_interval(
        feed.check_interval, new_items=bool(rows), minimum=feed.min_interval, maximum=feed.max_interval
    )
    hint = hinted_seconds(response.headers, parsed.ttl_seconds if parsed else None)
    fields: dict[str, Any] = {
        "check_interval": interval,
        # A 304 carries the validators again, or none; keep what we had unless new ones came.
        "etag": response.headers.get("etag", feed.etag if parsed is None else "")[:500],
        "last_modified": response.headers.get("last-modified", feed.last_modified if parsed is None else "")[:100],
        "last_status": status,
        "last_status_code": response.status_code,
        "last_error": "",
        "error_count": 0,
    }
    if rows:
        fields["last_new_item_at"] = now
    delay = max(interval, min(hint or 0, feed.max_interval))
    return _Planned(feed, status, fields, delay, entries=rows)


def _new_entries(feed: Feed, parsed: ParsedFeed, seen: set[str], *, now: datetime) -> list[FeedEntry]:
    """Unsaved entries for the items not seen before in this feed."""
    fresh = {}
    for entry in parsed.entries:
        fresh.setdefault(entry.guid_hash, entry)  # a feed listing an item twice: the first copy
    return [
        FeedEntry(
            feed=feed,
            guid=entry.guid,
            guid_hash=key,
            url=entry.url,
            title=entry.title,
            summary=entry.summary_html,
            body_text=entry.text,
            source_name=entry.source_name,
            published_at=entry.published_at,
            status=EntryStatus.PENDING,
            # Unleased: the next ingest task claims them with other feeds' new entries,
            # so ingestion works on batches, not on a feed's one or two items.
            found_at=now,
        )
        for key, entry in fresh.items()
        if key not in seen
    ]


def _failure(feed: Feed, exc: FetchError | FeedParseError, *, now: datetime) -> _Planned:
    message = str(exc)
    status_code = getattr(exc, "status_code", None)
    errors = feed.error_count + 1
    retry_after = None
    if status_code in (429, 503):
        retry_after = retry_after_seconds(getattr(exc, "headers", {}).get("retry-after"), now=now)
    if retry_after is not None:
        # The server said when: that is when, however many errors came before.
        delay: float = max(retry_after, 1)
    else:
        delay = backoff_seconds(errors, base=feed.min_interval, cap=settings.RIVALSCOPE_MONITOR_MAX_BACKOFF)
    status = FeedStatus.RATE_LIMITED if status_code == 429 else FeedStatus.ERROR
    fields: dict[str, Any] = {
        "error_count": errors,
        "last_status": status,
        "last_status_code": status_code,
        "last_error": message[:2000],
    }
    return _Planned(feed, status, fields, delay, error=message)
