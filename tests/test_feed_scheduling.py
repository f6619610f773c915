"""When a feed is checked next: adaptive interval, the publisher's hints, and capped backoff with jitter."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from intel.monitoring.schedule import adapted_interval, backoff_seconds, hinted_seconds, retry_after_seconds

NOW = datetime(2018, 11, 20, 10, 0, tzinfo=UTC)


def test_a_feed_with_new_items_is_checked_more_often_and_a_quiet_one_less_often_within_bounds():
    assert adapted_interval(900, new_items=True, minimum=300, maximum=86400) == 450
    assert adapted_interval(400, new_items=True, minimum=300, maximum=86400) == 300
    assert adapted_interval(900, new_items=False, minimum=300, maximum=86400) == 1350
    assert adapted_interval(80000, new_items=False, minimum=300, maximum=86400) == 86400


def test_cache_control_and_rss_ttl_give_the_longest_wait_asked_for():
    assert hinted_seconds({"cache-control": "public, max-age=3600"}, None) == 3600
    assert hinted_seconds({"cache-control": "max-age=600"}, 1800) == 1800
    assert hinted_seconds({}, 1800) == 1800
    assert hinted_seconds({}, None) is None


def test_no_cache_and_nonsense_cache_control_are_no_hint():
    assert hinted_seconds({"cache-control": "no-cache, max-age=3600"}, None) is None
    assert hinted_seconds({"cache-control": "max-age=soon"}, None) is None


def test_retry_after_is_read_as_seconds_or_as_a_date_and_capped_at_a_day():
    assert retry_after_seconds("120", now=NOW) == 120
    assert retry_after_seconds(format_datetime(NOW + timedelta(minutes=30), usegmt=True), now=NOW) == 1800
    assert retry_after_seconds("9999999", now=NOW) == 24 * 60 * 60
    assert retry_after_seconds(format_datetime(NOW - timedelta(hours=1), usegmt=True), now=NOW) == 0
    assert retry_after_seconds("whenever", now=NOW) is None
    assert retry_after_seconds(None, now=NOW) is None


def test_backoff_doubles_with_jitter_and_is_capped():
    rng = random.Random(5)
    for errors, nominal in [(1, 300), (2, 600), (3, 1200), (4, 2400)]:
        delay = backoff_seconds(errors, base=300, cap=6 * 3600, rng=rng)
        assert 0.75 * nominal <= delay <= 1.25 * nominal
    assert backoff_seconds(10, base=300, cap=6 * 3600, rng=rng) == 6 * 3600


def test_a_feed_that_failed_all_night_is_still_tried_within_the_cap():
    # Never "given up": a thousand failures still wait no longer than the cap.
    assert backoff_seconds(1000, base=300, cap=6 * 3600) <= 6 * 3600
    assert backoff_seconds(1000, base=300, cap=6 * 3600) > 0


def test_jitter_spreads_feeds_that_failed_together():
    delays = {backoff_seconds(3, base=300, cap=6 * 3600, rng=random.Random(seed)) for seed in range(20)}
    assert len(delays) > 10
