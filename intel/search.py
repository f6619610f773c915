"""Full-text search over articles and events.

On PostgreSQL: the stored ``search_vector`` columns and their GIN indexes
(migration ``0004_search``), ``websearch_to_tsquery`` (quotes, ``or``, ``-word``
work as on a search engine) and ``ts_rank_cd``. Ranking reads every candidate's
vector, so ranking every match of a very common word over a million articles
takes seconds: the candidates are bounded to the ``SEARCH_CANDIDATES`` most
recent matches (by id), and only those are ranked. Rare and middling terms have
fewer matches than the bound, so their ranking is exact.

On SQLite (the embedded quick start): every word must appear in the title or
text, case-insensitively; results newest first.
"""

from __future__ import annotations

import json
import re

from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet

# How many of the most recent matches are ranked (see the module docstring).
SEARCH_CANDIDATES = 1000

_VECTOR_TABLES = {"intel.article": "intel_article", "intel.event": "intel_event"}


def full_text_available() -> bool:
    return connection.vendor == "postgresql"


def ranked_ids(queryset: QuerySet[Model], q: str, *, limit: int, offset: int = 0) -> list[tuple[int, float]]:
    """Ids and ranks of the best matches of ``q`` among ``queryset``'s rows, best first (PostgreSQL)."""
    table = _VECTOR_TABLES[queryset.model._meta.label_lower]
    restrict, params = "", []
    if queryset.query.where:
        # Other filters apply before the bound, so a filtered search ranks the
        # most recent matches *that pass the filters*.
        inner_sql, inner_params = queryset.order_by().values("pk").query.sql_with_params()
        restrict, params = f"AND t.id IN ({inner_sql})", list(inner_params)
    if not restrict:
        windowed = _ranked_in_window(table, q)
        if windowed is not None:
            return windowed[offset : offset + limit]
    sql = f"""
        SELECT c.id, ts_rank_cd(c.search_vector, query) AS rank
        FROM (
            SELECT t.id, t.search_vector FROM {table} t
            WHERE t.search_vector @@ websearch_to_tsquery('english'::regconfig, %s) {restrict}
            ORDER BY t.id DESC
            LIMIT %s
        ) c, websearch_to_tsquery('english'::regconfig, %s) query
        ORDER BY rank DESC, c.id DESC
        LIMIT %s OFFSET %s
    """  # noqa: S608 - table names come from the fixed map above; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [q, *params, SEARCH_CANDIDATES, q, limit, offset])
        return [(row[0], float(row[1])) for row in cursor.fetchall()]


# A term in more than this share of rows is found fastest by walking the newest
# ids (the planner's own choice); rarer ones by a window of newest ids.
WINDOW_MAX_SHARE = 0.2


def _ranked_in_window(table: str, q: str) -> list[tuple[int, float]] | None:
    """All ``SEARCH_CANDIDATES`` newest matches, ranked, read from a window of the newest rows only.

    For a term in about 1–5% of articles, finding the newest 1,000 matches read
    every match (a bitmap heap scan) or tested each row's vector walking the id
    index: 50–200 ms at a million articles. The planner's estimate of the term's
    matches (from the column's statistics) says how many newest rows should hold
    the candidates twice over; the GIN bitmap is intersected with that id range,
    so only the window's matches are read. When the window holds all the
    candidates, the result is exactly the unbounded query's (the newest matches
    are all in the newest rows); otherwise ``None``, and the caller runs that query.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} t "  # noqa: S608 - fixed table names
            "WHERE t.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)",
            [q],
        )
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        estimate = float(plan[0]["Plan"]["Plan Rows"])
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        total = float(cursor.fetchone()[0] or 0)
    if total <= 0 or estimate <= 0 or estimate / total > WINDOW_MAX_SHARE:
        return None
    window = int(SEARCH_CANDIDATES * 2 * total / estimate)
    if window >= total:
        return None  # a rare term: the GIN index finds its few matches directly
    with transaction.atomic(), connection.cursor() as cursor:
        # Bitmap scans only: the GIN bitmap ANDed with the id range. An index walk
        # testing each row's vector is what made these terms slow.
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(
            f"""
            SELECT t.id, ts_rank_cd(t.search_vector, websearch_to_tsquery('english'::regconfig, %s))
            FROM {table} t
            WHERE t.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)
              AND t.id > (SELECT max(id) FROM {table}) - %s
            ORDER BY t.id DESC
            LIMIT %s
            """,  # noqa: S608 - fixed table names
            [q, q, window, SEARCH_CANDIDATES],
        )
        rows = [(row[0], float(row[1])) for row in cursor.fetchall()]
    if len(rows) < SEARCH_CANDIDATES:
        return None
    rows.sort(key=lambda row: (-row[1], -row[0]))
    return rows


def simple_search(queryset: QuerySet[Model], q: str, fields: tuple[str, ...]) -> QuerySet[Model]:
    """Rows where every word of ``q`` is in one of ``fields`` (case-insensitive); for SQLite."""
    for word in re.findall(r"\w[\w'-]*", q)[:10]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
