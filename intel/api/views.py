"""API views: thin viewsets naming their queryset, serializer and filters; actions call functions.

Every queryset names its ``select_related`` / ``prefetch_related`` so that a page
costs the same number of queries whatever its size (tests check each one).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from intel import changes as changes_feed
from intel.busy import is_busy
from intel.exports.stix import MAX_EVENTS, export_bundle
from intel.ingest.errors import IngestError
from intel.ingest.normalise import TEXT_TYPES, check_url
from intel.ingest.pipeline import ingest_article
from intel.jobs import queue_ingest
from intel.merge import merge_companies
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
from intel.questions import PRESENCE_GROUPS, company_timeline, event_detail_queryset, market_overview
from intel.review import confirm_records, reject_records
from intel.search import full_text_available, ranked_ids

from . import filters
from . import serializers as s
from .parsers import BoundedJSONParser
from .permissions import HasPermissions, IsStaff, RolePermissions

# Field formatters for the lists built from plain rows (the serializers' own formats).
_date = serializers.DateField()
_datetime = serializers.DateTimeField()


class ModelViewSet(viewsets.ModelViewSet):
    permission_classes = [RolePermissions]
    filter_backends = [filters.StrictFilterBackend, filters.StrictOrderingFilter]
    # Only indexed columns: a cursor page is then one range scan.
    ordering_fields = ["id"]
    ordering = ["-id"]


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermissions]
    filter_backends = [filters.StrictFilterBackend, filters.StrictOrderingFilter]
    ordering_fields = ["id"]
    ordering = ["-id"]


# --- Entities ------------------------------------------------------------------------


class MarketViewSet(ModelViewSet):
    queryset = Market.objects.prefetch_related("aliases").order_by("id")
    serializer_class = s.MarketSerializer
    filterset_class = filters.MarketFilter

    @extend_schema(responses=inline_serializer("MarketOverview", {
        "market": s.MarketSerializer(),
        "present": s.NamedRefSerializer(many=True),
        "entering": s.NamedRefSerializer(many=True),
        "leaving": s.NamedRefSerializer(many=True),
        "rumoured": s.NamedRefSerializer(many=True),
        "recent_events": s.EventSerializer(many=True),
    }))  # fmt: skip
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def overview(self, request: Request, pk: str | None = None) -> Response:
        """Who is present in the market, who is entering or leaving, whose entry or exit is only
        rumoured, and its recent events."""
        market = self.get_object()
        overview = market_overview(market)
        return Response(
            {
                "market": s.MarketSerializer(market, context={"request": request}).data,
                **{name: overview.names(name) for name in PRESENCE_GROUPS},
                "recent_events": s.EventSerializer(overview.events[:20], many=True, context={"request": request}).data,
            }
        )


class CompanyViewSet(ModelViewSet):
    queryset = Company.objects.prefetch_related("aliases", "tags").order_by("id")
    serializer_class = s.CompanySerializer
    filterset_class = filters.CompanyFilter
    ordering_fields = ["id", "name"]

    @extend_schema(responses=s.EventDetailSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """The company's events in time order (undated last), with status, markets and evidence."""
        rows = company_timeline(self.get_object())
        return Response(s.EventDetailSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(request=s.MergeRequestSerializer, responses=s.MergeResponseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff, RolePermissions])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Fold the company ``drop`` into this one (staff only): its names, mentions, events and links move here."""
        keep = self.get_object()
        body = s.MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drop = body.validated_data["drop"]
        try:
            result = merge_companies(keep=keep, drop=drop, by=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"drop": error.messages}) from error
        return Response(
            {
                "kept": result.kept.pk,
                "dropped": drop.pk,
                "moved": {
                    "aliases": result.moved_aliases,
                    "mentions": result.moved_mentions,
                    "participations": result.moved_participations,
                    "relationships": result.moved_relationships,
                },
            }
        )


class PersonViewSet(ModelViewSet):
    queryset = Person.objects.prefetch_related(
        "aliases", Prefetch("roles", queryset=Role.objects.select_related("company"))
    ).order_by("id")
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter


class RoleViewSet(ModelViewSet):
    queryset = Role.objects.order_by("id")
    serializer_class = s.RoleSerializer
    filterset_class = filters.RoleFilter


class ProductViewSet(ModelViewSet):
    queryset = Product.objects.select_related("maker").prefetch_related("aliases").order_by("id")
    serializer_class = s.ProductSerializer
    filterset_class = filters.ProductFilter


class SourceViewSet(ModelViewSet):
    queryset = Source.objects.order_by("id")
    serializer_class = s.SourceSerializer
    filterset_class = filters.SourceFilter


class TagViewSet(ModelViewSet):
    queryset = Tag.objects.order_by("id")
    serializer_class = s.TagSerializer
    filterset_class = filters.TagFilter


class RelationshipViewSet(ModelViewSet):
    queryset = Relationship.objects.select_related("subject", "object").order_by("id")
    serializer_class = s.RelationshipSerializer
    filterset_class = filters.RelationshipFilter


# --- Articles, events and what was extracted -----------------------------------------


class PlainRowsListMixin:
    """A list built from ``.values()`` rows, cursor-paged; with ``?q=`` on PostgreSQL, a ranked
    search page over the bounded candidates, offset-paged.

    Subclasses name the columns (``row_columns``) and turn a page of rows into the
    serializer's JSON (``rows``): no model instance per row, the API's busiest reads
    (``bench/api.py``). On SQLite, ``q`` is a filter like any other.
    """

    row_columns: tuple[str, ...] = ()

    def rows(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        model = self.queryset.model  # type: ignore[attr-defined]
        queryset = self.filter_queryset(model.objects.all())  # type: ignore[attr-defined]
        q = request.query_params.get("q", "").strip()
        if q and full_text_available():
            return self._search(request, queryset, q)
        page = self.paginate_queryset(queryset.values(*self.row_columns))  # type: ignore[attr-defined]
        assert page is not None  # every list is paginated
        return self.get_paginated_response(self.rows(page))  # type: ignore[attr-defined]

    def _search(self, request: Request, queryset: QuerySet[Any], q: str) -> Response:
        if "cursor" in request.query_params:
            raise ValidationError({"cursor": ["Search results are paged with offset, not cursor."]})
        size = _int_param(request, "page_size", default=50, low=1, high=500)
        offset = _int_param(request, "offset", default=0, low=0, high=10_000)
        found = ranked_ids(queryset, q, limit=size + 1, offset=offset)
        more = len(found) > size
        ranks = dict(found[:size])
        # The ids passed the filters already (ranked_ids applied them).
        by_id = {row["id"]: row for row in queryset.model.objects.filter(pk__in=list(ranks)).values(*self.row_columns)}
        data = self.rows([by_id[pk] for pk in ranks if pk in by_id])
        for item in data:
            item["rank"] = round(ranks[item["id"]], 6)
        url = request.build_absolute_uri()
        return Response(
            {
                "next": replace_query_param(url, "offset", offset + size) if more else None,
                "previous": replace_query_param(url, "offset", max(offset - size, 0)) if offset else None,
                "results": data,
            }
        )


def _int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [f"{name} must be a whole number."]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [f"{name} must be between {low} and {high}."]})
    return value


ARTICLE_LIST_COLUMNS = ("id", "title", "url", "author", "source", "source__name", "published_on",
                        "published_precision", "retrieved_at", "language", "status", "duplicate_of",
                        "content_hash", "created_at")  # fmt: skip

EVENT_LIST_COLUMNS = ("id", "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase",
                      *s.REVIEW_FIELDS, "created_at", "updated_at")  # fmt: skip


class ArticleViewSet(PlainRowsListMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet):
    """Articles. New articles come in through ``POST /api/v1/ingest/``, which extracts records from them."""

    serializer_class = s.ArticleSerializer
    filterset_class = filters.ArticleFilter
    ordering_fields = ["id", "published_on"]
    queryset = Article.objects.select_related("source").defer("body", "minhash").order_by("-id")
    row_columns = ARTICLE_LIST_COLUMNS

    def get_queryset(self) -> QuerySet[Article]:
        if self.action != "retrieve":
            return self.queryset
        return (
            Article.objects.select_related("source")
            .defer("minhash")
            .prefetch_related(
                Prefetch(
                    "mentions",
                    queryset=Mention.objects.select_related("company", "market", "person", "product").order_by("start"),
                ),
                Prefetch("evidence", queryset=Evidence.objects.select_related("event").order_by("start")),
                Prefetch("quotes", queryset=Quote.objects.select_related("speaker", "reported_via").order_by("start")),
                Prefetch("article_tags", queryset=ArticleTag.objects.select_related("tag").order_by("id")),
                "cited_sources",
            )
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleSerializer

    def rows(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The same JSON as ArticleSerializer, without a model instance per row.
        return [article_row(row) for row in page]


def article_row(row: dict[str, Any]) -> dict[str, Any]:
    """``ArticleSerializer``'s output for one ``.values()`` row."""
    return {
        "id": row["id"],
        "title": row["title"],
        "url": row["url"],
        "author": row["author"],
        "source": row["source"],
        "source_name": row["source__name"],
        "published_on": _date.to_representation(row["published_on"]) if row["published_on"] else None,
        "published_precision": row["published_precision"],
        "retrieved_at": _datetime.to_representation(row["retrieved_at"]),
        "language": row["language"],
        "status": row["status"],
        "duplicate_of": row["duplicate_of"],
        "content_hash": row["content_hash"],
        "created_at": _datetime.to_representation(row["created_at"]),
    }


class EventViewSet(PlainRowsListMixin, ModelViewSet):
    """Events with participants and markets; the detail adds all evidence and its independent sources."""

    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["id", "time_start"]
    queryset = Event.objects.order_by("-id")
    row_columns = EVENT_LIST_COLUMNS

    def get_queryset(self) -> QuerySet[Event]:
        return event_detail_queryset().order_by("-id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.EventSerializer if self.action == "list" else s.EventDetailSerializer

    def rows(self, page: list[dict[str, Any]]) -> list[dict[str, Any]]:
        # The same JSON as EventSerializer and the same seven queries as prefetching,
        # but no model instance, related manager and queryset clone per event per
        # relation: prefetching cost 9 ms of Python a page against 1 ms of SQL.
        return event_rows(page)


def event_rows(page: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``EventSerializer``'s output for a page of ``.values()`` rows, relations in four queries."""
    ids = [row["id"] for row in page]
    participants: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    for event_id, company_id, role, name in (
        EventParticipant.objects.filter(event_id__in=ids)
        .order_by("id")
        .values_list("event_id", "company_id", "role", "company__name")
    ):
        participants[event_id].append({"company": company_id, "company_name": name, "role": role})
    markets: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    # Ordered as the models order them, so the list says what the detail says.
    for event_id, market_id, name in (
        Event.markets.through.objects.filter(event_id__in=ids)
        .order_by("market__name")
        .values_list("event_id", "market_id", "market__name")
    ):
        markets[event_id].append((market_id, name))
    regulators: dict[int, list[tuple[int, str]]] = {pk: [] for pk in ids}
    for event_id, source_id, name in (
        Event.regulators.through.objects.filter(event_id__in=ids)
        .order_by("source__name")
        .values_list("event_id", "source_id", "source__name")
    ):
        regulators[event_id].append((source_id, name))
    tags: dict[int, list[int]] = {pk: [] for pk in ids}
    for event_id, tag_id in (
        Event.tags.through.objects.filter(event_id__in=ids)
        .order_by("tag__namespace", "tag__name")
        .values_list("event_id", "tag_id")
    ):
        tags[event_id].append(tag_id)
    rows = []
    for row in page:
        pk = row["id"]
        rows.append(
            {
                **{k: row[k] for k in ("id", "type", "status", "summary")},
                "time_start": _date.to_representation(row["time_start"]) if row["time_start"] else None,
                "time_end": _date.to_representation(row["time_end"]) if row["time_end"] else None,
                "time_precision": row["time_precision"],
                "time_phrase": row["time_phrase"],
                "participants": participants[pk],
                "markets": [m for m, _ in markets[pk]],
                "market_names": [n for _, n in markets[pk]],
                "regulators": [r for r, _ in regulators[pk]],
                "regulator_names": [n for _, n in regulators[pk]],
                "tags": tags[pk],
                "review_status": row["review_status"],
                "confidence": row["confidence"],
                "method": row["method"],
                "method_detail": row["method_detail"],
                "reviewed_by": row["reviewed_by"],
                "reviewed_at": _datetime.to_representation(row["reviewed_at"]) if row["reviewed_at"] else None,
                "created_at": _datetime.to_representation(row["created_at"]),
                "updated_at": _datetime.to_representation(row["updated_at"]),
            }
        )
    return rows


class MentionViewSet(mixins.DestroyModelMixin, ReadOnlyViewSet):
    queryset = Mention.objects.select_related("company", "market", "person", "product").order_by("-id")
    serializer_class = s.MentionSerializer
    filterset_class = filters.MentionFilter


class QuoteViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet):
    queryset = Quote.objects.select_related("speaker", "reported_via").order_by("-id")
    serializer_class = s.QuoteSerializer
    filterset_class = filters.QuoteFilter


class TagRuleViewSet(ModelViewSet):
    queryset = TagRule.objects.order_by("id")
    serializer_class = s.TagRuleSerializer
    filterset_class = filters.TagRuleFilter


class EventRuleViewSet(ModelViewSet):
    queryset = EventRule.objects.order_by("id")
    serializer_class = s.EventRuleSerializer
    filterset_class = filters.EventRuleFilter


class IngestJobViewSet(ReadOnlyViewSet):
    """Queued ingests: poll one until its status is ``done`` or ``failed``."""

    queryset = IngestJob.objects.order_by("-id")
    serializer_class = s.IngestJobSerializer
    filterset_class = filters.IngestJobFilter


# --- Actions -------------------------------------------------------------------------

INGEST_FIELD_FOR = {"text": "text", "html": "html", "file": "file", "url": "fetch_url", "published": "published"}


class IngestView(APIView):
    """Ingest an article: 201 with what was made (200 if already stored), or 202 with a job when queued."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.add_article",)
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": s.IngestRequestSerializer, "multipart/form-data": s.IngestRequestSerializer},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="Stored: what was made from the article."),
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Already stored: nothing new was made."),
            202: s.IngestJobSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        body = s.IngestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data.get("file")
        raw = None
        if upload is not None:
            # Checked before queueing too, with ingestion's own list of file types.
            if PurePath(upload.name).suffix.lower() not in TEXT_TYPES:
                raise ValidationError({"file": ["Unsupported file type: upload .txt, .html or .md."]})
            raw = upload.read()
        params = {
            "text": data.get("text") or None,
            "html": data.get("html") or None,
            "fetch_url": data.get("fetch_url", ""),
            "filename": upload.name if upload is not None else "",
            "url": data.get("url", ""),
            "title": data.get("title", ""),
            "published": data.get("published") or None,
            "source": data.get("source", ""),
        }
        if params["fetch_url"]:
            try:
                # The scheme and form are checked now; the address after DNS, by the worker's fetch.
                params["fetch_url"] = check_url(params["fetch_url"], "fetch_url")
            except IngestError as error:
                raise ValidationError({"fetch_url": [error.message]}) from error
        if data.get("queue") or params["fetch_url"]:
            # Fetching waits on the network: a worker does it, and the program polls the job.
            job = queue_ingest(params=params, raw=raw, by=request.user)
            return Response(
                {**s.IngestJobSerializer(job).data, "poll": reverse("api:ingestjob-detail", [job.pk], request=request)},
                status=status.HTTP_202_ACCEPTED,
            )
        try:
            result = ingest_article(**params, raw=raw, by=request.user)
        except IngestError as error:
            if is_busy(error):
                raise  # the database was busy, the input fine: BusyDatabaseMiddleware answers 503
            field = INGEST_FIELD_FOR.get(error.field or "", "non_field_errors")
            raise ValidationError({field: [error.describe()]}) from error
        return Response(result.as_json(), status=status.HTTP_201_CREATED if result.new else status.HTTP_200_OK)


REVIEW_PREFETCH = {"event": ["markets", "participants"], "mention": ["article"]}


class ReviewView(APIView):
    """Confirm or reject proposed records, one or many at once; a rejection is not proposed again."""

    permission_classes = [HasPermissions]

    @extend_schema(request=s.ReviewRequestSerializer, responses=s.ReviewResponseSerializer)
    def post(self, request: Request) -> Response:
        body = s.ReviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        label, ids, verdict = (body.validated_data[k] for k in ("model", "ids", "verdict"))
        model = s.REVIEWABLE_MODELS[label]
        perm = f"intel.change_{model._meta.model_name}"
        if not request.user.has_perm(perm):
            return Response(
                {"message": f"Reviewing {model._meta.verbose_name_plural} needs the {perm} permission.",
                 "code": "permission_denied"},
                status=status.HTTP_403_FORBIDDEN,
            )  # fmt: skip
        records = list(model._default_manager.filter(pk__in=ids).prefetch_related(*REVIEW_PREFETCH.get(label, [])))
        missing = sorted(set(ids) - {r.pk for r in records})
        if missing:
            raise ValidationError({"ids": [f"No {model._meta.verbose_name} with id {', '.join(map(str, missing))}."]})
        with transaction.atomic():
            act = confirm_records if verdict == "confirm" else reject_records
            updated = act(records, by=request.user)
        return Response({"model": label, "verdict": verdict, "updated": updated})


class ChangesView(APIView):
    """Every create, update and delete, in order. Pass back ``cursor`` as ``since`` to read on."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.view_company", "intel.view_event", "intel.view_article")

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="A cursor from an earlier page, or `now` to start from here."),
            OpenApiParameter("limit", int, description="Changes per page (1–1000, default 200)."),
        ],
        responses=inline_serializer("ChangesPage", {
            "results": inline_serializer("Change", {
                "model": serializers.CharField(), "id": serializers.JSONField(), "action": serializers.CharField(),
                "at": serializers.DateTimeField(), "by": serializers.IntegerField(allow_null=True),
                "history_id": serializers.IntegerField(), "data": serializers.DictField(),
            }, many=True),
            "cursor": serializers.CharField(), "more": serializers.BooleanField(), "next": serializers.CharField(),
        }),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        unknown = sorted(set(request.query_params) - {"since", "limit", "format"})
        if unknown:
            raise ValidationError({"query": [f"Unknown query parameter(s): {', '.join(unknown)}."]})
        since = request.query_params.get("since", "")
        limit = _int_param(request, "limit", default=200, low=1, high=1000)
        if since == "now":
            page, cursor, more = [], changes_feed.head_cursor(), False
        else:
            try:
                page, cursor, more = changes_feed.changes_after(since, limit=limit)
            except changes_feed.BadCursor as error:
                raise ValidationError({"since": [str(error)]}) from error
        next_url = reverse("api:changes", request=request) + f"?since={cursor}&limit={limit}"
        return Response({"results": [vars(c) for c in page], "cursor": cursor, "more": more, "next": next_url})


class StixExportView(APIView):
    """A STIX 2.1 bundle of companies, markets, events and relationships (for OpenCTI, MISP)."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.view_company", "intel.view_event", "intel.view_relationship")

    @extend_schema(
        parameters=[
            OpenApiParameter("company", int, many=True, description="Only these companies (repeat the parameter)."),
            OpenApiParameter("limit", int, description=f"At most this many events, newest first (≤ {MAX_EVENTS})."),
        ],
        responses={(200, "application/stix+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        unknown = sorted(set(request.query_params) - {"company", "limit", "format"})
        if unknown:
            raise ValidationError({"query": [f"Unknown query parameter(s): {', '.join(unknown)}."]})
        limit = _int_param(request, "limit", default=MAX_EVENTS, low=1, high=MAX_EVENTS)
        companies = None
        if "company" in request.query_params:
            try:
                ids = [int(v) for v in request.query_params.getlist("company")]
            except ValueError:
                raise ValidationError({"company": ["Company ids are whole numbers."]}) from None
            if not all(0 < pk < 2**63 for pk in ids):
                raise ValidationError({"company": ["Company ids are positive 64-bit numbers."]})
            companies = list(Company.objects.filter(pk__in=ids))
            missing = sorted(set(ids) - {c.pk for c in companies})
            if missing:
                raise ValidationError({"company": [f"No company with id {', '.join(map(str, missing))}."]})
        bundle = export_bundle(companies=companies, limit=limit)
        response = HttpResponse(bundle.serialize(pretty=False), content_type="application/stix+json;version=2.1")
        response["Content-Disposition"] = 'attachment; filename="rivalscope-stix.json"'
        return response


# --- Monitoring ----------------------------------------------------------------------


class OwnedMixin:
    """People see their own watchlists (and their alerts); staff see everyone's."""

    owner_path = "owner"

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()  # type: ignore[misc]
        user = self.request.user  # type: ignore[attr-defined]
        return queryset if user.is_staff else queryset.filter(**{self.owner_path: user})


class WatchlistViewSet(OwnedMixin, ModelViewSet):
    queryset = (
        Watchlist.objects.select_related("owner").prefetch_related("companies", "markets", "people").order_by("id")
    )
    serializer_class = s.WatchlistSerializer
    filterset_class = filters.WatchlistFilter

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.save(owner=self.request.user)


class FeedViewSet(ModelViewSet):
    """Feeds the monitor polls, with their health."""

    queryset = Feed.objects.order_by("id")
    serializer_class = s.FeedSerializer
    filterset_class = filters.FeedFilter


class AlertViewSet(OwnedMixin, ReadOnlyViewSet):
    """In-app alerts of your watchlists; ``POST …/read/`` marks one read."""

    owner_path = "watchlist__owner"
    queryset = Alert.objects.select_related("watchlist").order_by("-id")
    serializer_class = s.AlertSerializer
    filterset_class = filters.AlertFilter

    @extend_schema(request=None, responses=s.AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[HasPermissions])
    def read(self, request: Request, pk: str | None = None) -> Response:
        alert = self.get_object()
        if alert.read_at is None:
            alert.read_at = timezone.now()
            alert.save(update_fields=["read_at"])
        return Response(s.AlertSerializer(alert).data)

    required_permissions = ("intel.view_alert",)
