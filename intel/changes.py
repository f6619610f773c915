"""The changes feed: every create, update and delete of a tracked record, in order, from a cursor.

A consumer keeps the cursor of the last page it read and asks for what came
after it, so it stays in sync without re-reading everything. The feed is read
from the history tables (django-simple-history, and ``TrackedQuerySet`` for bulk
writes), so it covers exactly the models with history.

The cursor holds, per history table, the position of the last row delivered.
That position must never pass a row that is still to come, and history ids alone
cannot promise it: they come from a sequence, so a transaction that commits late
holds smaller ids than rows already committed by others.

* **PostgreSQL.** Each history row records the transaction that wrote it
  (``history_txid``, filled by the database: ``pg_current_xact_id()``). Rows are
  delivered in (transaction, id) order, and only those of transactions older than
  the oldest one still running (``pg_snapshot_xmin``): that set can no longer grow,
  so a cursor inside it skips nothing, however long a transaction stays open. A
  transaction left open holds the feed back until it ends (set PostgreSQL's
  ``idle_in_transaction_session_timeout``).
* **SQLite** has one writer at a time (``BEGIN IMMEDIATE``), so ids are handed out in
  commit order and the id alone is the position.

Rows written before transactions were recorded (``history_txid`` NULL) come first,
in id order, as transaction 0.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Model, QuerySet

ACTIONS = {"+": "created", "~": "updated", "-": "deleted"}
HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "history_txid",
}

# (transaction, history id): transaction 0 for rows without one (SQLite, older rows).
Position = tuple[int, int]


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


def encode_cursor(position: dict[str, Position]) -> str:
    # A table read only by id keeps the plain number cursors have always held.
    plain = {label: (list(at) if at[0] else at[1]) for label, at in position.items()}
    raw = json.dumps(plain, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63


def decode_cursor(cursor: str) -> dict[str, Position]:
    if not cursor:
        return {}
    refused = BadCursor("The cursor is not one this feed gave out.")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        plain = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise refused from error
    if not isinstance(plain, dict):
        raise refused
    position: dict[str, Position] = {}
    for label, at in plain.items():
        if _is_count(at):
            position[label] = (0, at)
        elif isinstance(at, list) and len(at) == 2 and all(_is_count(v) for v in at):
            position[label] = (at[0], at[1])
        else:
            raise refused
    return position


def _settled_below() -> int | None:
    """The oldest transaction still running (PostgreSQL): every row of an older one is
    committed or gone for good. None where ids alone order the rows (SQLite). Read once
    per page, before any history row: one horizon for every table."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
        return int(cursor.fetchone()[0])


def _rows_after(history: QuerySet[Any], at: Position, settled_below: int | None, limit: int) -> list[dict[str, Any]]:
    """Up to ``limit`` settled history rows after ``at``, in (transaction, id) order."""
    txid, history_id = at
    rows: list[dict[str, Any]] = []
    if txid == 0:
        rows = list(
            history.filter(history_txid__isnull=True, history_id__gt=history_id).order_by("history_id").values()[:limit]
        )
        history_id = 0
    if settled_below is None or len(rows) >= limit:
        return rows
    later = (
        history.filter(history_txid__gte=txid, history_txid__lt=settled_below)
        .exclude(history_txid=txid, history_id__lte=history_id)
        .order_by("history_txid", "history_id")
        .values()[: limit - len(rows)]
    )
    return rows + list(later)


def _position_of(row: dict[str, Any]) -> Position:
    return (row["history_txid"] or 0, row["history_id"])


def head_cursor() -> str:
    """A cursor at the newest settled change: a consumer starting now reads only what comes after."""
    position: dict[str, Position] = {}
    settled_below = _settled_below()
    for label, model in tracked_models().items():
        history = model.history.model.objects
        if settled_below is None:
            last = history.order_by("-history_id").values("history_txid", "history_id").first()
        else:
            last = (
                history.filter(history_txid__lt=settled_below)
                .order_by("-history_txid", "-history_id")
                .values("history_txid", "history_id")
                .first()
            ) or history.filter(history_txid__isnull=True).order_by("-history_id").values(
                "history_txid", "history_id"
            ).first()
        if last:
            position[label] = _position_of(last)
    return encode_cursor(position)


def changes_after(cursor: str, *, limit: int) -> tuple[list[Change], str, bool]:
    """The next ``limit`` changes after ``cursor``, the cursor after them, and whether more are waiting."""
    position = decode_cursor(cursor)
    candidates: list[tuple[int, datetime, str, int, Change]] = []
    more = False
    settled_below = _settled_below()
    for label, model in tracked_models().items():
        history = model.history.model.objects
        rows = _rows_after(history, position.get(label, (0, 0)), settled_below, limit + 1)
        if len(rows) > limit:
            more, rows = True, rows[:limit]
        # Across tables, changes go by transaction, then by the running maximum of the
        # date, never lower than an earlier row's: each table's order is kept, so the
        # rows taken from it are a prefix of its rows and the cursor skips none.
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
            candidates.append((row["history_txid"] or 0, running, label, row["history_id"], change))
    candidates.sort(key=lambda item: item[:4])
    if len(candidates) > limit:
        more = True
    for txid, _, label, history_id, _ in candidates[:limit]:
        position[label] = max(position.get(label, (0, 0)), (txid, history_id))
    return [item[4] for item in candidates[:limit]], encode_cursor(position), more
