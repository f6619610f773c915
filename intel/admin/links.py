"""Admin pages for the linking rows that are mostly edited inline (aliases, participants)."""

from __future__ import annotations

from django.contrib import admin

from intel.models import CompanyAlias, EventParticipant, MarketAlias, PersonAlias, ProductAlias, RelationshipEvidence

from .base import HistoryAdmin


@admin.register(CompanyAlias)
class CompanyAliasAdmin(HistoryAdmin):
    list_display = ["text", "company", "case_sensitive"]
    list_filter = ["case_sensitive"]
    list_select_related = ["company"]
    search_fields = ["text", "company__name"]
    autocomplete_fields = ["company"]


@admin.register(MarketAlias)
class MarketAliasAdmin(HistoryAdmin):
    list_display = ["text", "market", "case_sensitive"]
    list_filter = ["case_sensitive", "market__kind"]
    list_select_related = ["market"]
    search_fields = ["text", "market__name"]
    autocomplete_fields = ["market"]


@admin.register(PersonAlias)
class PersonAliasAdmin(HistoryAdmin):
    list_display = ["text", "person", "case_sensitive"]
    list_select_related = ["person"]
    search_fields = ["text", "person__name"]
    autocomplete_fields = ["person"]


@admin.register(ProductAlias)
class ProductAliasAdmin(HistoryAdmin):
    list_display = ["text", "product", "case_sensitive"]
    list_select_related = ["product"]
    search_fields = ["text", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(EventParticipant)
class EventParticipantAdmin(HistoryAdmin):
    list_display = ["event", "company", "role"]
    list_filter = ["role"]
    list_select_related = ["event", "company"]
    search_fields = ["event__summary", "company__name"]
    autocomplete_fields = ["event", "company"]


@admin.register(RelationshipEvidence)
class RelationshipEvidenceAdmin(admin.ModelAdmin):
    list_display = ["relationship", "article", "text"]
    list_select_related = ["relationship__subject", "relationship__object", "article"]
    search_fields = ["text", "article__title"]
    autocomplete_fields = ["relationship", "article"]
