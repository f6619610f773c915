"""Stage 1, normalise: turn whatever the caller gave into clean article text.

Reads ``ctx.input`` (text, HTML, file bytes or a URL to fetch, plus title, URL,
publication date and source name). Adds ``ctx.body`` (clean text: decoded, NUL
and control characters removed, HTML turned into text by trafilatura),
``ctx.title``, ``ctx.url``, ``ctx.published``, ``ctx.source_name`` and
``ctx.language`` (``detect_language``: "en" unless the text is clearly in another
language; stage 2 stores it, and later stages extract from English text only).
Raises ``IngestError`` for empty, binary, undecodable, oversized or unsupported
input, a bad date, or a URL that may not be fetched. Writes nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import PurePath
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings

from .context import ENGLISH, ArticleContext, IngestEnv
from .dates import PublishedDate
from .errors import IngestError

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

NAME = "normalise"
READS = ("input",)
ADDS = ("body", "title", "url", "published", "source_name", "language")

TEXT_TYPES = {".txt": "text", ".md": "text", ".markdown": "text", ".html": "html", ".htm": "html"}
HTML_MEDIA_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_MEDIA_TYPES = {"text/plain", "text/markdown"}
# Control characters other than tab and newline, and lone surrogates.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")


def max_bytes() -> int:
    return int(settings.RIVALSCOPE_INGEST_MAX_BYTES)


def _fail(message: str, field: str | None = None) -> IngestError:
    return IngestError(message, stage=NAME, field=field)


def _human_size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def check_size(size: int, field: str) -> None:
    limit = max_bytes()
    if size > limit:
        raise _fail(
            f"The input is {_human_size(size)}; the limit is {_human_size(limit)} (RIVALSCOPE_INGEST_MAX_BYTES).",
            field,
        )


def check_url(url: str, field: str = "url") -> str:
    url = url.strip()
    if not url:
        return ""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"}:
        shown = scheme or "none"
        raise _fail(f"Only http and https URLs are accepted, not {shown!r}: {url[:200]}", field)
    if not parts.hostname:
        raise _fail(f"The URL has no host name: {url[:200]}", field)
    if len(url) > 2000:
        raise _fail("The URL is longer than 2,000 characters.", field)
    return url


def decode_bytes(raw: bytes, field: str = "file") -> str:
    """Bytes to text: UTF-8 (with or without BOM) first, else charset detection."""
    check_size(len(raw), field)
    if not raw.strip():
        raise _fail("The file is empty.", field)
    sample = raw[:8192]
    # Text never has many NUL bytes; UTF-16 has them every other byte but starts with a BOM.
    if sample.count(b"\x00") > len(sample) // 10 and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _fail("This file is not text (it looks binary). Upload .txt, .html or .md.", field)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    text = str(best) if best is not None else ""
    if best is None or _mostly_unprintable(text):
        raise _fail("The bytes could not be decoded as text in any known character set.", field)
    return text


def _mostly_unprintable(text: str) -> bool:
    """More than 5% control, unassigned or private-use characters: a wrong guess, not text."""
    sample = text[:20_000]
    bad = sum(1 for ch in sample if ch not in "\n\r\t" and unicodedata.category(ch)[0] == "C")
    return bad > len(sample) * 0.05


def clean_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    text = _CONTROL.sub("", text)
    # Trailing spaces on lines and runs of blank lines carry no meaning. Each pattern
    # needs its two or three characters side by side: a substring test (in C) skips
    # the regex scan of the whole text when they are not there, as in most articles.
    if " \n" in text or "\t\n" in text:
        text = _TRAILING_SPACE.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def article_text_from_html(html: str) -> tuple[str, str]:
    """The article text and title of a whole HTML page (trafilatura): navigation, scripts
    and other chrome are dropped. For a feed's HTML fragment: ``monitoring.content.fragment_text``."""
    import trafilatura

    check_size(len(html.encode("utf-8", "ignore")), "html")
    if "<!entity" in html[:100_000].lower():
        raise _fail("The document declares XML entities (<!ENTITY), which are refused.", "html")
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True) or ""
    metadata = trafilatura.extract_metadata(html)
    title = (metadata.title if metadata and metadata.title else "") or ""
    if not text.strip():
        raise _fail("No article text could be found in this HTML (only markup, scripts or navigation).", "html")
    return text, title


def _fetch(ctx: ArticleContext, env: IngestEnv) -> tuple[bytes, str, str]:
    from intel.fetch import FetchError, fetch_url

    url = check_url(ctx.input.fetch_url, "url")
    try:
        response = fetch_url(url, max_bytes=max_bytes(), allowed_networks=env.fetch_allowed_networks)
    except FetchError as exc:
        raise _fail(f"Could not fetch {url[:200]}: {exc}", "url") from exc
    return response.content, response.content_type, response.url


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    for ctx in batch:
        normalise_one(ctx, env)


def normalise_one(ctx: ArticleContext, env: IngestEnv) -> None:
    given = [
        name
        for name, value in (
            ("text", ctx.input.text),
            ("html", ctx.input.html),
            ("file", ctx.input.raw),
            ("url", ctx.input.fetch_url),
        )
        if value not in (None, "", b"")
    ]
    if not given:
        raise _fail("Give the article as text, HTML, a file or a URL to fetch.", "text")
    if len(given) > 1:
        raise _fail(f"Give the article one way only, not {' and '.join(given)}.", given[1])

    title = ctx.input.title.strip()
    ctx.url = check_url(ctx.input.url or ctx.input.fetch_url)
    ctx.published = PublishedDate.of(ctx.input.published)
    ctx.source_name = ctx.input.source.strip()[:200]

    if ctx.input.text is not None and ctx.input.text != "":
        check_size(len(ctx.input.text.encode("utf-8", "ignore")), "text")
        body = ctx.input.text
    elif ctx.input.html:
        body, found_title = article_text_from_html(ctx.input.html)
        title = title or found_title
    elif ctx.input.raw is not None and ctx.input.raw != b"":
        kind = TEXT_TYPES.get(PurePath(ctx.input.filename or "upload.txt").suffix.lower())
        if kind is None:
            suffix = PurePath(ctx.input.filename).suffix or "(none)"
            raise _fail(f"Unsupported file type {suffix!r}: upload .txt, .html or .md.", "file")
        decoded = decode_bytes(ctx.input.raw)
        if kind == "html":
            body, found_title = article_text_from_html(decoded)
            title = title or found_title
        else:
            body = decoded
    else:
        raw, media_type, final_url = _fetch(ctx, env)
        ctx.url = ctx.input.url or final_url
        if media_type in HTML_MEDIA_TYPES:
            body, found_title = article_text_from_html(decode_bytes(raw, "url"))
            title = title or found_title
        elif media_type in TEXT_MEDIA_TYPES or not media_type:
            body = decode_bytes(raw, "url")
        else:
            raise _fail(f"Unsupported content type {media_type!r} at that URL: expected HTML or text.", "url")

    body = clean_text(body)
    if not body:
        raise _fail("The article has no text (it is empty or only white space).", "text")
    ctx.body = body
    ctx.title = clean_text(title)[:500] or _title_from(body)
    ctx.language = detect_language(body)


def _title_from(body: str) -> str:
    first = body.split("\n", 1)[0].strip()
    return first if len(first) <= 120 else first[:117].rsplit(" ", 1)[0] + "…"


# Language identification (py3langid). Extraction's rules, names and triggers are
# English, so an article is called another language only when that is clear: a
# short text (a headline, a one-line test) gives the classifier too few character
# n-grams, and its guesses there are wrong often enough ("Acme GmbH" comes out
# Romanian) that a mistake would silently drop an English article's records.

# Below this many characters no language is guessed (the article counts as English).
# Two or three sentences: on shorter ones English business news scores as little as
# 0.06 for English, and up to 0.82 for Nigerian Pidgin ("Analysts say Transsion now
# leads in Nigeria."); from 150 characters on, no other language scored above 0.74
# for some 5,000 mixes of such sentences, while German or French score 0.98 or more.
LANGUAGE_MIN_CHARS = 150
# The classifier's probability (softmax over its languages, tempered by the square
# root of the length) needed to call a text non-English.
LANGUAGE_MIN_CONFIDENCE = 0.9
# The language is read from the opening of the text (a headline, the lead),
# and the classifier's time grows with the length.
LANGUAGE_SAMPLE_CHARS = 1000
# Labels that name no language ("zxx": no linguistic content, such as a table of
# figures): the article is not called non-English for them.
_NOT_A_LANGUAGE = frozenset({"zxx", "und"})


@cache
def _language_identifier() -> LanguageIdentifier:
    """py3langid's model, loaded once per process and only when first needed.

    Loading takes about a second and some 70 MB, which processes that never ingest
    (the web server's other pages, beat) should not pay. ``norm_probs`` makes
    ``classify`` return a probability, which ``LANGUAGE_MIN_CONFIDENCE`` needs; the
    module's own ``py3langid.classify`` returns raw log scores.
    """
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str:
    """The text's language as a BCP 47 tag ("en", "de", "fr" …): "en" unless it is clearly another.

    Another language is returned only for a text of at least ``LANGUAGE_MIN_CHARS``
    characters that the classifier gives it with ``LANGUAGE_MIN_CONFIDENCE``: an
    article wrongly called English is only extracted from in vain, an English one
    wrongly called German loses its records.
    """
    sample = text[:LANGUAGE_SAMPLE_CHARS]
    if len(sample.strip()) < LANGUAGE_MIN_CHARS:
        return ENGLISH
    language, confidence = _language_identifier().classify(sample)
    if language in _NOT_A_LANGUAGE or confidence < LANGUAGE_MIN_CONFIDENCE:
        return ENGLISH
    return str(language)
