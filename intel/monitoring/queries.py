"""Query feeds made from a watchlist's names and aliases: Google News RSS search and GDELT DOC 2.0.

Both answer a search with a feed the poller reads like any other: Google News with RSS
(parsed by feedparser), GDELT with JSON (``mode=artlist&format=json``, titles and links
only, so its feeds fetch each linked page). Markets are left out of the queries: "US"
alone would match most of the news; they still count when an article is scored.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import transaction

from intel.choices import FeedKind
from intel.models import Feed, Watchlist

GOOGLE_NEWS_SEARCH = "https://news.google.com/rss/search"
GDELT_DOC_API = "https://api.gdeltproject.org/api/v2/doc/doc"
# GDELT refuses phrases shorter than this, and very short aliases match noise anyway.
MIN_TERM_LENGTH = 3
MAX_TERMS = 20


def watch_terms(watchlist: Watchlist) -> list[str]:
    """The names, aliases and keywords a query should contain, without repeats (ignoring case)."""
    terms: list[str] = []
    for records in (watchlist.companies.prefetch_related("aliases"), watchlist.people.prefetch_related("aliases")):
        for record in records:
            terms.append(record.name)
            terms.extend(alias.text for alias in record.aliases.all())
    terms.extend(watchlist.keyword_list())
    seen: set[str] = set()
    unique = []
    for term in terms:
        cleaned = " ".join(term.replace('"', " ").split())
        if len(cleaned) >= MIN_TERM_LENGTH and cleaned.casefold() not in seen:
            seen.add(cleaned.casefold())
            unique.append(cleaned)
    return unique[:MAX_TERMS]


def _or_query(terms: list[str]) -> str:
    return " OR ".join(f'"{term}"' for term in terms)


def google_news_url(terms: list[str], *, language: str = "en-US", country: str = "US") -> str:
    lang = language.split("-")[0]
    query = {"q": _or_query(terms), "hl": language, "gl": country, "ceid": f"{country}:{lang}"}
    return f"{GOOGLE_NEWS_SEARCH}?{urlencode(query)}"


def gdelt_url(terms: list[str], *, timespan: str = "1d", max_records: int = 75) -> str:
    # GDELT wants OR-ed terms in parentheses; a single term must not have them.
    query = _or_query(terms) if len(terms) == 1 else f"({_or_query(terms)})"
    params = {
        "query": query,
        "mode": "artlist",
        "format": "json",
        "maxrecords": str(max_records),
        "sort": "datedesc",
        "timespan": timespan,
    }
    return f"{GDELT_DOC_API}?{urlencode(params)}"


def sync_query_feeds(*, watchlist: Watchlist) -> list[Feed]:
    """Create or update the watchlist's Google News and GDELT feeds; remove them if nothing is left to search."""
    terms = watch_terms(watchlist)
    wanted = {
        FeedKind.GOOGLE_NEWS: (google_news_url(terms), False),
        FeedKind.GDELT: (gdelt_url(terms), True),
    }
    feeds = []
    with transaction.atomic():
        existing = {feed.kind: feed for feed in Feed.objects.select_for_update().filter(watchlist=watchlist)}
        if not terms:
            Feed.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
            return []
        for kind, (url, full_text) in wanted.items():
            label = "Google News" if kind == FeedKind.GOOGLE_NEWS else "GDELT"
            feed = existing.get(kind)
            if feed is None:
                feed = Feed(kind=kind, watchlist=watchlist)
            if feed.url != url:
                # A new query is a new feed: forget what the old one's server said.
                feed.url, feed.etag, feed.last_modified = url, "", ""
            feed.name = f"{label}: {watchlist.name}"[:200]
            feed.fetch_full_text = full_text
            feed.save()
            feeds.append(feed)
    return feeds
