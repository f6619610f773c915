"""Migration 0011: each article's sixteen band rows become one row of sixteen columns, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("intel", "0010_history_indexed_by_record")]
AFTER = [("intel", "0011_article_bands_one_row")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_band_rows_become_one_row_per_article_and_back():
    apps = _migrate(BEFORE)
    Article, ArticleBand = apps.get_model("intel", "Article"), apps.get_model("intel", "ArticleBand")
    whole = Article.objects.create(body="whole", content_hash="a" * 64)
    partial = Article.objects.create(body="partial", content_hash="b" * 64)
    ArticleBand.objects.bulk_create(ArticleBand(article=whole, band=b, value=1000 + b) for b in range(16))
    ArticleBand.objects.bulk_create(ArticleBand(article=partial, band=b, value=b) for b in range(3))
    try:
        apps = _migrate(AFTER)
        rows = list(apps.get_model("intel", "ArticleBands").objects.values())
        # An article with a band missing gets none (re-ingesting it makes them again).
        assert rows == [{"article_id": whole.pk, **{f"band_{b}": 1000 + b for b in range(16)}}]

        apps = _migrate(BEFORE)
        back = apps.get_model("intel", "ArticleBand").objects.order_by("band")
        assert [(r.article_id, r.band, r.value) for r in back] == [(whole.pk, b, 1000 + b) for b in range(16)]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_model_has_a_column_per_band_of_the_signature():
    from intel.ingest.minhash import BANDS
    from intel.models.articles import SIGNATURE_BANDS, ArticleBands

    assert SIGNATURE_BANDS == BANDS
    assert [f.name for f in ArticleBands._meta.get_fields() if f.name.startswith("band_")] == [
        f"band_{b}" for b in range(BANDS)
    ]
