"""The changes feed: every create, update and delete of a tracked record, in order, from a cursor.

A consumer keeps the cursor of the last page it read and asks for what came
after it, so it stays in sync without re-reading everything. The feed is read
from the history tables (django-simple-history, and ``TrackedQuerySet`` for bulk
writes), so it covers exactly the models with history.

The cursor holds, per history table, the last history id delivered. History ids
come from a sequence, so a transaction that commits late can hold a smaller id
than rows already delivered; rows newer than ``RIVALSCOPE_CHANGES_SETTLE_SECONDS``
are therefore held back until transactions that started before them have had
time to commit.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Max, Model
from django.utils import timezone

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}


class BadCursor(ValueError):
    pass


@dataclass
class Change:
    model: str
    id: Any
    action: str
    at: datetime
    by: int | None
    history_id: int
    data: dict[str, Any]


def tracked_models() -> dict[str, type[Model]]:
    """Label → model, for every model of the app with a history table."""
    found = {}
    for model in apps.get_app_config("intel").get_models():
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model") and not model.__name__.startswith("Historical"):
            found[model._meta.label_lower] = model
    return dict(sorted(found.items()))


def encode_cursor(position: dict[str, int]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, int]:
    if not cursor:
        return {}
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise BadCursor("The cursor is not one this feed gave out.") from error
    if not isinstance(position, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v >= 0 for k, v in position.items()
    ):
        raise BadCursor("The cursor is not one this feed gave out.")
    return position


def head_cursor() -> str:
    """A cursor at the newest change: a consumer starting now reads only what comes next."""
    position = {}
    for label, model in tracked_models().items():
        last = model.history.model.objects.aggregate(last=Max("history_id"))["last"]
        if last:
            position[label] = last
    return encode_cursor(position)


def changes_after(cursor: str, *, limit: int) -> tuple[list[Change], str, bool]:
    """The next ``limit`` changes after ``cursor``, the cursor after them, and whether more are waiting."""
    position = decode_cursor(cursor)
    settle = timedelta(seconds=getattr(settings, "RIVALSCOPE_CHANGES_SETTLE_SECONDS", 10))
    cutoff = timezone.now() - settle
    candidates: list[tuple[datetime, str, int, Change]] = []
    more = False
    for label, model in tracked_models().items():
        rows = list(
            model.history.model.objects.filter(history_id__gt=position.get(label, 0), history_date__lte=cutoff)
            .order_by("history_id")
            .values()[: limit + 1]
        )
        if len(rows) > limit:
            more, rows = True, rows[:limit]
        # Sort on the running maximum of the date, never lower than an earlier row's:
        # then the rows taken from each table are always a prefix of its rows, and
        # the cursor (the last id taken per table) never skips one.
        running: datetime | None = None
        for row in rows:
            running = row["history_date"] if running is None else max(running, row["history_date"])
            change = Change(
                model=label,
                id=row.get(model._meta.pk.attname),
                action=ACTIONS.get(row["history_type"], row["history_type"]),
                at=row["history_date"],
                by=row["history_user_id"],
                history_id=row["history_id"],
                data={k: v for k, v in row.items() if k not in HISTORY_FIELDS},
            )
            candidates.append((running, label, row["history_id"], change))
    candidates.sort(key=lambda item: item[:3])
    if len(candidates) > limit:
        more = True
    page = [item[3] for item in candidates[:limit]]
    for change in page:
        position[change.model] = max(position.get(change.model, 0), change.history_id)
    return page, encode_cursor(position), more
