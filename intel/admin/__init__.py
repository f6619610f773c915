"""The Django admin: where analysts enter, review and correct the data."""

from django.contrib import admin
from django.http import HttpRequest

from intel.health import is_alive
from intel.models import Heartbeat

from . import api, articles, companies, events, links, markets, monitoring, rules, sources  # noqa: F401  (registers the admins)


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    """One row per Celery worker; a stale one died, lost the broker or cannot write to the database.

    A worker that stops cleanly deletes its row. A killed one's row stays, stale, until
    the worker comes back under the same name or the row is deleted here.
    """

    list_display = ["name", "alive", "last_seen_at", "hostname"]
    readonly_fields = ["name", "last_seen_at", "hostname"]
    search_fields = ["name", "hostname"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(boolean=True, description="alive")
    def alive(self, obj: Heartbeat) -> bool:
        return is_alive(obj.last_seen_at)
