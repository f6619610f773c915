from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path

from intel.models import EntityIndexVersion, EventRule, TagRule

from .base import HistoryAdmin
from .views import test_rule_view

RULE_FIELDS = ["name", "enabled", "algorithm", "match", "case_sensitive", "confidence"]


class RuleAdmin(HistoryAdmin):
    list_filter = ["enabled", "algorithm", "case_sensitive"]
    search_fields = ["name", "match"]
    date_hierarchy = "created_at"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(lambda request: test_rule_view(self, request))
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_test"
        return [path("test/", view, name=name), *super().get_urls()]


@admin.register(TagRule)
class TagRuleAdmin(RuleAdmin):
    list_display = ["name", "tag", "algorithm", "match", "case_sensitive", "confidence", "enabled"]
    list_select_related = ["tag"]
    autocomplete_fields = ["tag"]
    fields = ["tag", *RULE_FIELDS]


@admin.register(EventRule)
class EventRuleAdmin(RuleAdmin):
    list_display = ["name", "event_type", "status", "algorithm", "match", "confidence", "enabled"]
    list_filter = ["event_type", *RuleAdmin.list_filter]
    fields = ["event_type", "status", "requires_market", *RULE_FIELDS]


@admin.register(EntityIndexVersion)
class EntityIndexVersionAdmin(admin.ModelAdmin):
    """Read-only: the gazetteer's version counter."""

    list_display = ["pk", "version"]
    readonly_fields = ["version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
