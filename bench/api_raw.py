"""Raw baselines for ``bench/api.py``: plain Django views returning ``JsonResponse``.

Each view runs the same SQL as its REST API list (the same token lookup, the
same permission check, the same page query with the same join, the same
prefetch queries) but builds the JSON from ``.values()`` rows by hand: no
serializer, no renderer negotiation, no filter backend, no pagination class.
The difference between the two is what Django REST framework costs per request.

Also the bench URL conf: the project's URLs plus these views under ``/bench/raw/``,
and under ``/bench/serializers/`` the API's article and event lists as they would be
without their rows path (``RowsListSerializer``): model instances, prefetched, through
the serializers field by field (``bench/api.py --serializers``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, JsonResponse
from django.urls import path
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from config.urls import urlpatterns as project_urlpatterns
from intel.api.views import ArticleViewSet, EventViewSet
from intel.models import Article, Event, EventParticipant
from intel.questions import event_queryset

PAGE_SIZE = 50


def _user(request: HttpRequest) -> Any:
    """The token's user, or None: the same query as the API's token authentication."""
    from intel.models import ApiToken
    from intel.models.api import hash_token

    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(parts[1])).first()
    if token is None or token.revoked_at is not None or not token.user.is_active:
        return None
    return token.user


def _forbidden() -> JsonResponse:
    return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)


def _page(request: HttpRequest) -> tuple[int | None, int]:
    before = request.GET.get("before")
    size = min(int(request.GET.get("page_size", PAGE_SIZE)), 500)
    return (int(before) if before else None), size


def raw_articles(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None or not user.has_perm("intel.view_article"):
        return _forbidden()
    before, size = _page(request)
    rows = Article.objects.order_by("-id")
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(
        rows.values(
            "id", "title", "url", "author", "source", "source__name", "published_on", "published_precision",
            "retrieved_at", "language", "status", "duplicate_of", "content_hash", "created_at",
        )[: size + 1]
    )  # fmt: skip
    for row in page:
        row["source_name"] = row.pop("source__name")
    more = len(page) > size
    page = page[:size]
    next_url = f"?before={page[-1]['id']}&page_size={size}" if more else None
    return JsonResponse({"next": next_url, "previous": None, "results": page})


def raw_events(request: HttpRequest) -> JsonResponse:
    user = _user(request)
    if user is None or not user.has_perm("intel.view_event"):
        return _forbidden()
    before, size = _page(request)
    rows = Event.objects.order_by("-id")
    if before is not None:
        rows = rows.filter(id__lt=before)
    page = list(
        rows.values(
            "id", "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase",
            "review_status", "confidence", "method", "method_detail", "reviewed_by", "reviewed_at", "created_at",
            "updated_at",
        )[: size + 1]
    )  # fmt: skip
    more = len(page) > size
    page = page[:size]
    ids = [row["id"] for row in page]
    # The four prefetches the API makes: participants with their company's name, markets, regulators, tags.
    participants: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for event_id, company, name, role in (
        EventParticipant.objects.filter(event_id__in=ids)
        .order_by("id")
        .values_list("event_id", "company_id", "company__name", "role")
    ):
        participants[event_id].append({"company": company, "company_name": name, "role": role})
    markets: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for event_id, market, name in Event.markets.through.objects.filter(event_id__in=ids).values_list(
        "event_id", "market_id", "market__name"
    ):
        markets[event_id].append((market, name))
    regulators: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for event_id, source, name in Event.regulators.through.objects.filter(event_id__in=ids).values_list(
        "event_id", "source_id", "source__name"
    ):
        regulators[event_id].append((source, name))
    tags: dict[int, list[int]] = defaultdict(list)
    for event_id, tag in Event.tags.through.objects.filter(event_id__in=ids).values_list("event_id", "tag_id"):
        tags[event_id].append(tag)
    for row in page:
        row["participants"] = participants[row["id"]]
        row["markets"] = [pk for pk, _ in markets[row["id"]]]
        row["market_names"] = [name for _, name in markets[row["id"]]]
        row["regulators"] = [pk for pk, _ in regulators[row["id"]]]
        row["regulator_names"] = [name for _, name in regulators[row["id"]]]
        row["tags"] = tags[row["id"]]
    next_url = f"?before={page[-1]['id']}&page_size={size}" if more else None
    return JsonResponse({"next": next_url, "previous": None, "results": page})


class SerializedArticles(ArticleViewSet):
    """The article list from model instances (the source selected), serialized field by field."""

    def get_queryset(self) -> QuerySet[Article]:
        return Article.objects.select_related("source").defer("body", "minhash").order_by("-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)


class SerializedEvents(EventViewSet):
    """The event list from model instances (their relations prefetched), serialized field by field."""

    def get_queryset(self) -> QuerySet[Event]:
        return event_queryset().order_by("-id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)


urlpatterns = [
    path("bench/raw/articles/", raw_articles),
    path("bench/raw/events/", raw_events),
    path("bench/serializers/articles/", SerializedArticles.as_view({"get": "list"})),
    path("bench/serializers/events/", SerializedEvents.as_view({"get": "list"})),
    *project_urlpatterns,
]
