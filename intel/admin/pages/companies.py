"""Admin pages: a company's profile and its printable brief."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path

from intel.admin_site import render_page
from intel.models import Company

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def profile_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    return render_page(request, "admin/intel/workspace/company.html", {"title": company.name, "company": company})


def brief_view(request: HttpRequest, pk: int) -> HttpResponse:
    company = get_object_or_404(Company, pk=pk)
    return render_page(request, "admin/intel/workspace/brief.html", {"title": company.name, "company": company})


def urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("workspace/companies/<int:pk>/", site.admin_view(profile_view), name="workspace_company"),
        path("workspace/companies/<int:pk>/brief/", site.admin_view(brief_view), name="workspace_brief"),
    ]
