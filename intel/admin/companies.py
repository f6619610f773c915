"""The admin of companies, people, roles and products: merging companies and taking a merge back."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from intel.merge import merge_companies, undo_merge, undo_problems
from intel.models import Company, CompanyAlias, CompanyMerge, Person, PersonAlias, Product, ProductAlias, Role
from intel.watching import set_watched

from .base import (
    PROVENANCE_FIELDSET,
    HistoryAdmin,
    ReviewableAdminMixin,
    SupportAdminMixin,
    confirm_selected,
    reject_selected,
)
from .views import import_companies_view


class CompanyAliasInline(admin.TabularInline):
    model = CompanyAlias
    extra = 1


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["person", "company"]
    fields = ["person", "company", "title", "start_date", "end_date", "review_status"]
    readonly_fields = ["review_status"]


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ["name", "category", "price_tier", "review_status"]
    readonly_fields = ["review_status"]
    show_change_link = True


@admin.action(description="Merge the two selected companies…", permissions=["delete"])
def merge_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Company]
) -> HttpResponse | None:
    companies = list(queryset.order_by("pk")[:3])
    if len(companies) != 2:
        modeladmin.message_user(request, "Select exactly two companies to merge.", messages.ERROR)
        return None
    if request.POST.get("post") == "yes":
        keep_pk = request.POST.get("keep", "")
        keep = next((c for c in companies if str(c.pk) == keep_pk), None)
        if keep is None:
            modeladmin.message_user(request, "Choose which company to keep.", messages.ERROR)
            return None
        drop = next(c for c in companies if c.pk != keep.pk)
        try:
            result = merge_companies(keep=keep, drop=drop, by=request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            modeladmin.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        modeladmin.message_user(
            request,
            f"Merged “{result.dropped_name}” into “{result.kept}”: {result.moved_aliases} alias(es), "
            f"{result.moved_mentions} mention(s), {result.moved_participations} event role(s) and "
            f"{result.moved_relationships} relationship(s) moved, {result.rewritten_summaries} event summary(ies) "
            f"renamed. “{result.kept}”'s history page can undo it.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Merge two companies",
        "companies": companies,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/intel/company/merge.html", context)


@admin.register(Company)
class CompanyAdmin(SupportAdminMixin, ReviewableAdminMixin, HistoryAdmin):
    change_list_template = "admin/intel/company/change_list.html"
    object_history_template = "admin/intel/company/object_history.html"

    list_display = ["name", "headquarters", "ticker", "watched", "review_status", "support", "method", "confidence"]
    list_filter = ["watched", "review_status", "method", ("headquarters", admin.RelatedOnlyFieldListFilter), "tags"]
    list_select_related = ["headquarters"]
    list_editable = ["watched"]
    search_fields = ["name", "aliases__text", "ticker", "wikidata_id", "website"]
    autocomplete_fields = ["headquarters", "parent", "tags"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    inlines = [CompanyAliasInline, RoleInline, ProductInline]
    actions = [confirm_selected, reject_selected, merge_selected]
    fieldsets = [
        (None, {"fields": ["name", "slug", "watched", "headquarters", "parent", "website", "description", "tags"]}),
        ("Identifiers", {"fields": ["ticker", "wikidata_id"]}),
        PROVENANCE_FIELDSET,
    ]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(lambda request: import_companies_view(self, request))
        undo = self.admin_site.admin_view(self.undo_merge_view)
        return [
            path("import/", view, name="intel_company_import"),
            path("<path:object_id>/merges/<int:merge_id>/undo/", undo, name="intel_company_undo_merge"),
            *super().get_urls(),
        ]

    def save_model(self, request: HttpRequest, obj: Company, form: ModelForm, change: bool) -> None:
        # The change form and the list's "watched" column both save through here.
        super().save_model(request, obj, form, change)
        if "watched" in form.changed_data:
            set_watched([obj], obj.watched, by=request.user)  # type: ignore[arg-type]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().change_view(
            request, object_id, form_url, {**self._merges_context(object_id), **(extra_context or {})}
        )

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return super().history_view(request, object_id, {**self._merges_context(object_id), **(extra_context or {})})

    def _merges_context(self, object_id: str) -> dict[str, Any]:
        """The merges into this company, newest first, for its change and history pages' "Undo" links."""
        pk = unquote(object_id)
        if not pk.isdigit():
            return {}
        merges = list(CompanyMerge.objects.filter(kept_id=int(pk)).select_related("merged_by", "undone_by"))
        return {"merges": merges, "undoable_merges": [m for m in merges if m.undone_at is None]}

    def undo_merge_view(self, request: HttpRequest, object_id: str, merge_id: int) -> HttpResponse:
        """Confirm, then undo, a merge into this company (POST). Refusals are shown with their reasons.

        The kept company may be gone (deleted, or merged away itself): the page still
        opens from its history and says why the merge cannot be undone.
        """
        pk = unquote(object_id)
        record = (
            CompanyMerge.objects.filter(pk=merge_id, kept_id=int(pk) if pk.isdigit() else None)
            .select_related("merged_by", "undone_by")
            .first()
        )
        if record is None:
            raise Http404("No such merge into this company.")
        keep = Company.objects.filter(pk=record.kept_id).first()
        # Whoever may merge (delete a company) and change this one may take a merge back.
        if not (self.has_delete_permission(request) and self.has_change_permission(request, keep)):
            raise PermissionDenied
        if request.method == "POST":
            try:
                result = undo_merge(merge=record, by=request.user)  # type: ignore[arg-type]
            except ValidationError as exc:
                self.message_user(request, "The merge was not undone: " + " ".join(exc.messages), messages.ERROR)
                record.refresh_from_db()
            else:
                self.message_user(request, result.summary(), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:intel_company_change", args=[result.restored.pk], current_app=self.admin_site.name)
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Undo the merge of “{record.dropped_name}”",
            "opts": self.model._meta,
            "record": record,
            "keep": keep,
            "problems": undo_problems(record),
            "moved": _moved_counts(record),
        }
        return TemplateResponse(request, "admin/intel/company/undo_merge.html", context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Company], search_term: str
    ) -> tuple[QuerySet[Company], bool]:
        # Searching through aliases joins a many-row table: keep one row per company.
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True


def _moved_counts(record: CompanyMerge) -> list[tuple[str, int]]:
    """What the merge moved or deleted, by kind, in words, for the confirmation page."""
    labels = {
        "aliases": "aliases",
        "mentions": "mentions",
        "participations": "event roles",
        "relationships_as_subject": "relationships",
        "relationships_as_object": "relationships",
        "relationship_evidence": "relationship evidence",
        "roles": "roles",
        "products": "products",
        "subsidiaries": "subsidiaries",
    }
    counts: dict[str, int] = {}
    for kind, pks in record.moved.items():
        if pks:
            label = f"{labels.get(kind, kind)} moved back"
            counts[label] = counts.get(label, 0) + len(pks)
    for kind, rows in record.deleted.items():
        if rows:
            counts[f"{labels.get(kind, kind)} restored"] = len(rows)
    if record.summaries:
        counts["event summaries renamed back"] = len(record.summaries)
    return list(counts.items())


class PersonAliasInline(admin.TabularInline):
    model = PersonAlias
    extra = 1


@admin.register(Person)
class PersonAdmin(SupportAdminMixin, ReviewableAdminMixin, HistoryAdmin):
    list_display = ["name", "review_status", "support", "method", "confidence"]
    list_filter = ["review_status", "method"]
    search_fields = ["name", "aliases__text"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "created_at"
    inlines = [PersonAliasInline, RoleInline]
    fieldsets = [(None, {"fields": ["name", "slug", "description", "wikidata_id"]}), PROVENANCE_FIELDSET]


@admin.register(Role)
class RoleAdmin(ReviewableAdminMixin, HistoryAdmin):
    list_display = ["person", "title", "company", "start_date", "end_date", "review_status"]
    list_filter = ["review_status"]
    list_select_related = ["person", "company"]
    search_fields = ["person__name", "company__name", "title"]
    autocomplete_fields = ["person", "company"]
    fieldsets = [(None, {"fields": ["person", "company", "title", "start_date", "end_date"]}), PROVENANCE_FIELDSET]


class ProductAliasInline(admin.TabularInline):
    model = ProductAlias
    extra = 1


@admin.register(Product)
class ProductAdmin(SupportAdminMixin, ReviewableAdminMixin, HistoryAdmin):
    list_display = ["name", "maker", "category", "price_tier", "review_status", "support"]
    list_filter = ["category", "price_tier", "review_status"]
    list_select_related = ["maker"]
    search_fields = ["name", "aliases__text", "maker__name"]
    autocomplete_fields = ["maker"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProductAliasInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "maker", "category", "price_tier", "description"]}),
        PROVENANCE_FIELDSET,
    ]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True
