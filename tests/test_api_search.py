"""``?q=`` searches articles and events: ranked full-text search on PostgreSQL, word search on SQLite."""

from __future__ import annotations

import pytest

from tests.conftest import ON_POSTGRES
from tests.factories import ArticleFactory, EventFactory, SourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    reuters = SourceFactory(reliability="A")
    return {
        "carriers": ArticleFactory(
            title="Xiaomi talks to US carriers", body="Xiaomi is in talks with carriers about phones.", source=reuters
        ),
        "india": ArticleFactory(title="Xiaomi leads India", body="Xiaomi is the top smartphone brand in India."),
        "apple": ArticleFactory(title="Apple prices", body="Apple raised iPhone prices in Europe."),
    }


def test_search_finds_articles_with_every_word(reader_api, articles):
    response = reader_api.get("/api/v1/articles/?q=xiaomi carriers")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [articles["carriers"].pk]


def test_search_combines_with_filters(reader_api, articles):
    reuters = articles["carriers"].source
    response = reader_api.get(f"/api/v1/articles/?q=xiaomi&source={reuters.pk}")
    assert [a["id"] for a in response.json()["results"]] == [articles["carriers"].pk]


def test_search_over_events(reader_api):
    wanted = EventFactory(summary="Xiaomi: market entry – United States (planned, 2019)")
    EventFactory(summary="Apple: pricing – Europe")
    response = reader_api.get("/api/v1/events/?q=united states entry")
    assert [e["id"] for e in response.json()["results"]] == [wanted.pk]


def test_nothing_found_is_an_empty_page(reader_api, articles):
    response = reader_api.get("/api/v1/articles/?q=zeppelin")
    assert response.status_code == 200
    assert response.json()["results"] == []


@pytest.mark.postgres
def test_postgres_ranks_title_matches_first_and_stems_words(reader_api, articles):
    body_only = ArticleFactory(title="Market notes", body="Analysts expect carrier deals. " * 3 + "Xiaomi too.")
    response = reader_api.get("/api/v1/articles/?q=carrier")  # stems: matches "carriers"
    results = response.json()["results"]
    assert [a["id"] for a in results] == [articles["carriers"].pk, body_only.pk]
    assert results[0]["rank"] >= results[1]["rank"] > 0


@pytest.mark.postgres
def test_postgres_search_pages_by_offset(reader_api):
    made = [ArticleFactory(title=f"Xiaomi story {n}", body=f"Xiaomi news number {n}.") for n in range(5)]
    first = reader_api.get("/api/v1/articles/?q=xiaomi&page_size=2").json()
    assert len(first["results"]) == 2 and "offset=2" in first["next"]
    seen = [a["id"] for a in first["results"]]
    url = first["next"]
    while url:
        page = reader_api.get(url).json()
        seen += [a["id"] for a in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(a.pk for a in made)


@pytest.mark.skipif(ON_POSTGRES, reason="the SQLite fallback")
def test_sqlite_search_ignores_case_and_punctuation(reader_api, articles):
    response = reader_api.get("/api/v1/articles/?q=IPHONE,")
    assert [a["id"] for a in response.json()["results"]] == [articles["apple"].pk]
