"""Template helpers of the analysts' pages: links to profiles, review-status classes."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def company_url(company_id: int | None) -> str:
    """The company's profile page."""
    return reverse("admin:workspace_company", args=[company_id]) if company_id else ""


@register.filter
def market_url(market_id: int | None) -> str:
    """The market's page."""
    return reverse("admin:workspace_market", args=[market_id]) if market_id else ""


@register.filter
def article_url(article_id: int | None) -> str:
    """The article's reading page."""
    return reverse("admin:workspace_article", args=[article_id]) if article_id else ""


@register.simple_tag
def company_link(company_id: int | None, name: str) -> SafeString:
    """The company's name, linked to its profile."""
    if not company_id:
        return format_html("{}", name)
    return format_html('<a href="{}" class="ws-company-link">{}</a>', company_url(company_id), name)


@register.filter
def review_class(status: str) -> str:
    """The CSS class that tells confirmed, proposed and rejected records apart."""
    return {"confirmed": "ws-confirmed", "rejected": "ws-rejected"}.get(status, "ws-proposed")


@register.filter
def index(values: list[object], position: int) -> object:
    """``values[position]``: a table's cell from a row of numbers."""
    try:
        return values[position]
    except (IndexError, TypeError):
        return ""
