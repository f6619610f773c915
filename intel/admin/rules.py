"""The rules analysts edit: tag rules and event rules, each with a test on past articles
and the figures that say whether it earns its keep (``intel.workspace.rule_precision``):
how many records it made, how many wait for review, and the share of reviewed ones
people confirmed; and, when its regular expression ran out of time on some articles,
how often and where last."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from intel.matching import rule_regex_timeout
from intel.models import EntityIndexVersion, EventRule, TagRule
from intel.workspace.inbox_kinds import kind_of
from intel.workspace.rule_precision import (
    Rule,
    figures_of,
    made_by,
    precision_text,
    rule_label,
    with_rule_figures,
)

from .base import HistoryAdmin
from .views import test_rule_view

RULE_FIELDS = ["name", "enabled", "algorithm", "match", "case_sensitive", "confidence"]
FIGURE_COLUMNS = ["made", "waiting", "precision"]


def inbox_url(rule: Rule) -> str:
    """The review inbox, showing only the records the rule made."""
    query = {"kind": kind_of(made_by(rule)) or "", "rule": rule_label(rule)}
    return f"{reverse('admin:workspace_inbox')}?{urlencode(query)}"


class RuleAdmin(HistoryAdmin):
    change_form_template = "admin/intel/rule_change_form.html"
    list_filter = ["enabled", "algorithm", "case_sensitive"]
    search_fields = ["name", "match"]
    date_hierarchy = "created_at"

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(lambda request: test_rule_view(self, request))
        name = f"{self.model._meta.app_label}_{self.model._meta.model_name}_test"
        return [path("test/", view, name=name), *super().get_urls()]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The figures come with the rules, in the list's one query (and sort it).
        return with_rule_figures(super().get_queryset(request))

    @admin.display(description="Made", ordering="rule_made")
    def made(self, rule: Rule) -> int:
        return figures_of(rule).made

    @admin.display(description="Waiting for review", ordering="rule_proposed")
    def waiting(self, rule: Rule) -> SafeString | int:
        waiting = figures_of(rule).proposed
        return format_html('<a href="{}">{}</a>', inbox_url(rule), waiting) if waiting else waiting

    @admin.display(description="Precision (confirmed of reviewed)", ordering="rule_precision_rank")
    def precision(self, rule: Rule) -> str:
        figures = figures_of(rule)
        return precision_text(figures.confirmed, figures.rejected)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Rule | None = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk:
            context["rule_figures"] = figures_of(obj)
            context["rule_inbox_url"] = inbox_url(obj)
            context["rule_label"] = rule_label(obj)
            context["rule_timeout"] = rule_regex_timeout()
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(TagRule)
class TagRuleAdmin(RuleAdmin):
    list_display = ["name", "tag", "algorithm", "match", "case_sensitive", "confidence", "enabled", *FIGURE_COLUMNS]
    list_select_related = ["tag"]
    autocomplete_fields = ["tag"]
    fields = ["tag", *RULE_FIELDS]


@admin.register(EventRule)
class EventRuleAdmin(RuleAdmin):
    list_display = ["name", "event_type", "status", "algorithm", "match", "confidence", "enabled", *FIGURE_COLUMNS]
    list_filter = ["event_type", *RuleAdmin.list_filter]
    fields = ["event_type", "status", "requires_market", *RULE_FIELDS]


@admin.register(EntityIndexVersion)
class EntityIndexVersionAdmin(admin.ModelAdmin):
    """Read-only: the gazetteer's version counter."""

    list_display = ["pk", "version"]
    readonly_fields = ["version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
