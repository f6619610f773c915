"""The header's search: names (companies, people, products, markets, with their
aliases) by what they contain, articles and events by full text on PostgreSQL
(``intel.search``), by every word on SQLite."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, IntegerField, Model, Q, QuerySet, Value, When

from intel.choices import ReviewStatus
from intel.models import Article, Company, Event, Market, Person, Product
from intel.search import full_text_available, ranked_ids, simple_search

MAX_QUERY = 200
NAMES_SHOWN = 10
TEXTS_SHOWN = 20
NAMED: tuple[tuple[str, type[Model]], ...] = (
    ("companies", Company), ("markets", Market), ("people", Person), ("products", Product),
)  # fmt: skip


@dataclass
class SearchResults:
    query: str
    names: dict[str, list[Any]] = field(default_factory=dict)  # kind → records, best first
    articles: list[Article] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.names.values()) + len(self.articles) + len(self.events)


def _by_name(model: type[Model], q: str) -> list[Any]:
    """Records whose name or an alias contains ``q``: exact names first, then names that
    start with it, then the rest, rejected proposals left out."""
    manager: Any = model._default_manager
    queryset: QuerySet[Any] = manager.filter(Q(name__icontains=q) | Q(aliases__text__icontains=q))
    if hasattr(model, "review_status"):
        queryset = queryset.exclude(review_status=ReviewStatus.REJECTED)
    if model is Product:
        queryset = queryset.select_related("maker")
    ranked = queryset.annotate(
        rank=Case(
            When(name__iexact=q, then=Value(0)),
            When(name__istartswith=q, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).distinct()
    return list(ranked.order_by("rank", "name")[:NAMES_SHOWN])


def _texts(queryset: QuerySet[Any], q: str, fields: tuple[str, ...]) -> list[Any]:
    """The best matches by full text (PostgreSQL), else the newest rows holding every word."""
    if full_text_available():
        ids = [pk for pk, _ in ranked_ids(queryset, q, limit=TEXTS_SHOWN)]
        found = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return [found[pk] for pk in ids if pk in found]
    return list(simple_search(queryset, q, fields).order_by("-id")[:TEXTS_SHOWN])


def search_everything(q: str, *, kinds: set[str]) -> SearchResults:
    """Everything matching ``q`` among the kinds the user may see (their plural names)."""
    q = q.strip()[:MAX_QUERY]
    results = SearchResults(query=q)
    if not q:
        return results
    for kind, model in NAMED:
        if kind in kinds:
            results.names[kind] = _by_name(model, q)
    if "articles" in kinds:
        results.articles = _texts(Article.objects.all(), q, ("title", "body"))
    if "events" in kinds:
        results.events = _texts(Event.objects.exclude(review_status=ReviewStatus.REJECTED), q, ("summary",))
    return results
