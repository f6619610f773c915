"""The analysts' tagging and event rules."""

from __future__ import annotations

from intel.api import filters
from intel.api import serializers as s
from intel.models import EventRule, TagRule

from .base import ModelViewSet


class TagRuleViewSet(ModelViewSet):
    queryset = TagRule.objects.order_by("id")
    serializer_class = s.TagRuleSerializer
    filterset_class = filters.TagRuleFilter


class EventRuleViewSet(ModelViewSet):
    queryset = EventRule.objects.order_by("id")
    serializer_class = s.EventRuleSerializer
    filterset_class = filters.EventRuleFilter
