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

import re

from django.db import connection
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


def simple_search(queryset: QuerySet[Model], q: str, fields: tuple[str, ...]) -> QuerySet[Model]:
    """Rows where every word of ``q`` is in one of ``fields`` (case-insensitive); for SQLite."""
    for word in re.findall(r"\w[\w'-]*", q)[:10]:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
