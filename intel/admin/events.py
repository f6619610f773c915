from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from intel.models import Event, EventParticipant, Evidence, RejectedProposal, Relationship, RelationshipEvidence, Tag

from .base import PROVENANCE_FIELDSET, HistoryAdmin, ReviewableAdminMixin, profile_link, shortened


class ParticipantInline(admin.TabularInline):
    model = EventParticipant
    extra = 1
    autocomplete_fields = ["company"]


class EvidenceInline(admin.StackedInline):
    model = Evidence
    extra = 0
    autocomplete_fields = ["article", "quote"]
    fields = ["article", "text", "start", "end", "quote"]


@admin.register(Event)
class EventAdmin(ReviewableAdminMixin, HistoryAdmin):
    # Narrow enough for a 1366 px screen: the review status stays in view.
    list_display = ["short_summary", "companies", "type", "status", "when", "evidence_count", "review_status"]
    list_display_links = ["short_summary"]
    list_filter = ["type", "status", "review_status", "method", "time_precision", "markets__kind"]
    search_fields = ["summary", "participants__company__name", "markets__name", "regulators__name", "time_phrase"]
    date_hierarchy = "time_start"
    autocomplete_fields = ["markets", "regulators", "tags"]
    inlines = [ParticipantInline, EvidenceInline]
    fieldsets = [
        (None, {"fields": ["type", "status", "summary", "markets", "regulators", "tags"]}),
        ("Time", {"fields": ["time_start", "time_end", "time_precision", "time_phrase"]}),
        PROVENANCE_FIELDSET,
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Event]:
        participants = EventParticipant.objects.select_related("company").only(
            "id", "event_id", "role", "company_id", "company__name"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(_evidence_count=Count("evidence", distinct=True))
            .prefetch_related(Prefetch("participants", queryset=participants))
        )

    @admin.display(description="Summary", ordering="summary")
    def short_summary(self, obj: Event) -> str:
        return shortened(obj.summary, 70)

    @admin.display(description="Companies")
    def companies(self, obj: Event) -> str:
        links = [profile_link(p.company_id, p.company.name) for p in obj.participants.all()]
        return format_html(", ".join(["{}"] * len(links)), *links) if links else "–"

    @admin.display(description="When", ordering="time_start")
    def when(self, obj: Event) -> str:
        if obj.time_start is None:
            return "–"
        if obj.time_precision == "year":
            return str(obj.time_start.year)
        if obj.time_precision in ("month", "quarter"):
            return obj.time_start.strftime("%b %Y")
        return obj.time_start.isoformat()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Event], search_term: str
    ) -> tuple[QuerySet[Event], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset, True

    @admin.display(description="Evidence", ordering="_evidence_count")
    def evidence_count(self, obj: Event) -> int:
        return obj._evidence_count  # type: ignore[attr-defined]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["event", "article", "text", "created_at"]
    list_select_related = ["event", "article"]
    search_fields = ["text", "event__summary", "article__title"]
    autocomplete_fields = ["event", "article", "quote"]
    date_hierarchy = "created_at"


@admin.register(Tag)
class TagAdmin(HistoryAdmin):
    list_display = ["__str__", "namespace", "name", "description"]
    list_filter = ["namespace"]
    search_fields = ["namespace", "name", "description"]


class RelationshipEvidenceInline(admin.StackedInline):
    model = RelationshipEvidence
    extra = 0
    autocomplete_fields = ["article"]


@admin.register(Relationship)
class RelationshipAdmin(ReviewableAdminMixin, HistoryAdmin):
    list_display = ["__str__", "subject_profile", "kind", "object_profile", "valid_from", "review_status"]
    list_filter = ["kind", "review_status"]
    list_select_related = ["subject", "object"]
    search_fields = ["subject__name", "object__name", "description"]
    autocomplete_fields = ["subject", "object"]
    inlines = [RelationshipEvidenceInline]
    fieldsets = [
        (None, {"fields": ["subject", "kind", "object", "valid_from", "valid_to", "description"]}),
        PROVENANCE_FIELDSET,
    ]

    @admin.display(description="Subject", ordering="subject__name")
    def subject_profile(self, obj: Relationship) -> str:
        return profile_link(obj.subject_id, obj.subject.name)

    @admin.display(description="Object", ordering="object__name")
    def object_profile(self, obj: Relationship) -> str:
        return profile_link(obj.object_id, obj.object.name)


@admin.register(RejectedProposal)
class RejectedProposalAdmin(admin.ModelAdmin):
    """Deleting a row here lets that proposal be made again."""

    list_display = ["description", "model_label", "rejected_by", "rejected_at", "short_fingerprint"]
    list_filter = ["model_label"]
    search_fields = ["description", "fingerprint"]
    readonly_fields = ["model_label", "fingerprint", "description", "rejected_by", "rejected_at"]
    date_hierarchy = "rejected_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Fingerprint")
    def short_fingerprint(self, obj: RejectedProposal) -> str:
        return format_html("<code>{}</code>", obj.fingerprint[:12])
