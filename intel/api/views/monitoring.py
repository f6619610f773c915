"""Monitoring: watchlists, the feeds the monitor polls, and the alerts they raise."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from intel.api import filters
from intel.api import serializers as s
from intel.api.permissions import HasPermissions
from intel.models import Alert, Feed, Watchlist

from .base import ModelViewSet, ReadOnlyViewSet


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
    required_permissions = ("intel.view_alert",)

    @extend_schema(request=None, responses=s.AlertSerializer)
    @action(detail=True, methods=["post"], permission_classes=[HasPermissions])
    def read(self, request: Request, pk: str | None = None) -> Response:
        alert = self.get_object()
        if alert.read_at is None:
            alert.read_at = timezone.now()
            alert.save(update_fields=["read_at"])
        return Response(s.AlertSerializer(alert).data)
