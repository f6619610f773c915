"""Bulk writes for the ingest path: ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere.

Every stage writes its rows of database-ready values through these helpers (no
model instance per row), never with a per-row ``save()``:

* ``copy_rows``: rows for the fields given; the primary keys come back only when
  the caller asks for them, because reserving them costs a query;
* ``copy_values``: the same for rows that give some fields, the others taking
  their defaults, with the history rows and ``bulk_changed`` signal of
  ``TrackedQuerySet.bulk_create`` for a tracked model.

Model instances are created with ``bulk_create`` (through ``TrackedQuerySet``).
Errors are Django's (``IntegrityError`` and the like), as from the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections, models

from intel.models.base import TrackedQuerySet, bulk_changed, insert_returning_ids, record_bulk_history


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, returning_ids: bool = True
) -> list[int]:
    """Insert rows of database-ready values for ``fields``; return their primary keys in order
    (an empty list when ``returning_ids`` is false)."""
    if not rows:
        return []
    connection = connections[model.objects.db]
    if connection.vendor != "postgresql":
        return insert_returning_ids(model, fields, rows)
    columns = [model._meta.get_field(name).column for name in fields]
    return _copy(connection, model, columns, rows, returning_ids=returning_ids)


def copy_values(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, returning_ids: bool = True
) -> list[int]:
    """``copy_rows`` for rows that give only some fields: every other field gets what
    ``bulk_create`` would store for an instance that left it unset (its default,
    ``auto_now_add``), so a field added to the model later needs no change here.
    A tracked model's rows get their history rows, as from ``bulk_create``."""
    if not rows:
        return []
    connection = connections[model.objects.db]
    given = set(fields)
    others = [
        f for f in model._meta.concrete_fields
        if not f.primary_key and not f.generated and f.name not in given and f.attname not in given
    ]  # fmt: skip
    prototype = model()
    constant = [f.get_db_prep_save(f.pre_save(prototype, True), connection) for f in others]
    # A callable default (a timestamp, a random token) is called for each row, as for each instance.
    per_row = [i for i, f in enumerate(others) if f.has_default() and callable(f.default)]
    if per_row:
        full_rows: list[tuple[Any, ...]] = []
        for row in rows:
            values = list(constant)
            for i in per_row:
                values[i] = others[i].get_db_prep_save(others[i].get_default(), connection)
            full_rows.append((*row, *values))
    else:
        full_rows = [(*row, *constant) for row in rows]
    ids = copy_rows(model, [*fields, *(f.name for f in others)], full_rows, returning_ids=returning_ids)
    if returning_ids and isinstance(model._default_manager.all(), TrackedQuerySet):
        record_bulk_history(model, ids, history_type="+", reason="bulk create")
        bulk_changed.send(sender=model, created=True)
    return ids


def _copy(
    connection: Any, model: type[models.Model], columns: list[str], rows: Sequence[Sequence[Any]], *,
    returning_ids: bool,
) -> list[int]:  # fmt: skip
    from psycopg import sql

    table, pk = model._meta.db_table, model._meta.pk.column
    ids: list[int] = []
    with connection.cursor() as cursor:
        if returning_ids:
            # Reserve the keys first (nextval() never hands a value to two sessions).
            # The sequence is looked up once: pg_get_serial_sequence() in the select
            # list would run for every row, 4x the cost of the nextval() calls.
            cursor.execute(
                "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, %s)::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, %s)",
                [table, pk, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            columns = [pk, *columns]
        types = _column_types(cursor, table, tuple(columns))
        copy_sql = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
            sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
        )
        # Raw psycopg errors become Django's (IntegrityError…), as from the ORM.
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            # Binary rows: psycopg packs each value in C and PostgreSQL reads it without
            # parsing text (timestamps above all): cheaper per row in this process and
            # in the database (bench/ingest.py's rows; docs/benchmarks.md).
            copy.set_types(types)
            write = copy.write_row
            if returning_ids:
                for key, row in zip(ids, rows, strict=True):
                    write((key, *row))
            else:
                for row in rows:
                    write(row)
    return ids


# The columns' type oids by table, for each database connection (a new connection
# reads them again, so a migration applied meanwhile is seen after a reconnect).
_types_by_connection: WeakKeyDictionary[Any, dict[tuple[str, tuple[str, ...]], list[int]]] = WeakKeyDictionary()


def _column_types(cursor: Any, table: str, columns: tuple[str, ...]) -> list[int]:
    """The type oids of ``table``'s ``columns``, which binary ``COPY`` needs to pack each value."""
    known = _types_by_connection.setdefault(cursor.cursor.connection, {})
    if (table, columns) not in known:
        cursor.execute(
            "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped",
            [cursor.db.ops.quote_name(table)],
        )
        oids = dict(cursor.fetchall())
        known[(table, columns)] = [oids[column] for column in columns]
    return known[(table, columns)]
