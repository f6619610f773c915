from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from intel.merge import merge_companies
from intel.models import Company, CompanyAlias, Person, PersonAlias, Product, ProductAlias, Role

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
            f"{result.moved_relationships} relationship(s) moved.",
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
        return [path("import/", view, name="intel_company_import"), *super().get_urls()]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Company], search_term: str
    ) -> tuple[QuerySet[Company], bool]:
        # Searching through aliases joins a many-row table: keep one row per company.
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True


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
