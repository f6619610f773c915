"""Filters for every list (django-filter), and the rule that an unknown parameter is an error.

A misspelt filter silently ignored returns everything, which a program takes for
an answer; ``StrictFilterBackend`` answers 400 naming the parameter instead.
Relations are filtered with ``EXISTS`` subqueries, not joins, so a row never
appears twice and no ``DISTINCT`` over a large table is needed. A list filtered by
its own fields alone, each as django-filter makes it, is one ``filterset_factory`` line.
"""

from __future__ import annotations

from typing import Any

import django_filters as df
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.filterset import filterset_factory
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from intel.choices import EventStatus, EventType, Reliability, ReviewStatus
from intel.models import (
    Alert,
    Article,
    ArticleTag,
    Company,
    Event,
    EventParticipant,
    EventRule,
    Evidence,
    Feed,
    IngestJob,
    Market,
    Mention,
    Person,
    Product,
    Quote,
    Relationship,
    Role,
    Source,
    Tag,
    TagRule,
    Watchlist,
)
from intel.search import full_text_available, simple_search

# Parameters every list understands besides its filters.
COMMON_PARAMETERS = {"cursor", "page_size", "ordering", "format"}
SEARCH_PARAMETERS = {"offset"}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        allowed = set(COMMON_PARAMETERS)
        if filterset_class is not None:
            allowed |= set(filterset_class.base_filters)
            if "q" in filterset_class.base_filters:
                allowed |= SEARCH_PARAMETERS
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise ValidationError(
                {
                    "query": [
                        f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}. "
                        f"This list understands: {', '.join(sorted(allowed))}."
                    ]
                }
            )
        if filterset_class is None or not set(request.query_params) & set(filterset_class.base_filters):
            # Nothing to filter by: skip building and validating a form per request
            # (a sixth of an unfiltered list's time, measured by bench/api.py).
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """``?ordering=-published_on``: only the fields a view lists (each backed by an index).

    DRF drops an unknown ordering field silently; here it is a 400 naming it.
    """

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",")]
            allowed = set(getattr(view, "ordering_fields", None) or [])
            bad = [f for f in fields if f.lstrip("-") not in allowed]
            if bad:
                raise ValidationError(
                    {"ordering": [f"Cannot order by {', '.join(bad)}. Choose from: {', '.join(sorted(allowed))}."]}
                )
        return super().get_ordering(request, queryset, view)


def _exists(model: type, **lookups: Any) -> Exists:
    return Exists(model.objects.filter(**lookups))


class ReviewFilterSet(df.FilterSet):
    review_status = df.ChoiceFilter(choices=ReviewStatus.choices)


class CompanyFilter(ReviewFilterSet):
    name = df.CharFilter(lookup_expr="icontains")
    watched = df.BooleanFilter()
    headquarters = df.ModelChoiceFilter(queryset=Market.objects.all())
    tag = df.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.all())
    market = df.ModelChoiceFilter(
        queryset=Market.objects.all(), method="in_market", label="Takes part in an event in this market"
    )
    created_after = df.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = df.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Company
        fields = ["name", "review_status", "watched", "headquarters", "tag", "market"]

    def in_market(self, queryset: QuerySet[Company], name: str, value: Market) -> QuerySet[Company]:
        return queryset.filter(_exists(EventParticipant, company=OuterRef("pk"), event__markets=value))


class MarketFilter(df.FilterSet):
    name = df.CharFilter(lookup_expr="icontains")
    kind = df.CharFilter()
    iso_code = df.CharFilter(lookup_expr="iexact")

    class Meta:
        model = Market
        fields = ["name", "kind", "iso_code"]


class PersonFilter(ReviewFilterSet):
    name = df.CharFilter(lookup_expr="icontains")
    company = df.ModelChoiceFilter(queryset=Company.objects.all(), method="works_for", label="Has a role at")

    class Meta:
        model = Person
        fields = ["name", "review_status", "company"]

    def works_for(self, queryset: QuerySet[Person], name: str, value: Company) -> QuerySet[Person]:
        return queryset.filter(_exists(Role, person=OuterRef("pk"), company=value))


RoleFilter = filterset_factory(Role, ReviewFilterSet, ["person", "company", "review_status"])


class ProductFilter(ReviewFilterSet):
    name = df.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Product
        fields = ["name", "maker", "category", "price_tier", "review_status"]


class SourceFilter(df.FilterSet):
    name = df.CharFilter(lookup_expr="icontains")
    reliability = df.MultipleChoiceFilter(choices=Reliability.choices)

    class Meta:
        model = Source
        fields = ["name", "kind", "domain", "reliability"]


TagFilter = filterset_factory(Tag, fields=["namespace", "name"])


class SearchFilterSet(df.FilterSet):
    """``q``: full-text search. On PostgreSQL the view ranks (see ``intel.search``)."""

    q = df.CharFilter(method="search", label="Full-text search")
    search_fields: tuple[str, ...] = ()

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        if full_text_available():
            return queryset  # ranked by the view, over the otherwise filtered rows
        return simple_search(queryset, value, self.search_fields)


class ArticleFilter(SearchFilterSet):
    search_fields = ("title", "body")

    source_reliability = df.MultipleChoiceFilter(field_name="source__reliability", choices=Reliability.choices)
    published_after = df.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = df.DateFilter(field_name="published_on", lookup_expr="lte")
    company = df.ModelChoiceFilter(queryset=Company.objects.all(), method="mentions", label="Mentions this company")
    market = df.ModelChoiceFilter(queryset=Market.objects.all(), method="mentions", label="Mentions this market")
    person = df.ModelChoiceFilter(queryset=Person.objects.all(), method="mentions", label="Mentions this person")
    product = df.ModelChoiceFilter(queryset=Product.objects.all(), method="mentions", label="Mentions this product")
    tag = df.ModelChoiceFilter(queryset=Tag.objects.all(), method="tagged", label="Has this tag")
    event_type = df.ChoiceFilter(choices=EventType.choices, method="supports", label="Supports an event of this type")

    class Meta:
        model = Article
        fields = ["source", "status", "language", "duplicate_of"]

    def mentions(self, queryset: QuerySet[Article], name: str, value: Any) -> QuerySet[Article]:
        return queryset.filter(_exists(Mention, article=OuterRef("pk"), **{name: value}))

    def tagged(self, queryset: QuerySet[Article], name: str, value: Tag) -> QuerySet[Article]:
        return queryset.filter(_exists(ArticleTag, article=OuterRef("pk"), tag=value))

    def supports(self, queryset: QuerySet[Article], name: str, value: str) -> QuerySet[Article]:
        return queryset.filter(_exists(Evidence, article=OuterRef("pk"), event__type=value))


MentionFilter = filterset_factory(
    Mention, ReviewFilterSet, ["article", "company", "market", "person", "product", "method", "review_status"]
)


class EventFilter(SearchFilterSet, ReviewFilterSet):
    search_fields = ("summary",)

    type = df.MultipleChoiceFilter(choices=EventType.choices)
    status = df.MultipleChoiceFilter(choices=EventStatus.choices)
    company = df.ModelChoiceFilter(queryset=Company.objects.all(), method="with_company", label="Has this participant")
    market = df.ModelChoiceFilter(queryset=Market.objects.all(), method="in_market", label="In this market")
    tag = df.ModelChoiceFilter(queryset=Tag.objects.all(), method="tagged")
    source = df.ModelChoiceFilter(queryset=Source.objects.all(), method="from_source", label="Supported by this source")
    source_reliability = df.MultipleChoiceFilter(
        choices=Reliability.choices, method="from_reliability", label="Supported by a source of these grades"
    )
    time_after = df.DateFilter(method="ends_after", label="Time range ends on or after")
    time_before = df.DateFilter(method="starts_before", label="Time range starts on or before")
    published_after = df.DateFilter(method="evidence_published_after", label="Some evidence published on or after")
    published_before = df.DateFilter(method="evidence_published_before", label="Some evidence published on or before")

    class Meta:
        model = Event
        fields = ["type", "status", "review_status"]

    def with_company(self, queryset: QuerySet[Event], name: str, value: Company) -> QuerySet[Event]:
        return queryset.filter(_exists(EventParticipant, event=OuterRef("pk"), company=value))

    def in_market(self, queryset: QuerySet[Event], name: str, value: Market) -> QuerySet[Event]:
        return queryset.filter(_exists(Event.markets.through, event=OuterRef("pk"), market=value))

    def tagged(self, queryset: QuerySet[Event], name: str, value: Tag) -> QuerySet[Event]:
        return queryset.filter(_exists(Event.tags.through, event=OuterRef("pk"), tag=value))

    def from_source(self, queryset: QuerySet[Event], name: str, value: Source) -> QuerySet[Event]:
        return queryset.filter(_exists(Evidence, event=OuterRef("pk"), article__source=value))

    def from_reliability(self, queryset: QuerySet[Event], name: str, value: list[str]) -> QuerySet[Event]:
        return queryset.filter(_exists(Evidence, event=OuterRef("pk"), article__source__reliability__in=value))

    def ends_after(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset.filter(Q(time_end__gte=value) | Q(time_end__isnull=True, time_start__gte=value))

    def starts_before(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset.filter(time_start__lte=value)

    def evidence_published_after(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset.filter(_exists(Evidence, event=OuterRef("pk"), article__published_on__gte=value))

    def evidence_published_before(self, queryset: QuerySet[Event], name: str, value: Any) -> QuerySet[Event]:
        return queryset.filter(_exists(Evidence, event=OuterRef("pk"), article__published_on__lte=value))


QuoteFilter = filterset_factory(Quote, ReviewFilterSet, ["article", "speaker", "reported_via", "review_status"])


class RelationshipFilter(ReviewFilterSet):
    company = df.ModelChoiceFilter(queryset=Company.objects.all(), method="involving", label="Subject or object")
    valid_on = df.DateFilter(method="in_force_on", label="In force on this date")

    class Meta:
        model = Relationship
        fields = ["subject", "object", "kind", "review_status"]

    def involving(self, queryset: QuerySet[Relationship], name: str, value: Company) -> QuerySet[Relationship]:
        return queryset.filter(Q(subject=value) | Q(object=value))

    def in_force_on(self, queryset: QuerySet[Relationship], name: str, value: Any) -> QuerySet[Relationship]:
        return queryset.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=value)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=value)
        )


TagRuleFilter = filterset_factory(TagRule, fields=["tag", "algorithm", "enabled"])
EventRuleFilter = filterset_factory(EventRule, fields=["event_type", "algorithm", "enabled"])
IngestJobFilter = filterset_factory(IngestJob, fields=["status"])
WatchlistFilter = filterset_factory(Watchlist, fields=["active", "delivery"])


class FeedFilter(df.FilterSet):
    failing = df.BooleanFilter(method="is_failing", label="Its last check failed")

    class Meta:
        model = Feed
        fields = ["kind", "active", "watchlist", "source", "last_status"]

    def is_failing(self, queryset: QuerySet[Feed], name: str, value: bool) -> QuerySet[Feed]:
        return queryset.filter(error_count__gt=0) if value else queryset.filter(error_count=0)


class AlertFilter(df.FilterSet):
    unread = df.BooleanFilter(field_name="read_at", lookup_expr="isnull", label="Not read yet")
    created_after = df.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = Alert
        fields = ["watchlist", "kind", "unread", "event"]
