"""Admin pages: the review inbox, every proposed record of every kind in one queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path

from intel.admin_site import render_page

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def inbox_view(request: HttpRequest) -> HttpResponse:
    return render_page(request, "admin/intel/workspace/inbox.html", {"title": "Review inbox"})


def urls(site: AdminSite) -> list[URLPattern]:
    return [path("workspace/review/", site.admin_view(inbox_view), name="workspace_inbox")]
