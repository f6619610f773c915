"""Admin pages for the linking rows that are mostly edited inline (aliases, participants)."""

from __future__ import annotations

from django.contrib import admin

from intel.models import CompanyAlias, EventParticipant, MarketAlias, PersonAlias, ProductAlias, RelationshipEvidence

from .base import HistoryAdmin


def _alias_admin(model: type, owner: str) -> type[HistoryAdmin]:
    """The same list page for every kind of alias: text, owner, case sensitivity."""
    return type(
        f"{model.__name__}Admin",
        (HistoryAdmin,),
        {
            "list_display": ["text", owner, "case_sensitive"],
            "list_filter": ["case_sensitive"],
            "list_select_related": [owner],
            "search_fields": ["text", f"{owner}__name"],
            "autocomplete_fields": [owner],
        },
    )


for _model, _owner in (
    (CompanyAlias, "company"),
    (MarketAlias, "market"),
    (PersonAlias, "person"),
    (ProductAlias, "product"),
):
    admin.site.register(_model, _alias_admin(_model, _owner))


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
