"""Admin for the API's own records: tokens for programs, and queued ingest jobs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from intel.models import ApiToken, IngestJob


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Create a token per program; its key is shown once, on creation. Revoke instead of deleting."""

    form = ApiTokenForm
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return ["user", "name"] if obj is None else ["user", "name", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: ApiToken | None = None) -> list[str]:
        return list(self.readonly_fields) + (["user"] if obj is not None else [])

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(user=obj.user, name=obj.name)
        obj.pk = token.pk
        obj.key_hash, obj.prefix, obj.created_at = token.key_hash, token.prefix, token.created_at
        messages.warning(
            request,
            f"The key of “{token.name}” is {key} — copy it now: it is stored only as a hash and cannot be shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoke()
            count += 1
        self.message_user(request, f"Revoked {count} token(s); programs using them are refused from now on.")


@admin.register(IngestJob)
class IngestJobAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "created_by", "created_at", "finished_at", "attempts", "article", "error_stage"]
    list_filter = ["status"]
    list_select_related = ["created_by", "article"]
    readonly_fields = [f.name for f in IngestJob._meta.fields if f.name != "raw"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
