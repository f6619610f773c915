"""Bulk changes with history versus the same change without it.

Review actions and scripts change thousands of rows with ``QuerySet.update()``;
``TrackedQuerySet`` adds a history row per changed record. This prints rows
updated per second through the tracked queryset next to a plain
``QuerySet.update()`` over the same rows (the raw baseline, same run), and the
ratio. Everything runs inside a transaction that is rolled back.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rivalscope python bench/history.py [ROWS]
"""

from __future__ import annotations

import sys

from _django import best_of, setup

setup()

from django.db import connection, models, transaction  # noqa: E402

from intel.models import Company  # noqa: E402


class _Rollback(Exception):
    pass


def main(rows: int) -> None:
    try:
        with transaction.atomic():
            Company.objects.bulk_create([Company(name=f"Bench {i}", slug=f"bench-{i}") for i in range(rows)])
            ids = list(Company.objects.filter(slug__startswith="bench-").values_list("pk", flat=True))
            flip = iter(range(10**9))

            def tracked() -> None:
                Company.objects.filter(pk__in=ids).update(ticker=f"T{next(flip)}")

            def raw() -> None:
                models.QuerySet(Company).filter(pk__in=ids).update(ticker=f"R{next(flip)}")

            raw_s = best_of(3, raw)
            tracked_s = best_of(3, tracked)
            raise _Rollback
    except _Rollback:
        pass
    print(f"database: {connection.vendor}, rows: {rows}")
    print(f"raw QuerySet.update      {rows / raw_s:>12,.0f} rows/s")
    print(f"tracked (with history)   {rows / tracked_s:>12,.0f} rows/s")
    print(f"ratio tracked/raw        {raw_s / tracked_s:>12.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
