"""The gazetteer's names, read from the database: every name and alias worth matching
(``load_entries``), all of them or only those added since a given key per table, and
the keys to start from (``watermark``).

Raw SQL, one statement for the eight tables; the automaton built from the entries is
``gazetteer.py``'s, and when to read again is ``gazetteer_cache.py``'s decision.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import connections

from intel.choices import MarketKind, ReviewStatus
from intel.models import (
    Company,
    CompanyAlias,
    Market,
    MarketAlias,
    Person,
    PersonAlias,
    Product,
    ProductAlias,
)
from intel.sql_arrays import bigint_array

from .gazetteer import Entry


def load_entries(
    after: dict[str, int] | None = None, also: dict[str, set[int]] | None = None
) -> tuple[list[Entry], dict[str, set[int]]]:
    """Every name and alias worth matching (rejected records are left out), and the
    keys of the rows read, per model.

    With ``after``, only rows whose primary key is above the given one per model,
    and those whose keys ``also`` lists: the names added since the last read.

    One statement for the eight tables (a UNION ALL in key order): this read runs
    for every batch that follows one which proposed names, and eight ORM queries
    cost more in compiling and round trips there than the rows they read.
    Key order also decides ties: where two names or two aliases of a kind are
    alike, a match links the one stored first (flagged ambiguous), in the full
    build as across the small automatons of names added later.
    """
    after, also = after or {}, also or {}
    connection = connections[Company.objects.db]
    quote = connection.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []

    def newer(alias: str, model: type[Any]) -> str:
        key = model._meta.model_name
        if key not in after:
            return ""
        params.append(after[key])
        if not also.get(key):
            return f" AND {alias}.id > %s"
        sql, values = _key_set(connection.vendor, also[key])
        params.extend(values)
        return f" AND ({alias}.id > %s OR {alias}.id {sql})"

    for position, (kind, owner, alias_model, keep) in enumerate(_NAMED):
        table, alias_table = quote(owner._meta.db_table), quote(alias_model._meta.db_table)
        owner_column = quote(alias_model._meta.get_field(kind).column)
        demonym = "a.is_demonym" if alias_model is MarketAlias else "FALSE"  # "Indian", "European"
        proposal = "FALSE" if owner is Market else f"o.review_status = '{ReviewStatus.PROPOSED.value}'"
        parts.append(
            f"SELECT {position}, 0, o.id, o.id, o.name, TRUE, FALSE, {proposal} FROM {table} o "  # noqa: S608 - quoted identifiers only
            f"WHERE {keep}{newer('o', owner)}"
        )
        parts.append(
            f"SELECT {position}, 1, a.id, a.{owner_column}, a.text, a.case_sensitive, {demonym}, {proposal} "  # noqa: S608 - quoted identifiers only
            f"FROM {alias_table} a JOIN {table} o ON o.id = a.{owner_column} WHERE {keep}{newer('a', alias_model)}"
        )
    entries: list[Entry] = []
    read: dict[str, set[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2, 3", params)
        for position, is_alias, pk, target, text, case_sensitive, demonym, proposal in cursor.fetchall():
            kind, owner, alias_model, _ = _NAMED[position]
            entries.append(Entry(kind, target, text, bool(case_sensitive), bool(demonym), not is_alias, bool(proposal)))
            read.setdefault((alias_model if is_alias else owner)._meta.model_name, set()).add(pk)
    return entries, read


# What the gazetteer reads: each kind's records (those worth matching) and their aliases.
_NAMED: tuple[tuple[str, type[Any], type[Any], str], ...] = (
    ("company", Company, CompanyAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
    ("market", Market, MarketAlias, f"o.kind <> '{MarketKind.SEGMENT.value}'"),
    ("person", Person, PersonAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
    ("product", Product, ProductAlias, f"o.review_status <> '{ReviewStatus.REJECTED.value}'"),
)


def _key_set(vendor: str, keys: set[int]) -> tuple[str, list[Any]]:
    """``IN (keys)`` as one parameter where the database takes a list in one (the cache's
    gaps, up to ``gazetteer_cache._MAX_GAPS`` keys per table: more parameters than SQLite
    allows in a statement)."""
    if vendor == "postgresql":
        return "= ANY(%s::bigint[])", [bigint_array(sorted(keys))]
    return "IN (SELECT value FROM json_each(%s))", [json.dumps(sorted(keys))]  # SQLite


# Keys are handed out before transactions commit (a batch's COPY takes hundreds at
# once), so a row with a key under the highest one read may commit later: a full
# build looks this far back, and later reads look again at every key skipped
# (``gazetteer_cache._Cache.gaps``).
_LOOKBACK = 2000


def watermark() -> dict[str, int]:
    """The highest key of each table the gazetteer reads, less the look-back margin."""
    models = (Company, CompanyAlias, Market, MarketAlias, Person, PersonAlias, Product, ProductAlias)
    return {
        model._meta.model_name: max(
            0, (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) - _LOOKBACK
        )
        for model in models
    }
