"""Where each record in the review inbox came from: its sentence, with the name marked.

The sentence around a record's first mention (names, roles, mentions), its first
evidence sentence (events, relationships), the quote's own span, or the words that
fired an article tag's rule (read back from the tag's ``reason``). The database
reads a window of the body around each span (not whole articles), one query per
kind of provenance on a page; the sentence is then found in that window.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import (
    CharField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    Value,
)
from django.db.models.functions import Greatest, Substr

from intel.models import (
    Article,
    Evidence,
    Mention,
    Quote,
    RelationshipEvidence,
)
from intel.workspace.inbox_kinds import MENTION_TARGETS, live_mentions

if TYPE_CHECKING:
    from intel.workspace.inbox import InboxItem

# Characters read on each side of a span to find its sentence, and the most of a
# sentence shown on each side of the name (a run-on "sentence" is cut with "…").
WINDOW = 300
SENTENCE_LIMIT = 240


@dataclass(frozen=True)
class Segment:
    """A piece of a sentence; ``mark`` is the CSS class of its ``<mark>``, "" for plain text."""

    text: str
    mark: str = ""


@dataclass(frozen=True)
class Snippet:
    """The sentence a record came from, its name marked, and the article it is in."""

    article_id: int
    article_title: str
    segments: tuple[Segment, ...]


# The end of a sentence: a stop (and any closing quote or bracket) before white space,
# or a line break. A stop after a common abbreviation ("Corp.", "Mr.") is no end.
# Not ingestion's sentencizer (stage 3): that is spaCy, which web processes never
# import (tests/test_web_start_imports_no_model.py), and a snippet only frames a
# name for a reader, within a window of the body, where a rough end does no harm.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Mr|Mrs|Ms|Dr|Jr|Sr|St|No|vs|Gov|Sen|Rep|Gen|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)$"
)


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    if match.group().startswith("\n"):
        return True
    return _ABBREVIATION.search(text, max(0, match.start() - 12), match.start()) is None


def sentence_bounds(text: str, start: int, end: int, *, limit: int = SENTENCE_LIMIT) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` around ``[start, end)``, at most ``limit``
    characters on each side of it."""
    begin = max(0, start - limit)
    for match in _BOUNDARY.finditer(text, begin, start):
        if _is_boundary(text, match):
            begin = match.end()
    finish = min(len(text), end + limit)
    # From the span's last character: a quote or name that ends its sentence ("We are ready.") ends it here.
    for match in _BOUNDARY.finditer(text, max(start, end - 1), finish):
        if _is_boundary(text, match):
            finish = match.start() + len(match.group().rstrip())
            break
    return begin, finish


def _segments(text: str, begin: int, finish: int, marks: Iterable[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """``text[begin:finish]`` cut into plain and marked pieces; overlapping marks keep the first."""
    pieces: list[Segment] = []
    at = begin
    for start, end, css in sorted(marks):
        start, end = max(start, begin), min(end, finish)
        if start < at or end <= start:
            continue
        if start > at:
            pieces.append(Segment(text[at:start]))
        pieces.append(Segment(text[start:end], css))
        at = end
    if at < finish:
        pieces.append(Segment(text[at:finish]))
    return tuple(pieces)


def snippet_of(
    text: str, offset: int, start: int, end: int, css: str, *, article_id: int, article_title: str
) -> Snippet | None:
    """The sentence around ``[start, end)`` (offsets into the article's body) in ``text``,
    a piece of the body beginning at ``offset``, with the span marked."""
    local_start, local_end = start - offset, end - offset
    if local_start < 0 or local_end > len(text) or local_end <= local_start:
        return None
    begin, finish = sentence_bounds(text, local_start, local_end)
    segments = list(_segments(text, begin, finish, [(local_start, local_end, css)]))
    if begin > 0 and not (text[begin - 1].isspace() or text[begin - 1] in ".!?"):
        segments.insert(0, Segment("…"))
    if finish < len(text) and text[finish - 1] not in ".!?\"'”’)]":
        segments.append(Segment("…"))
    return Snippet(article_id, article_title, tuple(segments))


def _window(start: str = "start", end: str = "end", body: str = "article__body") -> Substr:
    """``WINDOW`` characters of the body on each side of a span, read by the database
    (not the whole body: articles run to tens of kilobytes)."""
    first = Greatest(F(start) - WINDOW, Value(0), output_field=IntegerField())
    length = ExpressionWrapper(F(end) - first + WINDOW, output_field=IntegerField())
    return Substr(body, ExpressionWrapper(first + 1, output_field=IntegerField()), length, output_field=CharField())


def _mention_class(row: Mapping[str, Any]) -> str:
    return next((f"ws-{target}" for target in MENTION_TARGETS if row[f"{target}_id"]), "")


# The words a tag rule matched, as ``intel/ingest/tags.py`` writes them in the reason:
# rule “name”: “words” at 123; …
_TAG_MATCH = re.compile(r"“([^”]{1,300})” at (\d{1,9})")


def attach_snippets(items: list[InboxItem], records: Mapping[tuple[str, int], Any]) -> None:
    """Each item's sentence: one query per kind of provenance on the page."""
    by_source: dict[str, list[InboxItem]] = {}
    for item in items:
        by_source.setdefault(item.kind.source, []).append(item)
    first_span = {
        (item.kind.key, item.pk): getattr(records[(item.kind.key, item.pk)], "first_span", None) for item in items
    }

    if found := by_source.get("mention"):
        ids = {first_span[(i.kind.key, i.pk)] for i in found} - {None}
        rows = {
            row["pk"]: row
            for row in Mention.objects.filter(pk__in=ids)
            .order_by()
            .annotate(window=_window())
            .values("pk", "article_id", "article__title", "start", "end", "window",
                    *(f"{target}_id" for target in MENTION_TARGETS))
        }  # fmt: skip
        for item in found:
            row = rows.get(first_span[(item.kind.key, item.pk)])
            if row is not None:
                item.snippet = snippet_of(
                    row["window"],
                    max(row["start"] - WINDOW, 0),
                    row["start"],
                    row["end"],
                    _mention_class(row),
                    article_id=row["article_id"],
                    article_title=row["article__title"],
                )

    if found := by_source.get("quote"):
        rows = {
            row["pk"]: row
            for row in Quote.objects.filter(pk__in=[i.pk for i in found])
            .order_by()
            .annotate(window=_window())
            .values("pk", "article_id", "article__title", "start", "end", "window")
        }
        for item in found:
            if (row := rows.get(item.pk)) is not None:
                item.snippet = snippet_of(
                    row["window"],
                    max(row["start"] - WINDOW, 0),
                    row["start"],
                    row["end"],
                    "ws-quote",
                    article_id=row["article_id"],
                    article_title=row["article__title"],
                )

    evidence: list[tuple[InboxItem, Mapping[str, Any]]] = []
    for source, model in (("evidence", Evidence), ("relationship", RelationshipEvidence)):
        if found := by_source.get(source):
            ids = {first_span[(i.kind.key, i.pk)] for i in found} - {None}
            rows = {
                row["pk"]: row
                for row in model.objects.filter(pk__in=ids)
                .order_by()
                .values("pk", "article_id", "article__title", "start", "end", "text")
            }
            evidence += [(i, rows[span]) for i in found if (span := first_span[(i.kind.key, i.pk)]) in rows]
    if evidence:
        _mark_evidence(evidence)

    if found := by_source.get("tag"):
        _mark_tags(found, records)


def _mark_evidence(evidence: Sequence[tuple[InboxItem, Mapping[str, Any]]]) -> None:
    """Evidence sentences, with the names mentioned in them marked (one query for all)."""
    inside = Q()
    for _, row in evidence:
        inside |= Q(article_id=row["article_id"], start__gte=row["start"], end__lte=row["end"])
    names: dict[int, list[tuple[int, int, str]]] = {}
    for row in (
        live_mentions()
        .filter(inside)
        .order_by()
        .values("article_id", "start", "end", *(f"{target}_id" for target in MENTION_TARGETS))
    ):
        names.setdefault(row["article_id"], []).append((row["start"], row["end"], _mention_class(row)))
    for item, row in evidence:
        text, offset = row["text"], row["start"]
        marks = [
            (start - offset, end - offset, css)
            for start, end, css in names.get(row["article_id"], [])
            if offset <= start and end <= offset + len(text)
        ]
        item.snippet = Snippet(row["article_id"], row["article__title"], _segments(text, 0, len(text), marks))


def _mark_tags(items: Sequence[InboxItem], records: Mapping[tuple[str, int], Any]) -> None:
    """An article tag's sentence: where the first words that fired its rule stand,
    read from the reason (one query for the beginnings of the articles)."""
    spans: dict[int, tuple[int, int, int, str]] = {}
    for item in items:
        tag = records[(item.kind.key, item.pk)]
        match = _TAG_MATCH.search(tag.reason)
        if match is not None:
            start = int(match.group(2))
            spans[item.pk] = (tag.article_id, start, start + len(match.group(1)), match.group(1))
    if not spans:
        return
    length = max(end for _, _, end, _ in spans.values()) + WINDOW
    heads = dict(
        Article.objects.filter(pk__in={article for article, *_ in spans.values()})
        .order_by()
        .annotate(head=Substr("body", 1, length))
        .values_list("pk", "head")
    )
    for item in items:
        if item.pk not in spans:
            continue
        article_id, start, end, words = spans[item.pk]
        head = heads.get(article_id, "")
        if head[start:end] != words:
            continue  # the reason does not point into this text (edited by hand)
        tag = records[(item.kind.key, item.pk)]
        item.snippet = snippet_of(head, 0, start, end, "ws-tag", article_id=article_id, article_title=tag.article.title)
