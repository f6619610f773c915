"""Feed content is hostile: HTML is cleaned with nh3, and links are http(s) or nothing.

Nothing cleaned here is marked safe in a template either: the admin shows it escaped.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

SAFE_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 2000
# Tags kept in stored feed HTML: nh3's defaults without images (a hostile server's
# pixels would load in the admin) and without layout tables.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
# Block-level ends, turned into paragraph breaks when HTML becomes text.
_BLOCK_END = re.compile(r"(?i)</(?:p|div|h[1-6]|li|blockquote|tr|article|section|pre|dd|dt)\s*>|<br\s*/?>")
# What browsers ignore inside a URL: ASCII tab and newlines anywhere, C0 controls and
# spaces at the ends (so "java\tscript:" and " javascript:" are javascript: URLs).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_ENDS = re.compile(r"^[\x00-\x20]+|[\x00-\x20]+$")
_SPACES = re.compile(r"[ \t\f\v]+")


def clean_html(value: str) -> str:
    """``value`` with only harmless markup left: no scripts, styles, event handlers or
    non-http(s) links; links get ``rel="noopener noreferrer nofollow"``."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=set(ALLOWED_TAGS),
        url_schemes=set(SAFE_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    ).strip()


def fragment_text(value: str) -> str:
    """Plain text of a feed's HTML fragment (an item's content, summary or title), keeping
    paragraph breaks; entities decoded. Every tag goes, nothing is judged article or
    chrome: for a whole page, ingestion's ``normalise.article_text_from_html``."""
    if not value:
        return ""
    marked = _BLOCK_END.sub("\n\n", value)
    text = html.unescape(nh3.clean(marked, tags=set(), strip_comments=True))
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def safe_link(value: str | None, base: str = "") -> str:
    """An absolute http(s) URL, or "" for anything else.

    Entities are decoded and what browsers ignore is removed *before* the scheme is
    judged, so ``java&#x73;cript:``, ``jav&#9;ascript:`` and `` javascript:`` are all
    seen for what they are. A relative link is resolved against ``base`` (the feed).
    """
    if not value:
        return ""
    text = _URL_ENDS.sub("", _URL_IGNORED.sub("", html.unescape(value)))
    if not text:
        return ""
    if base and not urlsplit(text).scheme:
        text = urljoin(base, text)
    parts = urlsplit(text)
    if parts.scheme.lower() not in SAFE_SCHEMES or not parts.hostname or len(text) > MAX_URL_LENGTH:
        return ""
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in text):
        return ""
    return text


def plain_line(value: str, limit: int) -> str:
    """A title or name: text only, on one line, at most ``limit`` characters."""
    text = " ".join(fragment_text(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
