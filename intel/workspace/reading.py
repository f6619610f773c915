"""An article to read: its body with every mention marked by kind, proposed and
confirmed told apart, and the events it is evidence for as quoted sentences."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from intel.choices import ReviewStatus
from intel.models import Article, Evidence, Mention, Quote
from intel.questions import event_queryset

MENTION_KINDS = ("company", "market", "person", "product")


@dataclass
class Reading:
    article: Article
    body: SafeString  # the body as HTML, mentions marked
    evidence: list[Evidence]  # with their events, in the body's order
    quotes: list[Quote]
    counts: dict[str, int]  # mentions by kind


def _kind_of(mention: Mention) -> tuple[str, int | None, str]:
    for kind in MENTION_KINDS:
        target_id = getattr(mention, f"{kind}_id")
        if target_id:
            return kind, target_id, getattr(mention, kind).name
    return "", None, ""


def _page_of(kind: str, target_id: int | None) -> str:
    """Where a mention leads: a company's profile, a market's page, else the record's admin page."""
    if kind == "company":
        return reverse("admin:workspace_company", args=[target_id])
    if kind == "market":
        return reverse("admin:workspace_market", args=[target_id])
    return reverse(f"admin:intel_{kind}_change", args=[target_id])


def highlighted_body(body: str, mentions: list[Mention]) -> tuple[SafeString, dict[str, int]]:
    """The body, escaped, with each mention in a ``<mark>`` of its kind's class (and
    ``ws-proposal`` when its record waits for review); overlapping
    mentions keep the first. Paragraphs become ``<p>``. Each mark links to what it names."""
    pieces: list[str] = []
    counts = dict.fromkeys(MENTION_KINDS, 0)
    at = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < at or mention.end > len(body) or mention.review_status == ReviewStatus.REJECTED:
            continue
        kind, target_id, name = _kind_of(mention)
        if not kind:
            continue
        counts[kind] += 1
        record = getattr(mention, kind)
        # Told apart by the record's review: a confirmed company's mentions are its own.
        proposed = getattr(record, "review_status", "") == ReviewStatus.PROPOSED
        classes = f"ws-{kind}" + (" ws-proposal" if proposed else "")
        label = f"{kind}: {name}" + (" (proposed)" if proposed else "")
        pieces.append(escape(body[at : mention.start]))
        mark = format_html('<mark class="{}" title="{}">{}</mark>', classes, label, body[mention.start : mention.end])
        pieces.append(format_html('<a href="{}">{}</a>', _page_of(kind, target_id), mark))
        at = mention.end
    pieces.append(escape(body[at:]))
    html = "".join(pieces)
    paragraphs = [p for p in html.split("\n\n") if p.strip()]
    return mark_safe("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs)), counts  # noqa: S308


def article_reading(article: Article) -> Reading:
    mentions = list(
        Mention.objects.filter(article=article)
        .select_related("company", "market", "person", "product")
        .order_by("start")
    )
    body, counts = highlighted_body(article.body, mentions)
    evidence = list(
        Evidence.objects.filter(article=article)
        .exclude(event__review_status=ReviewStatus.REJECTED)
        .prefetch_related(Prefetch("event", queryset=event_queryset()))
        .order_by("start", "id")
    )
    quotes = list(
        Quote.objects.filter(article=article)
        .exclude(review_status=ReviewStatus.REJECTED)
        .select_related("speaker", "reported_via")
        .order_by("start")
    )
    return Reading(article=article, body=body, evidence=evidence, quotes=quotes, counts=counts)
