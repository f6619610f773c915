"""Query feeds made from a watchlist: Google News RSS search and GDELT DOC 2.0, served locally in the same formats."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from intel.choices import FeedKind
from intel.models import Article, CompanyAlias, Feed, FeedEntry
from intel.monitoring.queries import gdelt_url, google_news_url, sync_query_feeds, watch_terms
from tests import feeds
from tests.factories import CompanyFactory, WatchlistFactory
from tests.monitoring import RSS, run_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def watchlist():
    xiaomi = CompanyFactory(name="Xiaomi")
    CompanyAlias.objects.create(company=xiaomi, text="Xiaomi Corp")
    CompanyAlias.objects.create(company=xiaomi, text="MI", case_sensitive=True)  # too short to search for
    return WatchlistFactory(name="Xiaomi", companies=[xiaomi], keywords='budget phones\nxiaomi\n"quoted"')


def test_the_terms_are_names_aliases_and_keywords_without_repeats_or_quotes(watchlist):
    assert watch_terms(watchlist) == ["Xiaomi", "Xiaomi Corp", "budget phones", "quoted"]


def test_google_news_gets_an_rss_search_for_any_of_the_terms():
    url = google_news_url(["Xiaomi", "Xiaomi Corp"])
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "news.google.com", "/rss/search")
    assert parse_qs(parts.query) == {
        "q": ['"Xiaomi" OR "Xiaomi Corp"'],
        "hl": ["en-US"],
        "gl": ["US"],
        "ceid": ["US:en"],
    }


def test_gdelt_gets_an_article_list_in_json_with_or_terms_in_parentheses():
    query = parse_qs(urlsplit(gdelt_url(["Xiaomi", "Xiaomi Corp"])).query)
    assert query["query"] == ['("Xiaomi" OR "Xiaomi Corp")']
    assert (query["mode"], query["format"], query["sort"]) == (["artlist"], ["json"], ["datedesc"])
    assert parse_qs(urlsplit(gdelt_url(["Xiaomi"])).query)["query"] == ['"Xiaomi"']


def test_a_watchlist_gets_one_feed_of_each_kind_and_they_follow_its_names(watchlist):
    google, gdelt = sync_query_feeds(watchlist=watchlist)
    assert (google.kind, gdelt.kind) == (FeedKind.GOOGLE_NEWS, FeedKind.GDELT)
    assert gdelt.fetch_full_text and not google.fetch_full_text
    Feed.objects.filter(pk=google.pk).update(etag='"old"')

    watchlist.keywords = "flagship"
    watchlist.save()
    again = sync_query_feeds(watchlist=watchlist)

    assert [f.pk for f in again] == [google.pk, gdelt.pk]
    google.refresh_from_db()
    assert "flagship" in google.url and google.etag == ""
    watchlist.companies.clear()
    watchlist.keywords = ""
    watchlist.save()
    assert sync_query_feeds(watchlist=watchlist) == []
    assert not Feed.objects.exists()


def test_a_google_news_style_feed_is_polled_with_each_items_outlet(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    item = feeds.story(3, source="Reuters")
    http_server.route("/rss/search", body=feeds.rss([item], title='"Xiaomi" - Google News'), headers=RSS)
    Feed.objects.create(name="Google News: Xiaomi", kind=FeedKind.GOOGLE_NEWS, url=http_server.url("/rss/search?q=x"))

    run_cycle()

    assert Article.objects.get().source.name == "Reuters"


def test_a_gdelt_feed_fetches_each_linked_page_for_its_text(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    page = (
        b"<html><head><title>Xiaomi opens store in Kenya</title></head><body><article><h1>Xiaomi opens store in "
        b"Kenya</h1><p>Xiaomi opened its first store in Nairobi on Monday, the company said in a statement.</p>"
        b"<p>The store sells phones, scooters and televisions, and more shops are planned this year.</p>"
        b"</article></body></html>"
    )
    http_server.route("/news/kenya", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    body = feeds.gdelt([{"link": http_server.url("/news/kenya"), "title": "Xiaomi opens store in Kenya", "domain": "kenya.example"}])
    http_server.route("/api/v2/doc/doc", body=body, headers={"Content-Type": "application/json"})
    Feed.objects.create(name="GDELT", kind=FeedKind.GDELT, url=http_server.url("/api/v2/doc/doc?query=x"), fetch_full_text=True)

    run_cycle()

    article = Article.objects.get()
    assert "first store in Nairobi" in article.body
    assert article.source.name == "kenya.example"
    assert FeedEntry.objects.get().error == ""


def test_a_page_that_cannot_be_fetched_falls_back_to_the_feeds_text(http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    item = feeds.story(4, link=http_server.url("/status/500"))
    http_server.route("/feed.xml", body=feeds.rss([item]), headers=RSS)
    Feed.objects.create(name="Summaries", url=http_server.url("/feed.xml"), fetch_full_text=True)

    run_cycle()

    entry = FeedEntry.objects.get()
    assert entry.article is not None and "store 4" in entry.article.body
    assert "500 Internal Server Error" in entry.error and "the feed's text was ingested" in entry.error


def test_a_slow_site_spends_the_page_budget_and_the_rest_keep_the_feeds_text(http_server, settings):
    # Linked pages answer in 3 s each; the batch may spend 4 s on them: at most two are
    # waited for, and every item is still ingested (the rest from the feed's text).
    import time

    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.RIVALSCOPE_MONITOR_PAGE_BUDGET = 4
    settings.RIVALSCOPE_FETCH_TIMEOUT = 2
    http_server.route("/slow", body=b"<html><body><p>Too late.</p></body></html>", delay=3)
    items = [feeds.story(n, link=http_server.url(f"/slow?n={n}")) for n in range(5)]
    http_server.route("/feed.xml", body=feeds.rss(items), headers=RSS)
    Feed.objects.create(name="Slow site", url=http_server.url("/feed.xml"), fetch_full_text=True)

    started = time.monotonic()
    run_cycle()

    assert time.monotonic() - started < 30
    entries = list(FeedEntry.objects.all())
    assert len(entries) == 5 and all(e.article is not None for e in entries)
    assert sum("time for this batch's pages was spent" in e.error for e in entries) >= 3
