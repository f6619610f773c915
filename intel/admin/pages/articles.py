"""Admin pages: an article to read, its mentions coloured by kind, its evidence as sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path

from intel.admin_site import render_page
from intel.models import Article

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def article_view(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    return render_page(request, "admin/intel/workspace/article.html", {"title": article.title, "article": article})


def urls(site: AdminSite) -> list[URLPattern]:
    return [path("workspace/articles/<int:pk>/", site.admin_view(article_view), name="workspace_article")]
