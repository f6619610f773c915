"""The analysts' pages in the admin: thin views over ``intel.workspace`` and
``intel.questions``, each module listing its URLs (named ``admin:workspace_*``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import URLPattern

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def urls(site: AdminSite) -> list[URLPattern]:
    from . import articles, companies, dashboard, inbox, markets, search

    patterns: list[URLPattern] = []
    for module in (dashboard, companies, markets, inbox, search, articles):
        patterns += module.urls(site)
    return patterns
