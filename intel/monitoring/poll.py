"""One check of one feed: fetch it (conditionally), store its new entries, schedule the next check.

The caller holds a claim (``dispatch.claim_due_feeds``); every write here first checks,
under the feed's row lock, that the claim's token is still the feed's. A check whose
lease ran out and whose feed was claimed again therefore changes nothing: at most one
check of a feed writes per cycle, however many workers and redeliveries there are.
No lock is held while fetching.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from intel.choices import EntryStatus, FeedStatus
from intel.fetch import FetchedResponse, FetchError, fetch_url
from intel.models import Feed, FeedEntry

from .dispatch import lease
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
    """Check a claimed feed once. New entries are stored pending, leased under ``token``."""
    feed = _start(feed_id, token, now=now or timezone.now())
    if feed is None:
        return PollOutcome(feed_id, "skipped", token=token)
    if feed.claim_deliveries > setting("RIVALSCOPE_MONITOR_MAX_DELIVERIES", 3):
        message = f"The check was started {feed.claim_deliveries} times without finishing; giving up on it."
        return _failed(feed_id, token, FetchError(message), now=now)

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
        return _failed(feed_id, token, exc, now=now)
    return _succeeded(feed_id, token, response, parsed, now=now)


def _start(feed_id: int, token: str, *, now: datetime) -> Feed | None:
    """Count this start of the claim's task (the delivery count), or None if the claim is not ours."""
    with transaction.atomic():
        feed = Feed.objects.select_for_update().filter(pk=feed_id, claim_token=uuid.UUID(token)).first()
        if feed is None:
            return None
        feed.claim_deliveries += 1
        feed.save(update_fields=["claim_deliveries"])
    return feed


def _locked_claim(feed_id: int, token: str) -> Feed | None:
    return Feed.objects.select_for_update().filter(pk=feed_id, claim_token=uuid.UUID(token)).first()


def _release(feed: Feed, *, now: datetime, delay: float) -> None:
    feed.next_check_at = now + timedelta(seconds=delay)
    feed.last_checked_at = now
    feed.claim_token = None
    feed.claimed_until = None
    feed.claim_deliveries = 0


def _succeeded(
    feed_id: int, token: str, response: FetchedResponse, parsed: ParsedFeed | None, *, now: datetime | None
) -> PollOutcome:
    now = now or timezone.now()
    with transaction.atomic():
        feed = _locked_claim(feed_id, token)
        if feed is None:
            return PollOutcome(feed_id, "skipped", token=token)
        new_ids = _store_new_entries(feed, parsed, token=token, now=now) if parsed is not None else []
        if parsed is None:
            status = FeedStatus.NOT_MODIFIED
        else:
            status = FeedStatus.NEW_ITEMS if new_ids else FeedStatus.NO_NEW_ITEMS
        feed.check_interval = adapted_interval(
            feed.check_interval, new_items=bool(new_ids), minimum=feed.min_interval, maximum=feed.max_interval
        )
        hint = hinted_seconds(response.headers, parsed.ttl_seconds if parsed else None)
        delay = max(feed.check_interval, min(hint or 0, feed.max_interval))
        _release(feed, now=now, delay=delay)
        # A 304 carries the validators again, or none; keep what we had unless new ones came.
        feed.etag = response.headers.get("etag", feed.etag if parsed is None else "")[:500]
        feed.last_modified = response.headers.get("last-modified", feed.last_modified if parsed is None else "")[:100]
        feed.last_status = status
        feed.last_status_code = response.status_code
        feed.last_error = ""
        feed.error_count = 0
        if new_ids:
            feed.last_new_item_at = now
        feed.save()
    return PollOutcome(feed_id, status, new_entry_ids=new_ids, token=token)


def _store_new_entries(feed: Feed, parsed: ParsedFeed, *, token: str, now: datetime) -> list[int]:
    """Insert the entries not seen before in this feed; return their ids.

    Runs under the feed's row lock with a valid claim, so no other check of this feed
    inserts at the same time and the (feed, guid_hash) constraint is never raced.
    """
    fresh = {}
    for entry in parsed.entries:
        fresh.setdefault(entry.guid_hash, entry)  # a feed listing an item twice: the first copy
    if not fresh:
        return []
    seen = set(FeedEntry.objects.filter(feed=feed, guid_hash__in=list(fresh)).values_list("guid_hash", flat=True))
    rows = [
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
            lease_token=uuid.UUID(token),
            lease_until=now + lease(),
            found_at=now,
        )
        for key, entry in fresh.items()
        if key not in seen
    ]
    created = FeedEntry.objects.bulk_create(rows)
    return [row.pk for row in created]


def _failed(feed_id: int, token: str, exc: FetchError | FeedParseError, *, now: datetime | None) -> PollOutcome:
    now = now or timezone.now()
    message = str(exc)
    status_code = getattr(exc, "status_code", None)
    with transaction.atomic():
        feed = _locked_claim(feed_id, token)
        if feed is None:
            return PollOutcome(feed_id, "skipped", token=token, error=message)
        feed.error_count += 1
        retry_after = None
        if status_code in (429, 503):
            retry_after = retry_after_seconds(getattr(exc, "headers", {}).get("retry-after"), now=now)
        if retry_after is not None:
            # The server said when: that is when, however many errors came before.
            delay = max(retry_after, 1)
        else:
            delay = backoff_seconds(
                feed.error_count,
                base=feed.min_interval,
                cap=setting("RIVALSCOPE_MONITOR_MAX_BACKOFF", 6 * 60 * 60),
            )
        _release(feed, now=now, delay=delay)
        feed.last_status = FeedStatus.RATE_LIMITED if status_code == 429 else FeedStatus.ERROR
        feed.last_status_code = status_code
        feed.last_error = message[:2000]
        feed.save()
    logger.info("feed %s failed (%s in a row): %s", feed_id, feed.error_count, message)
    return PollOutcome(feed_id, feed.last_status, token=token, error=message)
