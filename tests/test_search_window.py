"""Bounded ranking looks at a window of the newest rows when that gives the same candidates.

``intel.search.ranked_ids`` ranks the ``SEARCH_CANDIDATES`` newest matches. For
frequent terms it first searches a window of the newest rows sized from the
planner's estimate; these tests shrink the bound so a few hundred articles
exercise both paths, and compare every answer with the unbounded query's.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel import search
from intel.models import Article
from intel.models.articles import content_hash_of

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def corpus():
    """400 articles: "common" in three of four, "middling" in one of ten, "scarce" in two."""
    rows = []
    for n in range(400):
        words = ["filler", f"unique{n}"]
        if n % 4:
            words.append("common")
        if n % 10 == 0:
            words.append("middling")
        if n in (3, 250):
            words.append("scarce")
        body = " ".join(words + [f"repeat{n % 7}"] * (1 + n % 5)) + "."
        rows.append(Article(title=f"Story {n}", body=body, content_hash=content_hash_of(body), url=""))
    Article.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intel_article")
    return list(Article.objects.order_by("id").values_list("id", flat=True))


def unbounded(q: str, limit: int, offset: int = 0) -> list[tuple[int, float]]:
    with connection.cursor() as cursor:
        rows = search._ranked(cursor, "intel_article", q, "", [], limit, offset)
    return [(row[0], float(row[1])) for row in rows]


def windowed_queries(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if "t.id >" in q["sql"] and "EXPLAIN" not in q["sql"]]


@pytest.fixture
def small_bound(monkeypatch):
    monkeypatch.setattr(search, "SEARCH_CANDIDATES", 10)


def test_a_frequent_term_is_ranked_from_a_window_with_the_same_answer(corpus, small_bound):
    with CaptureQueriesContext(connection) as ctx:
        found = search.ranked_ids(Article.objects.all(), "common", limit=8)
    assert found == unbounded("common", 8)
    assert len(windowed_queries(ctx.captured_queries)) == 1
    # The window was enough: no unbounded query followed it.
    ranked = [q for q in ctx.captured_queries if "ts_rank_cd" in q["sql"]]
    assert len(ranked) == 1
    # Every candidate is among the 10 newest matches.
    newest = set(Article.objects.filter(body__contains="common").order_by("-id").values_list("id", flat=True)[:10])
    assert {pk for pk, _ in found} <= newest


def test_pages_of_a_windowed_search_match_the_unbounded_pages(corpus, small_bound):
    for offset in (0, 3, 5, 9, 10):
        assert search.ranked_ids(Article.objects.all(), "middling", limit=5, offset=offset) == unbounded(
            "middling", 5, offset
        )


def test_a_scarce_term_searches_everything(corpus, small_bound):
    with CaptureQueriesContext(connection) as ctx:
        found = search.ranked_ids(Article.objects.all(), "scarce", limit=10)
    assert sorted(pk for pk, _ in found) == [corpus[3], corpus[250]]
    assert windowed_queries(ctx.captured_queries) == []


def test_a_window_that_falls_short_gives_way_to_the_unbounded_query(corpus, small_bound, monkeypatch):
    # An estimate far too high: the window of the two newest rows cannot hold 10 matches.
    monkeypatch.setattr(search, "_window", lambda *args: (corpus[-3], 0.75))
    with CaptureQueriesContext(connection) as ctx:
        found = search.ranked_ids(Article.objects.all(), "common", limit=8)
    assert found == unbounded("common", 8)
    assert len([q for q in ctx.captured_queries if "ts_rank_cd" in q["sql"]]) == 2


def test_filters_apply_inside_the_window(corpus, small_bound):
    older_half = Article.objects.filter(pk__lte=corpus[200])
    found = search.ranked_ids(older_half, "common", limit=50)
    assert found and all(pk <= corpus[200] for pk, _ in found)
    assert len(found) == 10  # the bound, from the filtered rows


def test_the_window_is_sized_from_the_estimated_share(corpus, small_bound):
    with connection.cursor() as cursor:
        common = search._window(cursor, "intel_article", "common", "", [])
        middling = search._window(cursor, "intel_article", "middling", "", [])
        scarce = search._window(cursor, "intel_article", "scarce", "", [])
    assert common is not None and middling is not None and scarce is None
    # A term in 3/4 of the rows needs about 17 rows for 12.5 matches; one in 1/10 about 125.
    assert corpus[-1] - 30 <= common[0] < corpus[-1] - 10
    assert corpus[-1] - 220 <= middling[0] < corpus[-1] - 100
    assert common[1] == pytest.approx(0.75, abs=0.1) and middling[1] == pytest.approx(0.1, abs=0.05)


def test_a_window_of_a_less_common_term_is_searched_with_bitmaps_only_for_that_query(corpus, small_bound):
    with CaptureQueriesContext(connection) as ctx:
        found = search.ranked_ids(Article.objects.all(), "middling", limit=8)
    assert found == unbounded("middling", 8)
    sqls = [q["sql"] for q in ctx.captured_queries]
    assert any("set_config('enable_indexscan', 'off', true)" in sql for sql in sqls)
    # The test runs inside a transaction: the setting was put back for what follows.
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"


def test_a_window_of_a_very_common_term_is_left_to_the_planner(corpus, small_bound):
    with CaptureQueriesContext(connection) as ctx:
        search.ranked_ids(Article.objects.all(), "common", limit=8)
    assert not any("enable_indexscan" in q["sql"] for q in ctx.captured_queries)


def test_a_page_past_the_bound_is_empty_without_a_query(corpus, small_bound, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert search.ranked_ids(Article.objects.all(), "common", limit=5, offset=10) == []
    assert unbounded("common", 5, 10) == []
