"""Admin pages: search across articles, companies, people, products, markets and events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from intel.admin_site import render_page
from intel.workspace.searching import MAX_QUERY, search_everything

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

# The plural each kind goes by in the results, and the permission that shows it.
KINDS = {"companies": "company", "markets": "market", "people": "person", "products": "product",
         "articles": "article", "events": "event"}  # fmt: skip


def search_view(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("q", "")
    query = raw.strip()[:MAX_QUERY]
    kinds = {plural for plural, model in KINDS.items() if request.user.has_perm(f"intel.view_{model}")}
    context = {
        "title": f"Search: {query}" if query else "Search",
        "search_query": query,
        "results": search_everything(query, kinds=kinds),
        "too_long": len(raw.strip()) > MAX_QUERY,
        "max_query": MAX_QUERY,
    }
    return render_page(request, "admin/intel/workspace/search.html", context)


def urls(site: AdminSite) -> list[URLPattern]:
    return [path("workspace/search/", site.admin_view(search_view), name="workspace_search")]
