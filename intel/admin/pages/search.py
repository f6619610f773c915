"""Admin pages: search across articles, companies, people, products, markets and events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from intel.admin_site import render_page

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def search_view(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    return render_page(
        request, "admin/intel/workspace/search.html", {"title": "Search", "search_query": query, "results": []}
    )


def urls(site: AdminSite) -> list[URLPattern]:
    return [path("workspace/search/", site.admin_view(search_view), name="workspace_search")]
