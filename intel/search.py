"""Full-text search over articles and events.

On PostgreSQL: the stored ``search_vector`` columns and their GIN indexes
(migration ``0004_search``), ``websearch_to_tsquery`` (quotes, ``or``, ``-word``
work as on a search engine) and ``ts_rank_cd``.

**Bounded ranking.** Ranking reads every candidate's vector, so ranking every
match of a very common word over a million articles takes seconds: only the
``SEARCH_CANDIDATES`` most recent matches (by id) are ranked. Rare and middling
terms have fewer matches than the bound, so their ranking is exact.

**Finding those candidates cheaply.** Collecting every match to keep the newest
thousand visits one table page per match: for a common word, a large part of the
table (docs/benchmarks.md). When the planner expects more matches than the
bound, the query first looks only at a window of the newest rows, sized from
the planner's estimate of the query's share of rows to hold about
``WINDOW_SLACK`` times the bound; the GIN bitmap is intersected with the id
range, so only the window's matches are visited (for all but very common
terms the planner is told to, see ``_bitmap_scans``). If the window holds the whole
bound, its newest matches *are* the newest matches overall (every row outside
it is older), so the candidates are exactly those of the unbounded query;
otherwise (an estimate that was too high) the unbounded query runs. The
estimate comes from the column's statistics, whose most-common-words list is
enlarged (migration ``0007_search_statistics``) so that words down to about
0.1% of rows are in it; a rarer word is estimated as rare and runs unbounded,
which is cheap because it is rare.

On SQLite (the embedded quick start): every word must appear in the title or
text, case-insensitively; results newest first.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet

# How many of the most recent matches are ranked (see the module docstring).
SEARCH_CANDIDATES = 1000
# A window is sized to hold this many times SEARCH_CANDIDATES expected matches, so
# that a fair estimate rarely falls short (a shortfall costs the unbounded query).
WINDOW_SLACK = 1.25
# Windows wider than this share of the table save nothing over the unbounded query.
MAX_WINDOW_SHARE = 0.5
# Below this share of rows, a window's matches are found by ANDing the GIN bitmap with
# the id range (a cost per match of the whole table, plus the window's matches);
# above it, by testing each row of the (then small) window (a dearer cost per row, the
# vector read from TOAST). The value is where the two cross in ``bench/api.py --sweep``
# (docs/benchmarks.md).
BITMAP_BELOW_SHARE = 0.12

_VECTOR_TABLES = {"intel.article": "intel_article", "intel.event": "intel_event"}
_TSQUERY = "websearch_to_tsquery('english'::regconfig, %s)"


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def ranked_ids(queryset: QuerySet[Model], q: str, *, limit: int, offset: int = 0) -> list[tuple[int, float]]:
    """Ids and ranks of the best matches of ``q`` among ``queryset``'s rows, best first (PostgreSQL)."""
    if offset >= SEARCH_CANDIDATES:
        return []  # past the bound: nothing is ranked there, whatever the query
    table = _VECTOR_TABLES[queryset.model._meta.label_lower]
    restrict, params = "", []
    if queryset.query.where:
        # Other filters apply before the bound, so a filtered search ranks the
        # most recent matches *that pass the filters*.
        inner_sql, inner_params = queryset.order_by().values("pk").query.sql_with_params()
        restrict, params = f"AND t.id IN ({inner_sql})", list(inner_params)
    with connection.cursor() as cursor:
        window = _window(cursor, table, q, restrict, params)
        if window is not None:
            floor, share = window
            windowed = f"{restrict} AND t.id > %s"
            with _bitmap_scans(cursor) if share < BITMAP_BELOW_SHARE else nullcontext():
                rows = _ranked(cursor, table, q, windowed, [*params, floor], limit, offset, fence=True)
            # Every candidate row carries the candidates' count; a full window is exact.
            if rows and rows[0][2] >= SEARCH_CANDIDATES:
                return [(row[0], float(row[1])) for row in rows]
        rows = _ranked(cursor, table, q, restrict, params, limit, offset)
        return [(row[0], float(row[1])) for row in rows]


@contextmanager
def _bitmap_scans(cursor: Any) -> Iterator[None]:
    """Plain index scans off for one query: the planner then ANDs the GIN bitmap with the id range.

    Left to itself, for windows under about 30,000 rows it walks the primary key
    over the window testing ``@@`` on each row, which it prices as a cheap operator
    although each test reads a 2 KB vector from TOAST: several times slower than the
    bitmaps for a word in a few hundredths of the rows (docs/benchmarks.md). ``set_config(…, true)``
    lasts until the end of the transaction, so the query runs in one; inside a
    caller's transaction the previous value is put back.
    """
    # In a caller's transaction (atomic, or autocommit off) the setting would outlive this query.
    outer = connection.in_atomic_block or not connection.get_autocommit()
    with transaction.atomic():
        cursor.execute("SELECT current_setting('enable_indexscan'), set_config('enable_indexscan', 'off', true)")
        previous = cursor.fetchone()[0]
        yield
        if outer:
            cursor.execute("SELECT set_config('enable_indexscan', %s, true)", [previous])


def _ranked(
    cursor: Any, table: str, q: str, restrict: str, params: list[Any], limit: int, offset: int, *, fence: bool = False
) -> list[Any]:
    """Ranked candidates, each row with the number of candidates.

    ``fence`` plans the matching on its own (``OFFSET 0`` keeps PostgreSQL from
    merging it with the ``ORDER BY id DESC LIMIT``): otherwise, for a window, the
    planner walks the primary key backwards checking ``@@`` row by row, costing
    each check as a cheap operator although it reads a 2 KB vector from TOAST
    (several times slower than the GIN bitmap ANDed with the id range,
    docs/benchmarks.md).
    """
    # Table names come from the fixed map above; values are parameters.
    matches = f"SELECT t.id, t.search_vector FROM {table} t WHERE t.search_vector @@ {_TSQUERY} {restrict}"  # noqa: S608
    if fence:
        matches = f"SELECT m.id, m.search_vector FROM ({matches} OFFSET 0) m"  # noqa: S608
    sql = f"""
        SELECT c.id, ts_rank_cd(c.search_vector, query) AS rank, count(*) OVER () AS candidates
        FROM ({matches} ORDER BY 1 DESC LIMIT %s) c, {_TSQUERY} query
        ORDER BY rank DESC, c.id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608
    cursor.execute(sql, [q, *params, SEARCH_CANDIDATES, q, limit, offset])
    return cursor.fetchall()


def _window(cursor: Any, table: str, q: str, restrict: str, params: list[Any]) -> tuple[int, float] | None:
    """The id above which the newest rows are expected to hold enough matches, and the query's
    expected share of rows; or None to search all.

    One planner call (no execution) for the expected share of matching rows, and
    one index lookup for the newest id.
    """
    cursor.execute(
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} t WHERE t.search_vector @@ {_TSQUERY} {restrict}",  # noqa: S608
        [q, *params],
    )
    plan = cursor.fetchone()[0]
    expected = float((json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"])
    if expected <= SEARCH_CANDIDATES * WINDOW_SLACK:
        return None
    cursor.execute(
        "SELECT c.reltuples, (SELECT max(id) FROM " + table + ") FROM pg_class c WHERE c.oid = %s::regclass",  # noqa: S608
        [table],
    )
    total, newest = cursor.fetchone()
    if not newest or not total or total <= 0:
        return None
    share = min(expected / total, 1.0)
    window = math.ceil(SEARCH_CANDIDATES * WINDOW_SLACK / share)
    if window >= total * MAX_WINDOW_SHARE:
        return None
    return int(newest) - window, share


def simple_search(queryset: QuerySet[Model], q: str, fields: tuple[str, ...]) -> QuerySet[Model]:
    """Rows where every word of ``q`` is in one of ``fields`` (case-insensitive); for SQLite."""
    for word in re.findall(r"\w[\w'-]*", q)[:10]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
