from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from intel.models import Market, MarketAlias

from .base import HistoryAdmin


class MarketAliasInline(admin.TabularInline):
    model = MarketAlias
    extra = 1


@admin.register(Market)
class MarketAdmin(HistoryAdmin):
    list_display = ["name", "kind", "iso_code", "base", "category", "price_tier", "page"]
    list_filter = ["kind", "category", "price_tier"]
    list_select_related = ["base"]
    search_fields = ["name", "iso_code", "aliases__text"]
    autocomplete_fields = ["base", "members"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["page"]
    inlines = [MarketAliasInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "iso_code", "m49_code", "description", "page"]}),
        ("Region", {"fields": ["members"], "description": "For a region: the countries and regions it is made of."}),
        ("Segment", {"fields": ["base", "category", "price_tier"], "description": "For a segment: what it narrows."}),
    ]

    @admin.display(description="Market page")
    def page(self, obj: Market) -> str:
        """The analysts' page of the market: who is in it, on what evidence."""
        if obj.pk is None:
            return "-"  # not saved yet
        return format_html('<a href="{}">Open page</a>', reverse("admin:workspace_market", args=[obj.pk]))
