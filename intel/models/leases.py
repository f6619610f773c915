"""Leases: how a row of background work is handed to one holder at a time, for a while.

A *lease* is a row's promise to one holder (a poll task, an ingest task, a worker
sending an alert): ``lease_token`` names the holder, ``lease_until`` says until when
the promise lasts. A row is held while ``now < lease_until``; from ``lease_until`` on
it is *free* again, as is a row that was never leased or whose lease was released
(both fields ``NULL``). Feeds, feed entries, ingest jobs and alert deliveries all
carry one (:class:`Leased`) and are all claimed the same way
(:meth:`LeasedQuerySet.claim`).

Claiming selects the free rows a caller asks for ``FOR UPDATE SKIP LOCKED`` and, in
the same transaction, stamps them with a fresh token and ``lease_until = now +
lease``. ``SKIP LOCKED`` is what lets any number of claimers run at once: a second
claimer skips the rows the first one's transaction has locked instead of waiting for
them (and then claiming them too, or failing), and once the first commits those rows
are held, so no later claim selects them. Two claimers never get the same row, and
neither ever waits for the other.

When a lease runs out, its holder is presumed lost (the task vanished with a broker
restart, the worker was killed): the row is free, and the next claim takes it under
a new token. The old holder is not told; it finds out because every write it makes is
conditioned on its token (``held(token)``), which no longer matches, so a late holder
changes nothing. Until another claim takes the row, though, the token still matches
and a slow holder may finish. The lease must therefore outlast the work it covers:
``lease_length()`` is longer than any task's hard time limit, so a live holder never
loses its row. What a lost holder means for the row (an error with backoff for a
feed, another attempt for an ingest job) is the claimer's business: ``Claim.taken_over``
lists the rows whose previous lease had run out.

SQLite has no row locks: ``select_for_update`` does nothing there. Its write
transactions start with ``BEGIN IMMEDIATE`` (config/settings/base.py), so claims run
one at a time, each seeing the previous one's leases: as safe, only serial.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

L = TypeVar("L", bound="Leased")

# The values that end a lease, for ``update()`` and for a plan of field values.
NO_LEASE: Mapping[str, None] = {"lease_token": None, "lease_until": None}


def lease_length() -> timedelta:
    """How long a lease lasts (``RIVALSCOPE_MONITOR_LEASE``): longer than any task's hard
    time limit, so a live holder never loses its row; a lost holder's row is free again then."""
    return timedelta(seconds=settings.RIVALSCOPE_MONITOR_LEASE)


def new_lease(now: datetime) -> dict[str, Any]:
    """The lease a new holder takes at ``now``, as field values: for an ``update()`` that
    takes one row outside a claim (a delivery's sending), or a row created held (an
    immediate delivery, sent by the task queued with it)."""
    return {"lease_token": uuid.uuid4(), "lease_until": now + lease_length()}


def as_token(token: uuid.UUID | str) -> uuid.UUID:
    """A token as tasks carry it (a string) or as a claim made it."""
    return token if isinstance(token, uuid.UUID) else uuid.UUID(token)


@dataclass(frozen=True)
class Claim:
    """The rows one claim leased, under one token, until ``until``."""

    ids: list[int]
    token: uuid.UUID
    until: datetime
    # The claimed rows that still carried an earlier holder's token: that lease ran out.
    taken_over: frozenset[int] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.ids)


class LeasedQuerySet(models.QuerySet[L]):
    """Rows that carry a lease: claim them, find those a token holds, release them."""

    def free(self, now: datetime) -> LeasedQuerySet[L]:
        """The rows no one holds at ``now``: never leased, released, or whose lease ran out."""
        return self.filter(Q(lease_until__isnull=True) | Q(lease_until__lte=now))

    def held(self, token: uuid.UUID | str) -> LeasedQuerySet[L]:
        """The rows leased to ``token`` (still, whether or not the lease has run out)."""
        return self.filter(lease_token=as_token(token))

    def release(self) -> int:
        """End these rows' leases; how many rows were updated."""
        return self.update(**NO_LEASE)

    def claim(
        self,
        *,
        now: datetime,
        limit: int,
        order_by: Sequence[str],
        lease: timedelta | None = None,
        also: Mapping[str, Any] | None = None,
    ) -> Claim:
        """Lease up to ``limit`` of these rows that are free at ``now``, first by ``order_by``.

        One transaction: select them ``FOR UPDATE SKIP LOCKED`` (rows another claimer is
        claiming right now are skipped, not waited for), then one UPDATE stamping a fresh
        token and ``lease_until = now + lease`` (``lease_length()`` unless given), with
        ``also``'s values (a feed's next check, a job's status). Callers inside a
        transaction of their own keep the rows locked until it commits.
        """
        token = uuid.uuid4()
        until = now + (lease if lease is not None else lease_length())
        with transaction.atomic(using=self.db):
            # of=("self",): a filter or order through a nullable relation must not try
            # to lock the other table (PostgreSQL refuses to lock an outer join's side).
            rows = list(
                self.free(now)
                .select_for_update(skip_locked=True, of=("self",))
                .order_by(*order_by)
                .values_list("pk", "lease_token")[:limit]
            )
            ids = [pk for pk, _ in rows]
            if ids:
                self.model._default_manager.using(self.db).filter(pk__in=ids).update(
                    lease_token=token, lease_until=until, **(also or {})
                )
        taken_over = frozenset(pk for pk, previous in rows if previous is not None)
        return Claim(ids=ids, token=token, until=until, taken_over=taken_over)


LeasedManager = models.Manager.from_queryset(LeasedQuerySet)


class Leased(models.Model):
    """A row of background work that one holder at a time may lease (see this module's docstring).

    ``Model.objects.filter(<what is due>).claim(now=…, limit=…, order_by=…)`` leases
    rows; ``.held(token)`` finds those a holder still has; ``.release()`` or
    ``end_lease()`` ends a lease.
    """

    lease_token = models.UUIDField(
        null=True, blank=True, editable=False, help_text="The holder of the current lease (none when free)."
    )
    lease_until = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the current lease runs out: a holder not finished by then is presumed lost.",
    )

    LEASE_FIELDS: ClassVar[tuple[str, str]] = ("lease_token", "lease_until")

    objects = LeasedManager()

    class Meta:
        abstract = True

    def end_lease(self) -> None:
        """End this row's lease in memory (save ``LEASE_FIELDS`` to store it)."""
        self.lease_token = None
        self.lease_until = None
