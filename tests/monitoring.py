"""Helpers for monitoring tests: run the dispatcher's work in this process, as a worker would."""

from __future__ import annotations

from datetime import datetime

from intel.monitoring.delivery import deliver
from intel.monitoring.dispatch import dispatch_due, poll_groups
from intel.monitoring.entries import IngestOutcome, ingest_entries, ingest_pending
from intel.monitoring.poll import PollOutcome, poll_feeds

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def run_cycle(*, now: datetime | None = None, send: bool = True) -> tuple[list[PollOutcome], IngestOutcome]:
    """One dispatcher run and everything it queues, done here in order, as one worker would."""
    dispatch = dispatch_due(now=now)
    polls = []
    ingested = IngestOutcome()
    for job in dispatch.entry_jobs:
        ingested.add(ingest_entries(entry_ids=job.entry_ids, token=job.token, now=now))
    for feed_ids, token in poll_groups(dispatch.feeds):
        polls.extend(poll_feeds(feed_ids=feed_ids, token=token, now=now))
    if any(outcome.new_entry_ids for outcome in polls):
        ingested.add(ingest_pending(now=now))
    if send:
        deliver(delivery_ids=ingested.deliveries + dispatch.deliveries, now=now)
    return polls, ingested
