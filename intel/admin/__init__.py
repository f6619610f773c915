"""The Django admin: where analysts enter, review and correct the data."""

from django.contrib import admin
from django.http import HttpRequest

from intel.models import Heartbeat

from . import api, articles, companies, events, links, markets, monitoring, rules, sources  # noqa: F401  (registers the admins)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen_at", "hostname"]
    readonly_fields = ["name", "last_seen_at", "hostname"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
