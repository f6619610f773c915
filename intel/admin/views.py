"""The admin's own pages: ingest an article, import companies, test a rule on past articles."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from intel.entity_import import ImportError_, import_companies
from intel.ingest.errors import IngestError
from intel.ingest.pipeline import ingest_article
from intel.rule_testing import test_rule
from intel.watching import set_watched

from .forms import ImportCompaniesForm, IngestForm, RuleTestForm


def _context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def ingest_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    form = IngestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        try:
            result = ingest_article(
                text=data["text"] or None,
                fetch_url=data["fetch_url"],
                raw=upload.read() if upload else None,
                filename=upload.name if upload else "",
                url=data["url"],
                title=data["title"],
                published=data["published"] or None,
                source=data["source"],
                by=request.user,
            )
        except IngestError as exc:
            form.add_error(exc.form_field(form.fields), exc.describe())
        else:
            model_admin.message_user(request, result.summary(), messages.SUCCESS if result.new else messages.WARNING)
            return HttpResponseRedirect(reverse("admin:intel_article_change", args=[result.article.pk]))
    return TemplateResponse(
        request, "admin/intel/article/ingest.html", _context(model_admin, request, title="Ingest an article", form=form)
    )


def import_companies_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Import companies from CSV; with "watched" ticked they also join the importer's default watchlist."""
    form = ImportCompaniesForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        watched = form.cleaned_data["watched"]
        try:
            with transaction.atomic():  # the companies and their places on the watchlist, or neither
                result = import_companies(upload.read(), by=request.user, watched=watched)
                if watched:
                    set_watched([*result.created, *result.updated], True, by=request.user)  # type: ignore[arg-type]
        except ImportError_ as exc:
            errors = exc.errors
            form.add_error("file", "The file was not imported; nothing was changed.")
        else:
            model_admin.message_user(request, result.summary(), messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:intel_company_changelist"))
    return TemplateResponse(
        request,
        "admin/intel/company/import.html",
        _context(model_admin, request, title="Import companies from CSV", form=form, errors=errors),
    )


def test_rule_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Posted from a rule's change form (the "Test" button): the rule's matches in recent articles."""
    form = RuleTestForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = test_rule(
            algorithm=form.cleaned_data["algorithm"],
            pattern=form.cleaned_data["match"],
            case_sensitive=form.cleaned_data["case_sensitive"],
        )
    return TemplateResponse(
        request,
        "admin/intel/rule_test.html",
        _context(model_admin, request, title="Test a rule on past articles", form=form, result=result),
    )
