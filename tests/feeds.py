"""Feeds for tests, in every format the monitor reads, built from plain dicts.

An item is ``{"guid", "title", "link", "text", "published"}`` (all optional but the
title); ``text`` is HTML. Dates are RFC 822 for RSS and ISO 8601 elsewhere.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

DEFAULT_DATE = datetime(2018, 11, 20, 10, 0, tzinfo=UTC)


def rss(items: list[dict], *, title: str = "Test News", ttl: int | None = None, version: str = "2.0") -> bytes:
    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="{version}"><channel><title>{escape(title)}</title>']
    parts.append("<link>https://news.example/</link><description>Tests</description>")
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        if "guid" in item:
            parts.append(f'<guid isPermaLink="false">{escape(item["guid"])}</guid>')
        parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f"<link>{escape(item['link'])}</link>")
        if "text" in item:
            parts.append(f"<description>{escape(item['text'])}</description>")
        if "source" in item:
            parts.append(f'<source url="https://outlet.example/">{escape(item["source"])}</source>')
        parts.append(f"<pubDate>{format_datetime(item.get('published', DEFAULT_DATE))}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def atom(items: list[dict], *, title: str = "Test Atom") -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:test:feed</id><updated>2018-11-20T10:00:00Z</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        parts.append(f"<id>{escape(item.get('guid', item.get('link', item['title'])))}</id>")
        parts.append(f"<title>{escape(item['title'])}</title>")
        if "link" in item:
            parts.append(f'<link rel="alternate" href="{escape(item["link"], {chr(34): "&quot;"})}"/>')
        parts.append(f"<updated>{item.get('published', DEFAULT_DATE).isoformat()}</updated>")
        if "text" in item:
            parts.append(f'<content type="html">{escape(item["text"])}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts).encode()


def json_feed(items: list[dict], *, title: str = "Test JSON") -> bytes:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "items": [
                {
                    "id": item.get("guid", item.get("link", item["title"])),
                    "url": item.get("link"),
                    "title": item["title"],
                    "content_html": item.get("text", ""),
                    "date_published": item.get("published", DEFAULT_DATE).isoformat(),
                }
                for item in items
            ],
        }
    ).encode()


def gdelt(articles: list[dict]) -> bytes:
    return json.dumps(
        {
            "articles": [
                {
                    "url": a["link"],
                    "title": a["title"],
                    "seendate": a.get("published", DEFAULT_DATE).strftime("%Y%m%dT%H%M%SZ"),
                    "domain": a.get("domain", "outlet.example"),
                    "language": "English",
                    "sourcecountry": "United States",
                }
                for a in articles
            ]
        }
    ).encode()


def story(n: int, **extra: object) -> dict:
    """A distinct, plausible news item (no two share enough words to be near-duplicates)."""
    companies = ["Xiaomi", "Oppo", "Vivo", "Realme", "OnePlus", "Huawei", "Honor", "Meizu", "ZTE", "Lenovo"]
    places = ["Spain", "Italy", "Brazil", "Mexico", "Kenya", "Japan", "Poland", "Egypt", "Chile", "Peru"]
    company, place = companies[n % len(companies)], places[(n // len(companies)) % len(places)]
    item = {
        "guid": f"urn:test:story:{n}",
        "title": f"{company} opens store number {n} in {place}",
        "link": f"https://news{n % 7}.example/stories/{n}",
        "text": f"<p>{company} opened store {n} in {place} on day {n} of its expansion, spokesperson {n} said.</p>"
        f"<p>Figure {n * 7} of sales code {n * 13} was shared with reporters from bureau {n * 3}.</p>",
    }
    item.update(extra)
    return item
