"""The admin site: the back office, plus the analysts' pages (dashboard, profiles,
markets, the entry matrix, the review inbox, search, briefs, articles).

The analysts' pages are plain views under the admin's login and permissions
(``AdminSite.admin_view``), each page module contributing its URLs; the home page
is the dashboard, with the models grouped by purpose below it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, reverse

# Models by purpose, as the home page and the side bar list them. A model in no group
# goes to "Other"; the system group is for superusers only.
MODEL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Intelligence", ("company", "market", "person", "product", "event", "article", "quote", "relationship",
                      "role", "source", "tag")),
    ("Review", ("rejectedproposal", "mention", "evidence", "articletag", "eventparticipant",
                "relationshipevidence")),
    ("Monitoring", ("watchlist", "alert", "feed", "feedentry", "alertdelivery", "ingestjob")),
    ("Rules", ("tagrule", "eventrule")),
    ("Reference data", ("companyalias", "marketalias", "personalias", "productalias")),
    ("System", ("heartbeat", "entityindexversion", "apitoken", "user", "group")),
)  # fmt: skip
SUPERUSER_GROUPS = frozenset({"System"})


class RivalscopeAdminSite(admin.AdminSite):
    site_header = "rivalscope"
    site_title = "rivalscope"
    index_title = "Competitive intelligence"
    index_template = "admin/intel/workspace/dashboard.html"

    def get_urls(self) -> list[URLPattern]:
        from intel.admin.pages import urls

        return urls(self) + super().get_urls()

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        context["workspace_search_url"] = reverse("admin:workspace_search", current_app=self.name)
        return context

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        """The models grouped by purpose (an app's own page keeps Django's list)."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        models = {m["object_name"].lower(): m for app in apps for m in app["models"]}
        groups = []
        for name, members in MODEL_GROUPS:
            if name in SUPERUSER_GROUPS and not request.user.is_superuser:
                for member in members:
                    models.pop(member, None)
                continue
            found = [models.pop(member) for member in members if member in models]
            if found:
                groups.append(_group(name, found))
        if models:
            groups.append(_group("Other", sorted(models.values(), key=lambda m: m["name"])))
        return groups

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        from intel.admin.pages.dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})


def _group(name: str, models: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": name,
        "app_label": name.lower().replace(" ", "_"),
        "app_url": "",
        "has_module_perms": True,
        "models": models,
    }


def render_page(request: HttpRequest, template: str, context: dict[str, Any]) -> TemplateResponse:
    """A workspace page: the admin's context (header, side bar, search) and the page's own."""
    return TemplateResponse(request, template, {**admin.site.each_context(request), **context})
