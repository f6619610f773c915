"""The admin's home page: the dashboard above the models grouped by purpose."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import URLPattern
from django.utils import timezone

from intel.workspace import dashboard as d
from intel.workspace.charts import stacked_bars

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def urls(site: AdminSite) -> list[URLPattern]:
    return []  # the dashboard is the site's index (RivalscopeAdminSite.index)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's sections the user may see; ``?since=YYYY-MM-DD`` sets the day
    "new for your watchlist" counts from (Monday by default)."""
    user = request.user
    today = timezone.localdate()
    since, since_error = d.last_monday(today), ""
    raw = request.GET.get("since", "").strip()
    if raw:
        try:
            since = date.fromisoformat(raw)
        except ValueError:
            since_error = f"“{raw[:40]}” is not a date: write it as YYYY-MM-DD. Showing news since Monday."
    context: dict[str, Any] = {"waiting": d.waiting_for_review(user), "since": since, "since_error": since_error}
    if user.has_perm("intel.view_event"):
        weekly = d.events_by_week(today)
        context["events_by_week"] = weekly
        context["events_chart"] = stacked_bars(
            [w.strftime("%d %b") for w in weekly.weeks], weekly.series, title="Events by week and type"
        )
    if user.has_perm("intel.view_company"):
        watched = d.watched_company_ids(user)
        context["watched_count"] = len(watched)
        context["watched_trends"] = d.watched_trends(watched, today)
        if user.has_perm("intel.view_event"):
            context["new_events"] = d.new_for_watchlist(watched, since)
    if user.has_perm("intel.view_alert"):
        context["alerts"] = d.new_alerts(user)
    if user.has_perm("intel.view_feed"):
        context["failing_feeds"] = d.failing_feeds()
    return context
