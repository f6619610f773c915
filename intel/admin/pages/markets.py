"""Admin pages: a market's page and the market-entry matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path

from intel.admin_site import render_page
from intel.models import Market

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def market_view(request: HttpRequest, pk: int) -> HttpResponse:
    market = get_object_or_404(Market, pk=pk)
    return render_page(request, "admin/intel/workspace/market.html", {"title": market.name, "market": market})


def matrix_view(request: HttpRequest) -> HttpResponse:
    return render_page(request, "admin/intel/workspace/matrix.html", {"title": "Market-entry matrix"})


def urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("workspace/markets/<int:pk>/", site.admin_view(market_view), name="workspace_market"),
        path("workspace/matrix/", site.admin_view(matrix_view), name="workspace_matrix"),
    ]
