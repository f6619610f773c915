"""Admin pages: an article to read, its mentions coloured by kind, its evidence as sentences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse

from intel.admin_site import render_page
from intel.models import Article
from intel.workspace.reading import article_reading

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def article_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("intel.view_article"):
        raise PermissionDenied
    article = get_object_or_404(Article.objects.select_related("source", "duplicate_of"), pk=pk)
    context = {
        "title": article.title or "(no headline)",
        "trail": [("Articles", reverse("admin:intel_article_changelist"))],
        "reading": article_reading(article),
        "article": article,
        "can_change": request.user.has_perm("intel.change_article"),
    }
    return render_page(request, "admin/intel/workspace/article.html", context)


def urls(site: AdminSite) -> list[URLPattern]:
    return [path("workspace/articles/<int:pk>/", site.admin_view(article_view), name="workspace_article")]
