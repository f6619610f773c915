"""Bulk writes for the ingest path: ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere.

Every stage writes its rows through these helpers, never with a per-row ``save()``:

* ``copy_rows``: rows of database-ready values (no model instance per row); the
  primary keys come back only when the caller asks for them, because reserving
  them costs a query;
* ``copy_values``: the same for rows that give some fields, the others taking
  their defaults;
* ``create_instances``: what ``bulk_create`` does for model instances (field
  defaults, ``auto_now_add``, history rows and the ``bulk_changed`` signal of
  tracked models), with ``COPY`` instead of a multi-row ``INSERT`` of every value
  as a bound parameter (Django compiles and psycopg parses the 3,000 parameters of
  200 articles, which cost more than the database's work).

Errors are Django's (``IntegrityError`` and the like), as from the ORM. Also here:
``record_history`` (``record_bulk_history`` with the keys as one array),
``many_ids`` (the same for ``field__in=`` lookups), ``bigint_array`` (such an
array as one parameter) and ``unrejected`` (the rejection check without a model
instance per proposal).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from functools import cache
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.conf import settings
from django.db import connections, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

from intel.models import Reviewable
from intel.models.base import (
    TrackedQuerySet,
    _current_user_id,
    bulk_changed,
    history_copy_statement,
    insert_returning_ids,
    record_bulk_history,
)
from intel.review import rejected_fingerprints

from .context import IngestEnv

M = TypeVar("M", bound=models.Model)
D = TypeVar("D")


def unrejected(
    model: type[Reviewable], drafts: Sequence[D], fingerprint: Callable[[D], str], env: IngestEnv
) -> list[D]:
    """The drafts whose proposals a person has not rejected before (``rejected_fingerprints``).

    Fingerprints cost a hash each and, for most models, a model instance to
    compute them with (more than storing the record): they are computed only
    when a proposal of this model was ever rejected (``env.ever_rejected``).
    """
    if not drafts:
        return []
    if not env.ever_rejected(model):
        return list(drafts)
    prints = [fingerprint(draft) for draft in drafts]
    rejected = rejected_fingerprints(model, prints)
    return [draft for draft, print_ in zip(drafts, prints, strict=True) if print_ not in rejected]


def many_ids(ids: Collection[int], model: type[models.Model]) -> Collection[int] | RawSQL:
    """The value for ``field__in=`` with many keys: on PostgreSQL one array parameter
    (``IN (SELECT unnest(%s))``) instead of a parameter per key, which Django
    compiles, psycopg splices into the text and PostgreSQL parses one by one
    (up to 1,000 keys a batch for the events stage's lookups)."""
    if len(ids) < 50 or connections[model.objects.db].vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", [bigint_array(ids)])


def bigint_array(values: Iterable[int]) -> str:
    """Integers as the text of a PostgreSQL array, for a ``%s::bigint[]`` parameter.

    psycopg turns a list parameter into that text too, but in Python, one value at
    a time: several times slower than this join for a batch's signature bands (the
    client-side binding Django uses sends every parameter as text).
    """
    return "{" + ",".join(map(str, map(int, values))) + "}"


def record_history(model: type[models.Model], pks: Sequence[int]) -> None:
    """``record_bulk_history(model, pks, history_type="+", reason="bulk create")``, with the
    keys as one array parameter on PostgreSQL (see ``many_ids``)."""
    db = model.objects.db
    connection = connections[db]
    statement = _history_insert(model) if connection.vendor == "postgresql" else None
    if statement is None or not pks:
        record_bulk_history(model, pks, history_type="+", reason="bulk create", using=db)
        return
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(statement, [now, "+", "bulk create", _current_user_id(), bigint_array(pks)])


@cache
def _history_insert(model: type[models.Model]) -> str | None:
    """record_bulk_history's statement for ``model`` on PostgreSQL (the live rows copied
    by the database), or None for a model without history.

    Made once per model: reading ``model.history`` builds a new manager class each
    time (simple-history's descriptor), which is slow.
    """
    statement = history_copy_statement(model, connections[model.objects.db])
    return None if statement is None else f"{statement} = ANY(%s::bigint[])"


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
        record_history(model, ids)
        bulk_changed.send(sender=model, created=True)
    return ids


def create_instances(objs: Sequence[M]) -> None:
    """``type(objs[0]).objects.bulk_create(objs)`` for new instances of one model, with ``COPY`` on PostgreSQL.

    Sets each instance's primary key, as ``bulk_create`` does.
    """
    if not objs:
        return
    model = type(objs[0])
    db = model.objects.db
    connection = connections[db]
    if connection.vendor != "postgresql" or any(obj.pk is not None for obj in objs):
        model.objects.bulk_create(objs)
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    rows = []
    for obj in objs:
        # The same preparation as bulk_create: related objects' keys, then each
        # field's value as saved (defaults, auto_now_add) in the database's form.
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
        rows.append([field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields])
    ids = _copy(connection, model, [f.column for f in fields], rows, returning_ids=True)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db
    if isinstance(model._default_manager.all(), TrackedQuerySet):
        # What TrackedQuerySet.bulk_create adds: history rows and the signal that
        # keeps caches of names (the gazetteer) current.
        record_history(model, ids)
        bulk_changed.send(sender=model, created=True)


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
