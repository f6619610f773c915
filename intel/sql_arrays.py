"""Many integer keys as one PostgreSQL array parameter instead of a parameter per key.

``bigint_array`` writes the array's text for a ``%s::bigint[]`` parameter;
``many_ids`` is the value for a ``field__in=`` lookup with many keys.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import connections, models
from django.db.models.expressions import RawSQL


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
