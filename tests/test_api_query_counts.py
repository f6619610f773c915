"""Each list and detail costs a fixed number of queries, whatever the page size.

Every endpoint is called with a few rows and with several times as many: both
must cost exactly the number below (authentication, permissions, the page,
and one query per prefetched relation).
"""

from __future__ import annotations

import pytest

from intel.models import Evidence, Market, Quote, Role
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    PersonFactory,
    ProductFactory,
    RelationshipFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# Token and user (1), the user's and its groups' permissions (2), then the page.
AUTH = 3


def make_rows(n: int) -> dict[str, int]:
    """``n`` of everything, fully linked; returns an id of each kind for the detail pages."""
    us = Market.objects.get(iso_code="US")
    last: dict[str, int] = {}
    for _ in range(n):
        company = CompanyFactory()
        company.aliases.create(text=f"{company.name} Inc")
        company.tags.add(TagFactory())
        person = PersonFactory()
        person.aliases.create(text=f"{person.name} Jr")
        Role.objects.create(person=person, company=company, title="CEO")
        product = ProductFactory(maker=company)
        product.aliases.create(text=f"{product.name} Pro")
        source = SourceFactory()
        article = ArticleFactory(source=source)
        article.cited_sources.add(SourceFactory())
        MentionFactory(article=article, company=company)
        MentionFactory(article=article, company=None, market=us, start=10, end=12, text="US")
        event = EventFactory()
        event.markets.add(us)
        event.tags.add(TagFactory())
        ParticipantFactory(event=event, company=company)
        quote = Quote.objects.create(article=article, text="Hello", start=0, end=5, speaker=person, reported_via=source)
        Evidence.objects.create(event=event, article=article, text="Hello", start=0, end=5, quote=quote)
        article.article_tags.create(tag=TagFactory(), reason="rule")
        relationship = RelationshipFactory(subject=company)
        last = {"companies": company.pk, "people": person.pk, "products": product.pk, "sources": source.pk,
                "articles": article.pk, "events": event.pk, "quotes": quote.pk, "relationships": relationship.pk,
                "markets": us.pk}  # fmt: skip
    return last


LISTS = {
    "/api/v1/companies/": AUTH + 3,  # page, aliases, tags
    "/api/v1/markets/": AUTH + 2,  # page, aliases
    "/api/v1/people/": AUTH + 3,  # page, aliases, roles with their company
    "/api/v1/roles/": AUTH + 1,
    "/api/v1/products/": AUTH + 2,  # page with maker, aliases
    "/api/v1/sources/": AUTH + 1,
    "/api/v1/articles/": AUTH + 1,  # page with source
    "/api/v1/mentions/": AUTH + 1,  # page with targets
    "/api/v1/events/": AUTH + 5,  # page, participants with company, markets, regulators, tags
    "/api/v1/quotes/": AUTH + 1,
    "/api/v1/tags/": AUTH + 1,
    "/api/v1/relationships/": AUTH + 1,
    "/api/v1/tag-rules/": AUTH + 1,
    "/api/v1/event-rules/": AUTH + 1,
    "/api/v1/jobs/": AUTH + 1,
}

DETAILS = {
    "companies": AUTH + 3,
    "people": AUTH + 3,
    "products": AUTH + 2,
    "sources": AUTH + 1,
    # the article, mentions, evidence with events, quotes, tags, cited sources
    "articles": AUTH + 6,
    # the event, participants, markets, regulators, tags, evidence with articles and sources
    "events": AUTH + 6,
    "quotes": AUTH + 1,
    "relationships": AUTH + 1,
    "markets": AUTH + 2,
}


def small_and_large_pages(reader_api, django_assert_num_queries, url: str, expected: int, make) -> tuple:
    """The first page of ``url`` (100 rows a page) over a few rows, then over several times as
    many: each must cost exactly ``expected`` queries."""
    page = ("&" if "?" in url else "?") + "page_size=100"
    make(2)
    reader_api.get(url)  # the token's first use is recorded once
    with django_assert_num_queries(expected):
        small = reader_api.get(url + page)
    make(6)
    with django_assert_num_queries(expected):
        large = reader_api.get(url + page)
    return small, large


@pytest.mark.parametrize(("url", "expected"), list(LISTS.items()))
def test_a_list_page_costs_the_same_queries_whatever_its_size(reader_api, django_assert_num_queries, url, expected):
    small, large = small_and_large_pages(reader_api, django_assert_num_queries, url, expected, make_rows)
    assert small.status_code == large.status_code == 200
    if url not in ("/api/v1/tag-rules/", "/api/v1/event-rules/", "/api/v1/jobs/", "/api/v1/markets/"):
        assert len(large.json()["results"]) > len(small.json()["results"]) > 0


@pytest.mark.parametrize(("kind", "expected"), list(DETAILS.items()))
def test_a_detail_costs_a_fixed_number_of_queries(reader_api, django_assert_num_queries, kind, expected):
    make_rows(1)
    ids = make_rows(4)
    reader_api.get("/api/v1/")
    with django_assert_num_queries(expected):
        response = reader_api.get(f"/api/v1/{kind}/{ids[kind]}/")
    assert response.status_code == 200


def test_the_timeline_and_overview_cost_a_fixed_number_of_queries(reader_api, django_assert_num_queries):
    ids = make_rows(2)
    reader_api.get("/api/v1/")
    # the company with aliases and tags, events, participants, markets, regulators, tags, evidence
    with django_assert_num_queries(AUTH + 9):
        assert reader_api.get(f"/api/v1/companies/{ids['companies']}/timeline/").status_code == 200
    with django_assert_num_queries(AUTH + 7):
        assert reader_api.get(f"/api/v1/markets/{ids['markets']}/overview/").status_code == 200


MONITORING_LISTS = {
    "/api/v1/watchlists/": AUTH + 4,  # page with owner, companies, markets, people
    "/api/v1/feeds/": AUTH + 1,
    "/api/v1/alerts/": AUTH + 1,  # page with watchlist
}


@pytest.mark.parametrize(("url", "expected"), list(MONITORING_LISTS.items()))
def test_monitoring_lists_cost_the_same_queries_whatever_their_size(
    reader_api, reader, django_assert_num_queries, url, expected
):
    from tests.factories import AlertFactory, FeedFactory, WatchlistFactory

    def make(n: int) -> None:
        for _ in range(n):
            watchlist = WatchlistFactory(owner=reader)
            watchlist.companies.add(CompanyFactory())
            FeedFactory()
            AlertFactory(watchlist=watchlist)

    small, large = small_and_large_pages(reader_api, django_assert_num_queries, url, expected, make)
    assert len(large.json()["results"]) > len(small.json()["results"]) > 0


SEARCHES = {
    # PostgreSQL: the planner's estimate, the ranked query (a term this scarce is
    # searched without a window), the page's rows; events add their four relations.
    "/api/v1/articles/?q=headline": AUTH + 3,
    "/api/v1/events/?q=event": AUTH + 3 + 4,
}


@pytest.mark.postgres
@pytest.mark.parametrize(("url", "expected"), list(SEARCHES.items()))
def test_a_search_page_costs_the_same_queries_whatever_its_size(reader_api, django_assert_num_queries, url, expected):
    small, large = small_and_large_pages(reader_api, django_assert_num_queries, url, expected, make_rows)
    assert len(large.json()["results"]) > len(small.json()["results"]) > 0
