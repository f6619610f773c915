"""Admin pages: a company's profile and its printable one-page brief."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from intel.admin_site import render_page
from intel.models import Company
from intel.workspace.brief_pdf import PdfUnavailable, html_to_pdf
from intel.workspace.charts import stacked_bars
from intel.workspace.profile import changes_since, company_profile

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite

CHANGES_DAYS = 30


def _company(request: HttpRequest, pk: int) -> Company:
    if not request.user.has_perm("intel.view_company"):
        raise PermissionDenied
    return get_object_or_404(Company.objects.select_related("headquarters", "parent").prefetch_related(
        "aliases", "subsidiaries", "tags"), pk=pk)  # fmt: skip


def profile_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The company's profile; ``?market=ID`` narrows the timeline, ``?since=YYYY-MM-DD``
    sets where "what changed" starts (30 days ago by default)."""
    company = _company(request, pk)
    errors: list[str] = []
    market_id: int | None = None
    raw_market = request.GET.get("market", "").strip()
    if raw_market:
        if raw_market.isdigit():
            market_id = int(raw_market)
        else:
            errors.append(f"“{raw_market[:40]}” is not a market's number: showing every market.")
    since = timezone.localdate() - timedelta(days=CHANGES_DAYS)
    raw_since = request.GET.get("since", "").strip()
    if raw_since:
        try:
            since = date.fromisoformat(raw_since)
        except ValueError:
            errors.append(f"“{raw_since[:40]}” is not a date: write it as YYYY-MM-DD.")
    profile = company_profile(company, market_id=market_id)
    markets = dict(profile.timeline_markets)
    if market_id is not None and market_id not in markets:
        errors.append("The company has no events in that market: showing every market.")
        market_id = None
        profile = company_profile(company)
    months, series = profile.activity
    context: dict[str, Any] = {
        "title": company.name,
        "trail": [("Companies", reverse("admin:intel_company_changelist"))],
        "company": company,
        "profile": profile,
        "market_id": market_id,
        "market_name": markets.get(market_id) if market_id else "",
        "since": since,
        "changes": changes_since(company, since),
        "errors": errors,
        "activity_chart": (
            stacked_bars([m.strftime("%b %y") for m in months], series, title="Mentions and events by month")
            if months
            else ""
        ),
        "can_change": request.user.has_perm("intel.change_company"),
    }
    return render_page(request, "admin/intel/workspace/company.html", context)


def brief_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-page brief to print or send: profile, latest events with sources, quotes;
    ``?format=pdf`` downloads it as a PDF."""
    company = _company(request, pk)
    profile = company_profile(company)
    context = {
        "title": f"{company.name}: brief",
        "trail": [("Companies", reverse("admin:intel_company_changelist")),
                  (company.name, reverse("admin:workspace_company", args=[company.pk]))],
        "company": company,
        "profile": profile,
        "events": profile.timeline[:10],
        "today": timezone.localdate(),
    }  # fmt: skip
    page = render_page(request, "admin/intel/workspace/brief.html", context)
    if request.GET.get("format") != "pdf":
        return page
    try:
        pdf = html_to_pdf(page.rendered_content, base_url=request.build_absolute_uri("/"))
    except PdfUnavailable as exc:
        messages.error(request, str(exc))
        return render_page(request, "admin/intel/workspace/brief.html", context)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{company.slug or company.pk}-brief.pdf"'
    return response


def urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("workspace/companies/<int:pk>/", site.admin_view(profile_view), name="workspace_company"),
        path("workspace/companies/<int:pk>/brief/", site.admin_view(brief_view), name="workspace_brief"),
    ]
