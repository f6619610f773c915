"""Admin pages: the review inbox, every proposed record of every kind in one queue,
and the form that merges a proposed company into one already known.

Thin views over ``intel.workspace.inbox``: they read the query string and the form,
call its functions and turn ``InboxError`` into a message on the page. Decisions are
posted back to the same address (filters and page kept) and redirect to it, so a
reload never decides twice; without JavaScript every action is a button.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse

from intel.admin_site import render_page
from intel.models import Company
from intel.workspace.inbox import (
    ONLY_WHEN_ASKED,
    RuleChoice,
    clean_text,
    inbox_item,
    inbox_items,
    queue_summary,
    read_filters,
    rule_choices,
    rule_figures_for,
)
from intel.workspace.inbox_decisions import apply_decision, merge_candidates, merge_into, parse_targets
from intel.workspace.inbox_kinds import KINDS, InboxError, can_merge, changeable_kinds, visible_kinds

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite


def _visible(request: HttpRequest) -> list[str]:
    """The kinds the user may see; none at all is a refusal, as for any admin page."""
    visible = visible_kinds(request.user)
    if not visible:
        raise PermissionDenied
    return visible


def inbox_view(request: HttpRequest) -> HttpResponse:
    """The queue; ``?kind=``, ``?rule=``, ``?min_support=`` and ``?page=`` filter and page it."""
    visible = _visible(request)
    if request.method == "POST":
        _decide(request)
        return HttpResponseRedirect(request.get_full_path())
    filters, errors = read_filters(request.GET, visible=visible)
    page = inbox_items(filters.kind, filters.rule, filters.min_support, filters.page, kinds=visible)
    if page.number != filters.page and page.count:
        errors.append(f"There is no page {filters.page}: showing page {page.number}, the last.")
    summary = queue_summary(visible)
    rules = rule_choices(summary)
    if filters.rule and filters.rule not in {choice.value for choice in rules}:
        rules.append(RuleChoice(filters.rule))  # a rule that made nothing waiting: still the one shown
    context: dict[str, Any] = {
        "title": "Review inbox",
        "errors": errors,
        "page": page,
        "filters": filters,
        "kinds": [(key, KINDS[key].plural, summary.by_kind.get(key, 0)) for key in visible],
        "rules": rules,
        # The whole queue leaves mentions out (a kind filter away): counted apart.
        "waiting": summary.total - sum(summary.by_kind.get(key, 0) for key in ONLY_WHEN_ASKED),
        "mentions_waiting": sum(summary.by_kind.get(key, 0) for key in ONLY_WHEN_ASKED),
        "rule_figures": rule_figures_for(filters.rule) if filters.rule else None,
        "changeable": changeable_kinds(request.user),
        "can_merge": can_merge(request.user),
    }
    return render_page(request, "admin/intel/workspace/inbox.html", context)


def _decide(request: HttpRequest) -> None:
    """A row's button (``row`` = "confirm company:12") or the bulk buttons (``action`` and
    the ticked ``selected`` boxes): the outcome, or what was wrong, as a message."""
    verdict, _, token = request.POST.get("row", "").strip().partition(" ")
    tokens = [token] if verdict else request.POST.getlist("selected")
    verdict = verdict or request.POST.get("action", "")
    try:
        result = apply_decision(verdict=verdict, targets=parse_targets(tokens), by=request.user)
    except InboxError as error:
        messages.error(request, str(error))
        return
    messages.success(request, result.message())


def merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge the company ``pk`` (a proposal) into one chosen from companies of a similar
    name (``?q=`` searches others): GET shows the choice, POST merges."""
    inbox_url = reverse("admin:workspace_inbox")
    if "company" not in _visible(request):
        raise PermissionDenied
    company = Company.objects.filter(pk=pk).first()
    if company is None:
        messages.error(request, f"No company with id {pk}: nothing to merge.")
        return HttpResponseRedirect(inbox_url)
    if request.method == "POST":
        raw = request.POST.get("keep", "").strip()
        try:
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
                raise InboxError("Choose the company to keep.")
            result = merge_into(drop_id=company.pk, keep_id=int(raw), by=request.user)
        except InboxError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(request.get_full_path())
        messages.success(
            request,
            f"Merged “{result.dropped_name}” into “{result.kept}”: {result.moved_aliases} alias(es), "
            f"{result.moved_mentions} mention(s), {result.moved_participations} event role(s) and "
            f"{result.moved_relationships} relationship(s) moved.",
        )
        return HttpResponseRedirect(inbox_url)
    query = clean_text(request.GET.get("q", ""))[:200]
    context = {
        "title": f"Merge “{company.name}” into…",
        "trail": [("Review inbox", inbox_url)],
        "merge": company,
        "item": inbox_item("company", company.pk),
        "candidates": merge_candidates(company, query),
        "query": query,
        "can_merge": can_merge(request.user),
    }
    return render_page(request, "admin/intel/workspace/inbox.html", context)


def urls(site: AdminSite) -> list[URLPattern]:
    return [
        path("workspace/review/", site.admin_view(inbox_view), name="workspace_inbox"),
        path("workspace/review/merge/<int:pk>/", site.admin_view(merge_view), name="workspace_inbox_merge"),
    ]
