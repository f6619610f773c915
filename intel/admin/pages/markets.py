"""Admin pages: a market's page and the market-entry matrix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse

from intel.admin_site import render_page
from intel.choices import MarketKind
from intel.models import Market
from intel.workspace.market_page import market_page
from intel.workspace.matrix import WATCHED, entry_matrix, matrix_csv, read_filters, within_choices

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

# Both pages show markets, the events in them and the companies behind those: a
# staff account needs to be allowed to see all three (the Readers group is).
VIEW_PERMS = ("intel.view_market", "intel.view_event", "intel.view_company")


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_perms(VIEW_PERMS):
        raise PermissionDenied


def market_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Who is present in the market, entering, leaving or rumoured to, on what evidence."""
    _require_view(request)
    market = get_object_or_404(Market.objects.select_related("base"), pk=pk)
    trail: list[tuple[str, str]] = [("Markets", reverse("admin:intel_market_changelist"))]
    if market.base is not None:
        trail.append((market.base.name, reverse("admin:workspace_market", args=[market.base.pk])))
    context = {
        "title": market.name,
        "trail": trail,
        "page": market_page(market),
        "market": market,
        "can_change": request.user.has_perm("intel.change_market"),
    }
    return render_page(request, "admin/intel/workspace/market.html", context)


def matrix_view(request: HttpRequest) -> HttpResponse:
    """Companies × markets, each cell the latest entry, exit or presence; ``?format=csv``
    downloads the same table (see ``intel.workspace.matrix.read_filters`` for the filters)."""
    _require_view(request)
    filters = read_filters(dict(request.GET.lists()), user=request.user)
    segment = filters.segment
    matrix = entry_matrix(filters.companies, filters.markets, segment, filters.start, filters.end)
    wants_csv = request.GET.get("format") == "csv"
    if wants_csv and not filters.problems:
        response = HttpResponse(matrix_csv(matrix), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="market-entry-matrix.csv"'
        return response

    context: dict[str, Any] = {
        "title": "Market-entry matrix",
        "filters": filters,
        "matrix": matrix,
        "rows": matrix.rows(),
        "watched": WATCHED,
        "kinds": MarketKind.choices,
        "within_choices": within_choices(segment.within),
        "csv_url": _query(request, format="csv"),
        "clear_companies_url": _query(request, company=None),
        "clear_markets_url": _query(request, market=None),
    }
    # A download whose filters could not all be read is refused, not served without
    # them: a spreadsheet would not show the message, only a table that looks right.
    response = render_page(request, "admin/intel/workspace/matrix.html", context)
    if wants_csv:
        response.status_code = 400
    return response


def _query(request: HttpRequest, **changes: str | None) -> str:
    """This page's query string with some names set (``None``: dropped), the download's dropped."""
    query = request.GET.copy()
    query.pop("format", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return f"?{query.urlencode()}"


def urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("workspace/markets/<int:pk>/", site.admin_view(market_view), name="workspace_market"),
        path("workspace/matrix/", site.admin_view(matrix_view), name="workspace_matrix"),
    ]
