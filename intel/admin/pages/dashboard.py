"""The admin's home page: the dashboard above the models grouped by purpose."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import URLPattern

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def urls(site: AdminSite) -> list[URLPattern]:
    return []  # the dashboard is the site's index (RivalscopeAdminSite.index)


def dashboard_context(request: HttpRequest) -> dict[str, Any]:
    return {}
