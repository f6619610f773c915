"""Events: who did what, where and when, with the evidence for it."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import serializers

from intel.api import filters
from intel.api import serializers as s
from intel.models import Event
from intel.questions import event_detail_queryset

from .base import ModelViewSet, RankedSearchMixin


class EventViewSet(RankedSearchMixin, ModelViewSet):
    """Events with participants and markets; the detail adds all evidence and its independent sources."""

    serializer_class = s.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["id", "time_start"]
    queryset = Event.objects.order_by("-id")

    def get_queryset(self) -> QuerySet[Event]:
        if self.action == "list":
            # Plain rows, which EventSerializer(many=True) formats (s.RowsListSerializer says why).
            return s.list_rows(s.EventSerializer, Event.objects.order_by("-id"))
        return event_detail_queryset().order_by("-id")

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.EventSerializer if self.action == "list" else s.EventDetailSerializer
