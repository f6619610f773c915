from __future__ import annotations

from django.contrib import admin

from intel.models import Source

from .base import HistoryAdmin


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["name", "kind", "domain", "reliability"]
    list_filter = ["kind", "reliability"]
    search_fields = ["name", "domain"]
    prepopulated_fields = {"slug": ["name"]}
