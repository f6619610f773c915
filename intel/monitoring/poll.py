"""One check of one feed: fetch it (conditionally), store its new entries, schedule the next check.

The caller holds a claim (``dispatch.claim_due_feeds``); every write here is an UPDATE
conditioned on the claim's token still being the feed's. A check whose lease ran out
and whose feed was claimed again therefore changes nothing: at most one check of a
feed writes per cycle, however many workers and redeliveries there are. No lock is
held while fetching, and a check that finds nothing new costs three statements.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from intel.choices import EntryStatus, FeedStatus
from intel.fetch import FetchedResponse, FetchError, fetch_url
from intel.models import Feed, FeedEntry

from .parsing import FeedParseError, ParsedFeed, parse_feed
from .schedule import adapted_interval, backoff_seconds, hinted_seconds, retry_after_seconds, setting

logger = logging.getLogger(__name__)


@dataclass
class PollOutcome:
    feed_id: int
    status: str  # a FeedStatus value, or "skipped" when the claim was no longer ours
    new_entry_ids: list[int] = field(default_factory=list)
    token: str = ""
    error: str = ""


def poll_feed(*, feed_id: int, token: str, now: datetime | None = None) -> PollOutcome:
    """Check a claimed feed once. New entries are stored pending, for ``entries.ingest_pending``."""
    feed = _start(feed_id, token)
    if feed is None:
        return PollOutcome(feed_id, "skipped", token=token)
    if feed.claim_deliveries > setting("RIVALSCOPE_MONITOR_MAX_DELIVERIES", 3):
        message = f"The check was started {feed.claim_deliveries} times without finishing; giving up on it."
        return _failed(feed, token, FetchError(message), now=now)

    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        response = fetch_url(feed.url, headers=headers)
        parsed = None if response.status_code == 304 else parse_feed(
            response.content, url=response.url, content_type=response.content_type
        )
    except (FetchError, FeedParseError) as exc:
        return _failed(feed, token, exc, now=now)
    return _succeeded(feed, token, response, parsed, now=now)


def _start(feed_id: int, token: str) -> Feed | None:
    """Count this start of the claim's task (the delivery count), or None if the claim is not ours.

    One UPDATE, committed at once (autocommit), so a start is counted even if the
    worker dies in the fetch that follows.
    """
    mine = Feed.objects.filter(pk=feed_id, claim_token=uuid.UUID(token))
    if not mine.update(claim_deliveries=F("claim_deliveries") + 1):
        return None
    return mine.first()


def _finish(feed: Feed, token: str, fields: dict[str, Any], *, now: datetime, delay: float) -> bool:
    """Write the outcome of a check and release the claim, if the claim is still ours.

    The UPDATE's ``claim_token`` condition is the check: a claim taken over after its
    lease ran out makes it match nothing. Inside the caller's transaction (when new
    entries are inserted with it) it also locks the row until they are committed.
    """
    fields.update(
        next_check_at=now + timedelta(seconds=delay),
        last_checked_at=now,
        claim_token=None,
        claimed_until=None,
        claim_deliveries=0,
    )
    return bool(Feed.objects.filter(pk=feed.pk, claim_token=uuid.UUID(token)).update(**fields))


def _succeeded(
    feed: Feed, token: str, response: FetchedResponse, parsed: ParsedFeed | None, *, now: datetime | None
) -> PollOutcome:
    now = now or timezone.now()
    rows = _new_entries(feed, parsed, now=now) if parsed is not None else []
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
    if not rows:  # one statement, no transaction needed (most checks)
        done = _finish(feed, token, fields, now=now, delay=delay)
        return PollOutcome(feed.pk, status if done else "skipped", token=token)
    with transaction.atomic():
        if not _finish(feed, token, fields, now=now, delay=delay):
            return PollOutcome(feed.pk, "skipped", token=token)
        # The feed row is locked by the update above and the claim is ours: no other
        # check of this feed inserts at the same time, so (feed, guid_hash) never races.
        created = FeedEntry.objects.bulk_create(rows)
    return PollOutcome(feed.pk, status, new_entry_ids=[row.pk for row in created], token=token)


def _new_entries(feed: Feed, parsed: ParsedFeed, *, now: datetime) -> list[FeedEntry]:
    """Unsaved entries for the items not seen before in this feed."""
    fresh = {}
    for entry in parsed.entries:
        fresh.setdefault(entry.guid_hash, entry)  # a feed listing an item twice: the first copy
    if not fresh:
        return []
    seen = set(FeedEntry.objects.filter(feed=feed, guid_hash__in=list(fresh)).values_list("guid_hash", flat=True))
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


def _failed(feed: Feed, token: str, exc: FetchError | FeedParseError, *, now: datetime | None) -> PollOutcome:
    now = now or timezone.now()
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
        delay = backoff_seconds(
            errors, base=feed.min_interval, cap=setting("RIVALSCOPE_MONITOR_MAX_BACKOFF", 6 * 60 * 60)
        )
    status = FeedStatus.RATE_LIMITED if status_code == 429 else FeedStatus.ERROR
    fields: dict[str, Any] = {
        "error_count": errors,
        "last_status": status,
        "last_status_code": status_code,
        "last_error": message[:2000],
    }
    if not _finish(feed, token, fields, now=now, delay=delay):
        return PollOutcome(feed.pk, "skipped", token=token, error=message)
    logger.info("feed %s failed (%s in a row): %s", feed.pk, errors, message)
    return PollOutcome(feed.pk, status, token=token, error=message)
