"""What every viewset shares: role permissions, strict filters, ordering by id, and the
ranked full-text search page of the lists that have ``q``."""

from __future__ import annotations

from typing import Any

from django.db import models
from django_filters import FilterSet
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from intel.api import filters
from intel.api.permissions import RolePermissions
from intel.search import full_text_available, ranked_ids


class ModelViewSet(viewsets.ModelViewSet):
    permission_classes = [RolePermissions]
    filter_backends = [filters.StrictFilterBackend, filters.StrictOrderingFilter]
    # Only indexed columns: a cursor page is then one range scan.
    ordering_fields = ["id"]
    ordering = ["-id"]


def plain_viewset(
    model: type[models.Model], serializer_class: type[serializers.BaseSerializer], filterset_class: type[FilterSet]
) -> type[ModelViewSet]:
    """``<Model>ViewSet`` for a model whose pages load no related rows and that has no
    action of its own: its rows by id, through ``serializer_class``, filtered by ``filterset_class``."""
    return type(
        f"{model.__name__}ViewSet",
        (ModelViewSet,),
        {
            "queryset": model._default_manager.order_by("id"),
            "serializer_class": serializer_class,
            "filterset_class": filterset_class,
        },
    )


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [RolePermissions]
    filter_backends = [filters.StrictFilterBackend, filters.StrictOrderingFilter]
    ordering_fields = ["id"]
    ordering = ["-id"]


class RankedSearchMixin:
    """With ``?q=`` on PostgreSQL, a list is a ranked search page over the bounded
    candidates (``intel.search``), offset-paged, each result with its ``rank``.

    On SQLite, ``q`` is a filter like any other (``filters.SearchFilterSet``) and the
    list is cursor-paged as usual.
    """

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        q = request.query_params.get("q", "").strip()
        if not (q and full_text_available()):
            return super().list(request, *args, **kwargs)  # type: ignore[misc]
        if "cursor" in request.query_params:
            raise ValidationError({"cursor": ["Search results are paged with offset, not cursor."]})
        size = int_param(request, "page_size", default=50, low=1, high=500)
        offset = int_param(request, "offset", default=0, low=0, high=10_000)
        found = ranked_ids(self.filter_queryset(self.get_queryset()), q, limit=size + 1, offset=offset)  # type: ignore[attr-defined]
        more = len(found) > size
        ranks = dict(found[:size])
        # The ids passed the filters already (ranked_ids applied them).
        by_id = {row["id"]: row for row in self.get_queryset().filter(pk__in=list(ranks)).order_by()}  # type: ignore[attr-defined]
        data = self.get_serializer([by_id[pk] for pk in ranks if pk in by_id], many=True).data  # type: ignore[attr-defined]
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


def refuse_unknown_params(request: Request, known: set[str]) -> None:
    """A 400 naming the query parameters outside ``known`` (a misspelt one would be ignored)."""
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ValidationError({"query": [f"Unknown query parameter(s): {', '.join(unknown)}."]})


def int_param(request: Request, name: str, *, default: int, low: int, high: int) -> int:
    """The whole-number query parameter ``name`` between ``low`` and ``high``, or a 400 saying why not."""
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
