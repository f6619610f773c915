"""Building blocks shared by the domain models: review state, spans, aliases, history.

* ``Reviewable``: anything the system makes by itself is *proposed* with a confidence
  and the method (and rule) that made it, until a person confirms or rejects it.
* ``Span``: a record traced back to the characters of the article it came from.
* ``History``: django-simple-history's records, indexed only by what reads them.
* ``TrackedQuerySet``: django-simple-history records every ``save()`` and ``delete()``;
  this queryset makes ``update()``, ``bulk_create()`` and ``bulk_update()`` leave
  history rows too, so no change to a core record goes unrecorded. (``delete()`` on
  a queryset already sends per-row signals because history listens for them.)
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any, TypeVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.utils import timezone
from simple_history.models import HistoricalRecords

from intel.choices import Method, ReviewStatus
from intel.sql_arrays import bigint_array

M = TypeVar("M", bound=models.Model)

# Primary keys are bound in chunks so that SQLite's limit on bound parameters is
# never reached, whatever the size of a bulk change.
_CHUNK = 500


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Record ``user`` as the author of the history rows written inside, outside a web
    request (a queued job, a command, a task): simple-history reads the author from
    the request its middleware saw, and there is none. A request's own user wins."""
    current = getattr(HistoricalRecords.context, "request", None)
    if user is None or getattr(getattr(current, "user", None), "is_authenticated", False):
        yield
        return
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        if current is None:
            del HistoricalRecords.context.request
        else:
            HistoricalRecords.context.request = current


def _current_user_id() -> int | None:
    """The logged-in user of the request being served, as the history middleware saw it."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def record_bulk_history(
    model: type[models.Model],
    pks: Sequence[Any],
    *,
    history_type: str,
    reason: str,
    using: str | None = None,
    by: Any = None,
) -> None:
    """Write one history row per primary key, copied from the live rows by the database.

    ``INSERT … SELECT`` copies the rows without loading a model instance per row in
    Python (see bench/history.py): on PostgreSQL in one statement, the keys bound as
    one array; elsewhere one statement per chunk of keys. The author is ``by`` where
    given (a merge run from a command has no request), else the request's user.
    """
    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    connection = connections[using or model._base_manager.db]
    statement = history_copy_statement(model, connection.alias)
    if statement is None:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    user = by if by is not None and getattr(by, "is_authenticated", False) and by.pk is not None else None
    head = [now, history_type, reason, user.pk if user is not None else _current_user_id()]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One parameter whatever the number of keys, so one plan for every batch.
            cursor.execute(f"{statement} = ANY(%s::bigint[])", [*head, bigint_array(pks)])
            return
        for start in range(0, len(pks), _CHUNK):
            chunk = list(pks[start : start + _CHUNK])
            cursor.execute(f"{statement} IN ({', '.join(['%s'] * len(chunk))})", [*head, *chunk])


@functools.cache
def history_copy_statement(model: type[models.Model], alias: str) -> str | None:
    """``INSERT … SELECT`` copying live rows of ``model`` into its history table, up to
    ``WHERE <primary key>``: the caller adds the condition on the key (``IN (…)``,
    ``= ANY(…)``) and its parameters after the first four, the history date, type,
    change reason and user. None for a model without history.

    Made once per model and database: reading ``model.history`` builds a new manager
    class each time (simple-history's descriptor).
    """
    connection = connections[alias]
    history_manager = getattr(model, "history", None)
    if history_manager is None:
        return None
    historical = history_manager.model
    quote = connection.ops.quote_name
    names = [f.name for f in historical.tracked_fields]
    target = [quote(historical._meta.get_field(name).column) for name in names]
    source = [quote(model._meta.get_field(name).column) for name in names]
    extra = [quote(c) for c in ("history_date", "history_type", "history_change_reason", "history_user_id")]
    return (
        f"INSERT INTO {quote(historical._meta.db_table)} ({', '.join(target + extra)}) "  # noqa: S608 - quoted identifiers only
        f"SELECT {', '.join(source)}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)}"
    )


class CurrentTransactionId(models.Func):
    """The id of the transaction writing the row: ``pg_current_xact_id()`` on PostgreSQL
    (64 bits, never wrapping), NULL elsewhere. The changes feed orders by it
    (intel/changes.py)."""

    output_field = models.BigIntegerField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return "NULL", []

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return "(pg_current_xact_id()::text::bigint)", []


class History(HistoricalRecords):
    """django-simple-history's records, with their history table indexed only by what reads it,
    and the transaction that wrote each row (``history_txid``, for the changes feed).

    History is read by record (``obj.history``: the ``id`` column), by the changes
    feed (``history_txid``, ``history_id``) and by user; simple_history indexes
    those. It also copies every foreign key's and indexed field's index into the
    history table, yet nothing filters history by them, and each costs an entry
    per history row: eleven on the ingest path's history rows of an article, PostgreSQL
    CPU spent for nothing (bench/ingest.py; docs/benchmarks.md).
    """

    def copy_fields(self, model: type[models.Model]) -> dict[str, models.Field[Any, Any]]:
        fields: dict[str, models.Field[Any, Any]] = super().copy_fields(model)
        for name, field in fields.items():
            if name != model._meta.pk.name:
                field.db_index = False
        return fields

    def get_extra_fields(self, model: type[models.Model], fields: dict[str, Any]) -> dict[str, Any]:
        extra: dict[str, Any] = super().get_extra_fields(model, fields)
        # Filled by the database, so every way of writing history rows (save(), the
        # INSERT … SELECT of bulk writes) records it without naming it.
        extra["history_txid"] = models.BigIntegerField(null=True, editable=False, db_default=CurrentTransactionId())
        return extra

    def get_meta_options(self, model: type[models.Model]) -> dict[str, Any]:
        meta: dict[str, Any] = super().get_meta_options(model)
        # The changes feed reads each table in (transaction, id) order from a cursor.
        by_transaction = models.Index(
            fields=["history_txid", "history_id"],
            condition=Q(history_txid__isnull=False),
            name=f"hist_{model._meta.model_name[:17]}_txid",
        )
        meta["indexes"] = (*meta.get("indexes", ()), by_transaction)
        return meta


# Sent after a bulk write (update, bulk_create) on a tracked model, which sends no
# per-row signals: caches of names (the gazetteer) listen to it.
bulk_changed = Signal()


class TrackedQuerySet(models.QuerySet[M]):
    """A queryset whose bulk writes are recorded in the model's history table."""

    def update(self, **kwargs: Any) -> int:
        # The primary keys are read and the rows updated in one transaction, so the
        # history rows describe exactly the rows this statement changed.
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            record_bulk_history(self.model, pks, history_type="~", reason="bulk update", using=self.db)
            if pks:
                bulk_changed.send(sender=self.model, update_fields=set(kwargs))
        return count

    def bulk_create(self, objs: Iterable[M], *args: Any, **kwargs: Any) -> list[M]:
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            # With ignore_conflicts the skipped rows come back without a primary key.
            pks = [obj.pk for obj in created if obj.pk is not None]
            record_bulk_history(self.model, pks, history_type="+", reason="bulk create", using=self.db)
            if pks:
                bulk_changed.send(sender=self.model, created=True)
        return created

    # ``bulk_update()`` needs no override: Django implements it with ``update()``
    # on this queryset class, which records the history rows above.


TrackedManager = models.Manager.from_queryset(TrackedQuerySet)


def fingerprint_of(parts: Iterable[object]) -> str:
    """A stable hash of what makes two proposals "the same thing" (case-insensitive)."""
    raw = "\x1f".join(str(part).casefold() for part in parts)
    return hashlib.sha256(raw.encode()).hexdigest()


class Reviewable(models.Model):
    """A record that may have been made automatically and awaits a person's verdict."""

    # Indexed through ``review_indexes()``: a plain index, without the second
    # ``varchar_pattern_ops`` one Django adds for ``db_index`` on a CharField
    # (it serves only LIKE queries, never made on a status, and costs every insert).
    review_status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.CONFIRMED)
    confidence = models.FloatField(
        default=1.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="How sure the method that made this record was, from 0 to 1.",
    )
    method = models.CharField(max_length=16, choices=Method.choices, default=Method.MANUAL)
    method_detail = models.CharField(
        max_length=200, blank=True, help_text="The rule or component that made this record."
    )
    # No index: nothing looks records up by reviewer often enough to pay for one
    # on every insert of the ingest path's busiest tables.
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def fingerprint_parts(self) -> tuple[object, ...]:
        """What makes two proposals "the same thing" across ingests. Subclasses override."""
        return (self.pk,)

    def proposal_fingerprint(self) -> str:
        return fingerprint_of(self.fingerprint_parts())


def review_constraints() -> list[models.BaseConstraint]:
    """Constraints every concrete ``Reviewable`` lists in its ``Meta``.

    Django keeps only one parent's ``Meta.constraints``, so a model that is both
    reviewable and a span names both lists explicitly.
    """
    return [
        models.CheckConstraint(
            condition=Q(confidence__gte=0.0) & Q(confidence__lte=1.0),
            name="%(app_label)s_%(class)s_confidence_0_1",
            violation_error_message="Confidence must be between 0 and 1.",
        ),
    ]


def review_indexes() -> list[models.Index]:
    """Indexes every concrete ``Reviewable`` lists in its ``Meta`` (the review queues filter on the status)."""
    return [models.Index(fields=["review_status"], name="%(app_label)s_%(class)s_review")]


def span_constraints() -> list[models.BaseConstraint]:
    """Constraints every concrete ``Span`` lists in its ``Meta``."""
    return [
        models.CheckConstraint(
            condition=Q(end__gt=models.F("start")),
            name="%(app_label)s_%(class)s_span_not_empty",
            violation_error_message="A span must end after it starts.",
        ),
    ]


class Span(models.Model):
    """A character span ``[start, end)`` of an article's body text."""

    start = models.PositiveIntegerField(help_text="Offset of the first character in the article body.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character.")

    class Meta:
        abstract = True


class Alias(models.Model):
    """Another name for a record. Short or ambiguous names ("US", "Apple") are case-sensitive."""

    text = models.CharField(max_length=200)
    case_sensitive = models.BooleanField(
        default=False, help_text="Match only with this exact capitalisation (for short or ambiguous names)."
    )

    objects = TrackedManager()

    class Meta:
        abstract = True
        ordering = ["text"]

    def __str__(self) -> str:
        return self.text


def alias_unique_constraint(owner: str) -> models.UniqueConstraint:
    """One alias text (ignoring case) per owner record."""
    return models.UniqueConstraint(
        Lower("text"),
        owner,
        name=f"%(app_label)s_%(class)s_unique_text_per_{owner}",
        violation_error_message="This record already has that alias.",
    )


def alias_meta(owner: str) -> type:
    """The ``Meta`` of an ``Alias`` whose foreign key to its record is ``owner``
    ("company" for ``CompanyAlias``): named after the owner, one text per owner record."""

    class Meta(Alias.Meta):
        verbose_name = f"{owner} alias"
        verbose_name_plural = f"{owner} aliases"
        constraints = [alias_unique_constraint(owner)]

    return Meta


class RejectedProposal(models.Model):
    """A proposal a person rejected, remembered by fingerprint.

    Ingestion consults this table before proposing anything, so rejecting a record
    once means the same proposal never comes back, even after the record is deleted
    or another article suggests it again.
    """

    model_label = models.CharField(max_length=100, help_text='The model, e.g. "intel.company".')
    fingerprint = models.CharField(max_length=64)
    description = models.CharField(max_length=500, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "rejected proposal"
        ordering = ["-rejected_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_label", "fingerprint"], name="intel_rejectedproposal_unique_fingerprint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model_label}: {self.description or self.fingerprint[:12]}"


def insert_returning_ids(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """Insert rows of database-ready values; return their primary keys, in order.

    For the ingest path's largest tables (mentions), without building a model
    instance per row, which costs more than the insert itself: one multi-row
    ``INSERT … RETURNING`` per chunk. (On PostgreSQL the ingest path sends
    ``COPY`` instead, ``intel.ingest.bulk.copy_rows``.)
    """
    if not rows:
        return []
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    table, pk = model._meta.db_table, model._meta.pk.column
    columns = [model._meta.get_field(name).column for name in fields]
    column_sql = ", ".join(quote(column) for column in columns)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    model_fields = [model._meta.get_field(name) for name in fields]
    # The backend's own limit on bound parameters decides the chunk.
    chunk = max(1, connection.ops.bulk_batch_size(model_fields, rows))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {quote(table)} ({column_sql}) VALUES {', '.join([row_sql] * len(part))} "  # noqa: S608
                f"RETURNING {quote(pk)}",
                [value for row in part for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
    return ids
