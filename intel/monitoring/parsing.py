"""A fetched feed's bytes become entries: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed and GDELT.

feedparser is always given bytes (never a URL or a path, which it would open itself),
and only after :func:`intel.xml_entities.refuse_xml_entities` has looked at them: its fallback
parser expands entities without limit. feedparser 6 does not read JSON Feed, so JSON
Feed (jsonfeed.org 1.0/1.1) and GDELT DOC 2.0 (``mode=artlist&format=json``) are read
here with the standard library. Every entry's HTML is cleaned and its links checked
(``content.py``) before anything is stored.
"""

from __future__ import annotations

import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from intel.fetch import FetchError
from intel.xml_entities import refuse_xml_entities

from .content import clean_html, fragment_text, plain_line, safe_link

# Entries read from one response; a feed listing more is read from the top (newest first).
MAX_ENTRIES = 200


class FeedParseError(Exception):
    """The response is not a feed we can read; the message is for a person."""


@dataclass(frozen=True)
class ParsedEntry:
    guid: str
    url: str  # http(s) only, or ""
    title: str
    summary_html: str  # cleaned
    text: str  # plain text of the fullest content the feed gives
    source_name: str
    published_at: datetime | None

    def __post_init__(self) -> None:
        # PostgreSQL text cannot hold NUL: one stray NUL in a feed must not make its
        # items impossible to store (JSON escapes it as \u0000; XML parsers drop it).
        for name in ("guid", "url", "title", "summary_html", "text", "source_name"):
            value = getattr(self, name)
            if "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", ""))

    @property
    def guid_hash(self) -> str:
        return guid_hash(self.guid)


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    ttl_seconds: int | None  # RSS <ttl>: how long the publisher asks us to wait
    entries: list[ParsedEntry]


def guid_hash(guid: str) -> str:
    return hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()


def parse_feed(content: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Read a feed of any supported format, or raise FeedParseError."""
    if not content.strip():
        raise FeedParseError("The feed is empty.")
    if content.lstrip()[:1] in (b"{", b"[") or content_type.endswith("json"):
        return _parse_json(content, url)
    try:
        refuse_xml_entities(content)
    except FetchError as exc:
        raise FeedParseError(exc.message) from None
    # content-location sets the base for relative links; resolve_relative_uris and
    # sanitize_html are feedparser's first pass, nh3 is ours on top.
    parsed = feedparser.parse(
        content,
        response_headers={"content-location": url, "content-type": content_type or "application/xml"},
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    if not parsed.version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f": {str(reason)[:200]}" if reason else ""
        raise FeedParseError(f"This is not an RSS, Atom or JSON feed{detail}.")
    feed_title = plain_line(parsed.feed.get("title", ""), 200)
    entries = [_feedparser_entry(item, url, feed_title) for item in parsed.entries[:MAX_ENTRIES]]
    return ParsedFeed(title=feed_title, ttl_seconds=_ttl(parsed.feed.get("ttl")), entries=[e for e in entries if e])


def _ttl(value: Any) -> int | None:
    try:
        minutes = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if 0 < minutes <= 7 * 24 * 60 else None


def _struct_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _feedparser_entry(item: Any, base: str, feed_title: str) -> ParsedEntry | None:
    link = safe_link(item.get("link"), base)
    title = plain_line(item.get("title", ""), 500)
    contents = [c.get("value", "") for c in item.get("content", []) if c.get("value")]
    summary = item.get("summary", "")
    fullest = max([*contents, summary], key=len)
    summary_html = clean_html(summary or fullest)
    guid = (item.get("id") or item.get("guid") or link or "").strip()
    if not guid:
        if not title:
            return None  # nothing to tell it apart from the next one
        guid = f"title:{title}"
    source = item.get("source") or {}
    source_name = plain_line(source.get("title", "") if isinstance(source, dict) else "", 200) or feed_title
    return ParsedEntry(
        guid=guid[:2000],
        url=link,
        title=title,
        summary_html=summary_html,
        # fragment_text keeps no markup at all (scripts and styles go with their
        # content), so it needs no clean_html pass first.
        text=fragment_text(fullest),
        source_name=source_name,
        published_at=_struct_time(item.get("published_parsed") or item.get("updated_parsed")),
    )


# --- JSON: JSON Feed and GDELT ------------------------------------------------------


def _parse_json(content: bytes, url: str) -> ParsedFeed:
    try:
        data = json.loads(content)
    except (ValueError, RecursionError) as exc:
        raise FeedParseError(f"The feed is not valid JSON: {str(exc)[:200]}.") from None
    if not isinstance(data, dict):
        raise FeedParseError("The JSON is neither a JSON Feed nor a GDELT article list.")
    if str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        return _json_feed(data, url)
    if "articles" in data or data == {}:
        # GDELT answers {} when nothing matched.
        return _gdelt(data, url)
    raise FeedParseError("The JSON is neither a JSON Feed nor a GDELT article list.")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _iso_datetime(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(_text(value))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _json_feed(data: dict[str, Any], url: str) -> ParsedFeed:
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedParseError("The JSON Feed has no list of items.")
    feed_title = plain_line(_text(data.get("title")), 200)
    entries = []
    for item in items[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        link = safe_link(_text(item.get("url")) or _text(item.get("external_url")), url)
        content_html, content_text = _text(item.get("content_html")), _text(item.get("content_text"))
        body_html = content_html or _text(item.get("summary"))
        # The fullest content: the HTML body, else the plain one, else the summary.
        text = fragment_text(content_html) if content_html else content_text or fragment_text(body_html)
        title = plain_line(_text(item.get("title")), 500)
        guid = _text(item.get("id")) or str(item.get("id") or "") or link
        if not guid and not title:
            continue
        authors = item.get("authors") or data.get("authors") or []
        author = authors[0].get("name", "") if authors and isinstance(authors[0], dict) else ""
        entries.append(
            ParsedEntry(
                guid=(guid or f"title:{title}")[:2000],
                url=link,
                title=title,
                summary_html=clean_html(_text(item.get("summary")) or body_html),
                text=text.strip(),
                source_name=feed_title or plain_line(_text(author), 200),
                published_at=_iso_datetime(item.get("date_published") or item.get("date_modified")),
            )
        )
    return ParsedFeed(title=feed_title, ttl_seconds=None, entries=entries)


def _gdelt(data: dict[str, Any], url: str) -> ParsedFeed:
    articles = data.get("articles") or []
    if not isinstance(articles, list):
        raise FeedParseError("The GDELT answer's articles are not a list.")
    entries = []
    for item in articles[:MAX_ENTRIES]:
        if not isinstance(item, dict):
            continue
        link = safe_link(_text(item.get("url")), url)
        if not link:
            continue  # GDELT lists pages; one without a usable address is nothing
        try:
            seen = datetime.strptime(_text(item.get("seendate")), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            seen = None
        entries.append(
            ParsedEntry(
                guid=link,
                url=link,
                title=plain_line(_text(item.get("title")), 500),
                summary_html="",
                text="",
                source_name=plain_line(_text(item.get("domain")), 200),
                published_at=seen,
            )
        )
    return ParsedFeed(title="GDELT", ttl_seconds=None, entries=entries)
