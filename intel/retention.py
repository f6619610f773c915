"""Retention: deleting rows that have done their job, once they are older than a horizon.

Off by default: each horizon is a number of days in the settings, and 0 keeps
everything forever. What each one deletes, and why that is safe:

* ``RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS``: feed entries that are finished
  (ingested, found to be duplicates, or given up as failed), found and finished
  more than N days ago. Pending entries are work still to do and always stay. The
  articles made from them stay too (the entry's link is on the entry's side). A
  feed that still lists an item whose entry was deleted makes a new entry for it,
  which the ingest then finds already stored (same URL, GUID or text) and marks
  "duplicate": choose N longer than any feed keeps an item, 30 days at least.
* ``RIVALSCOPE_RETAIN_DELIVERIES_DAYS``: alert deliveries sent, or failed for good,
  more than N days ago (``sent_at``, or the last attempt). Pending ones stay. The
  alerts themselves stay, and since an alert is one per watchlist and story, a
  deleted delivery is never sent again.
* ``RIVALSCOPE_RETAIN_HISTORY_DAYS``: rows of the history tables older than N days,
  except the newest row of each record, whether the record still exists or was
  deleted. That row is the record's current state (or its deletion), so the changes
  feed still brings a consumer that fell behind to the present state of every
  record, deletions included, and merges can still name a company that is gone.
  What goes is the intermediate versions: a consumer more than N days behind misses
  them, and "what changed since" a date beyond the horizon shows only what remains.

Rows are deleted in batches of ``BATCH_SIZE`` by primary-key range, each batch its
own statement and transaction, so a first purge of years of rows never holds one
huge transaction, nor SQLite's write lock, for long.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone

from intel.changes import tracked_models
from intel.choices import DeliveryStatus, EntryStatus
from intel.models import AlertDelivery, FeedEntry

# Rows deleted per statement.
BATCH_SIZE = 5000
FINISHED_ENTRIES = (EntryStatus.INGESTED, EntryStatus.DUPLICATE, EntryStatus.FAILED)


def _days(name: str) -> int:
    """A retention setting (its default, 0, is in config/settings/base.py); below 0 counts as off."""
    return max(0, int(getattr(settings, name)))


def expired(now: datetime | None = None) -> dict[str, QuerySet[Model]]:
    """What the retention settings say may go, by name: ``feed_entries``, ``alert_deliveries``,
    and ``history:<model>`` for each history table. Only the kinds whose setting is on."""
    now = now or timezone.now()
    found: dict[str, QuerySet[Model]] = {}
    if days := _days("RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS"):
        cutoff = now - timedelta(days=days)
        found["feed_entries"] = FeedEntry.objects.filter(
            Q(status__in=FINISHED_ENTRIES),
            Q(found_at__lt=cutoff),
            # An old entry retried and finished only lately is kept for the full horizon.
            Q(ingested_at__isnull=True) | Q(ingested_at__lt=cutoff),
        )
    if days := _days("RIVALSCOPE_RETAIN_DELIVERIES_DAYS"):
        cutoff = now - timedelta(days=days)
        found["alert_deliveries"] = AlertDelivery.objects.filter(
            Q(status=DeliveryStatus.SENT, sent_at__lt=cutoff)
            | Q(status=DeliveryStatus.FAILED, last_attempt_at__lt=cutoff)
        )
    if days := _days("RIVALSCOPE_RETAIN_HISTORY_DAYS"):
        cutoff = now - timedelta(days=days)
        for label, model in tracked_models().items():
            found[f"history:{label}"] = superseded_history(model, before=cutoff)
    return found


def superseded_history(model: type[Model], *, before: datetime) -> QuerySet[Model]:
    """History rows of ``model`` written before ``before`` that a newer row of the same record follows.

    "Newer" in the order the rest of the code reads history in (``history_date``,
    then ``history_id``), so the row kept is the one ``obj.history.first()`` returns.
    """
    historical = model.history.model  # type: ignore[attr-defined]
    record = model._meta.pk.attname
    newer = historical.objects.filter(**{record: OuterRef(record)}).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return historical.objects.filter(history_date__lt=before).filter(Exists(newer))


def count_expired(now: datetime | None = None) -> dict[str, int]:
    """How many rows ``purge_expired`` would delete now, by name; nothing is deleted."""
    return {name: queryset.count() for name, queryset in expired(now).items()}


def purge_expired(now: datetime | None = None) -> dict[str, int]:
    """Delete what has expired (see the module's docstring); return how many rows went, by name.

    Empty while every retention setting is 0. Safe to run again, or at the same time
    as another run: each batch deletes only rows still matching when it runs.
    """
    return {name: delete_in_batches(queryset) for name, queryset in expired(now).items()}


def delete_in_batches(queryset: QuerySet[Model], *, batch_size: int | None = None) -> int:
    """Delete the rows of ``queryset``, at most ``batch_size`` per statement; return how many.

    Each round reads the primary keys of the next batch, then deletes the matching
    rows in that key range: the filter is applied again by the delete itself, so a
    row that stopped matching meanwhile (an entry retried) stays. Outside a
    transaction (tasks, commands) each statement commits on its own.
    """
    batch_size = batch_size or BATCH_SIZE
    label = queryset.model._meta.label
    deleted = 0
    after = None
    while True:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        keys = list(page.order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not keys:
            return deleted
        _, by_model = queryset.filter(pk__gte=keys[0], pk__lte=keys[-1]).delete()
        deleted += by_model.get(label, 0)
        after = keys[-1]
        if len(keys) < batch_size:
            return deleted
