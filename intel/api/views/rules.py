"""The analysts' tagging and event rules."""

from __future__ import annotations

from intel.api import filters
from intel.api import serializers as s
from intel.models import EventRule, TagRule

from .base import plain_viewset

TagRuleViewSet = plain_viewset(TagRule, s.TagRuleSerializer, filters.TagRuleFilter)
EventRuleViewSet = plain_viewset(EventRule, s.EventRuleSerializer, filters.EventRuleFilter)
