"""Shared admin behaviour: history, review actions, read-only provenance."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from simple_history.admin import SimpleHistoryAdmin

from intel.choices import Method, ReviewStatus
from intel.review import confirm_records, reject_records, with_support

PROVENANCE_FIELDS = ("review_status", "confidence", "method", "method_detail", "reviewed_by", "reviewed_at")


def profile_link(company_id: int | None, name: str) -> SafeString:
    """A company's name linked to its profile page, wherever the admin shows it."""
    if not company_id:
        return format_html("{}", name)
    return format_html('<a href="{}">{}</a>', reverse("admin:workspace_company", args=[company_id]), name)


def shortened(text: str, length: int = 90) -> SafeString:
    """A long text cut to fit a list column, whole in its tooltip."""
    if len(text) <= length:
        return format_html("{}", text)
    return format_html('<span title="{}">{}…</span>', text, text[: length - 1].rstrip())


class HistoryAdmin(SimpleHistoryAdmin):
    """Every tracked model: the "History" page lists each change with who, when and what differed."""

    history_list_display = ["history_change_reason"]


@admin.action(description="Confirm selected records", permissions=["change"])
def confirm_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = confirm_records(queryset, by=request.user)  # type: ignore[arg-type]
    modeladmin.message_user(request, f"Confirmed {count} record(s).", messages.SUCCESS)


@admin.action(description="Reject selected records (and never propose them again)", permissions=["change"])
def reject_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Any]) -> None:
    count = reject_records(queryset, by=request.user)  # type: ignore[arg-type]
    modeladmin.message_user(request, f"Rejected {count} record(s); they will not be proposed again.", messages.SUCCESS)


class ReviewableAdminMixin:
    """For models that can be made automatically: review actions, filters, provenance."""

    actions = [confirm_selected, reject_selected]

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> tuple[str, ...]:
        base = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return base + tuple(f for f in PROVENANCE_FIELDS if f not in base)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            # A record a person types in is theirs and needs no review.
            obj.method = Method.MANUAL
            obj.review_status = ReviewStatus.CONFIRMED
            obj.confidence = 1.0
            obj.reviewed_by = request.user
            obj.reviewed_at = timezone.now()
        super().save_model(request, obj, form, change)  # type: ignore[misc]


class SupportAdminMixin:
    """Companies, people and products: how many articles and publishers name each, so
    that the list of proposals can be sorted by support."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return with_support(super().get_queryset(request))  # type: ignore[misc]

    @admin.display(description="Support (articles / sources)", ordering="-support_articles")
    def support(self, obj: Any) -> str:
        return f"{obj.support_articles} / {obj.support_sources}"


PROVENANCE_FIELDSET = ("Provenance and review", {"fields": PROVENANCE_FIELDS, "classes": ["collapse"]})
