"""When to check a feed next: adaptive intervals, server hints and backoff. Pure functions.

* A feed that had new items is checked twice as often, one that had none 1.5 times
  less often, always within the feed's ``min_interval`` and ``max_interval``.
* The publisher's wishes lengthen the wait, never shorten it below our own interval:
  ``Cache-Control: max-age`` and RSS ``<ttl>`` (capped at ``max_interval``), and on 429
  or 503, ``Retry-After`` (capped at a day).
* Errors back off exponentially from ``min_interval`` with jitter, capped at
  ``RIVALSCOPE_MONITOR_MAX_BACKOFF`` (6 hours): a feed is never given up for good, so
  one that failed all night is tried again in the morning.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

GROW = 1.5
SHRINK = 0.5
MAX_RETRY_AFTER = 24 * 60 * 60
# Jitter spreads feeds that failed together (one host down) so they do not return together.
JITTER = 0.25



def adapted_interval(current: int, *, new_items: bool, minimum: int, maximum: int) -> int:
    """The next check interval in seconds, after a check that did or did not find new items."""
    wanted = current * (SHRINK if new_items else GROW)
    return int(min(max(wanted, minimum), maximum))


def hinted_seconds(headers: Mapping[str, str], ttl_seconds: int | None) -> int | None:
    """The longest wait the publisher asked for (Cache-Control max-age, RSS ttl), or None."""
    hints = [ttl_seconds] if ttl_seconds else []
    cache_control = headers.get("cache-control", "").lower()
    if "no-cache" not in cache_control and "no-store" not in cache_control:
        for directive in cache_control.split(","):
            name, _, value = directive.strip().partition("=")
            if name in ("max-age", "s-maxage") and value.strip().strip('"').isdigit():
                hints.append(int(value.strip().strip('"')))
    return max(hints) if hints else None


def retry_after_seconds(value: str | None, *, now: datetime) -> int | None:
    """``Retry-After`` as seconds (it is either a number or an HTTP date), capped at a day."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = int((when - now).total_seconds())
    return max(0, min(seconds, MAX_RETRY_AFTER))


def backoff_seconds(errors: int, *, base: int, cap: int, rng: random.Random | None = None) -> int:
    """Seconds to wait after ``errors`` failures in a row: base·2^(errors-1), jittered, capped."""
    exponent = min(max(errors, 1) - 1, 30)  # 2**30 seconds is decades: beyond any cap
    delay = base * (2**exponent)
    jitter = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return int(min(delay * jitter, cap))
