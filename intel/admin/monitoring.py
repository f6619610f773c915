"""Monitoring in the admin: feeds and their health, entries, watchlists, alerts (the in-app channel) and deliveries.

Feed text is shown as text: nothing from a feed is marked safe in a template.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from intel.choices import DeliveryStatus, EventType
from intel.models import Alert, AlertDelivery, Feed, FeedEntry, Leased, Watchlist
from intel.models.leases import NO_LEASE
from intel.monitoring.queries import sync_query_feeds


class WrittenByTheSystemAdmin(admin.ModelAdmin):
    """Rows the monitor writes (entries, deliveries): every field is shown, read-only, in the
    model's order (leases last), and none is added by hand. ``exclude`` hides a field."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        hidden = set(self.exclude or ())
        names = [f.name for f in self.model._meta.fields if not f.primary_key and f.name not in hidden]
        return sorted(names, key=lambda name: name in Leased.LEASE_FIELDS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# What a feed's checks write, shown read-only under "Health".
FEED_HEALTH = [
    "last_status",
    "last_status_code",
    "last_error",
    "last_checked_at",
    "last_new_item_at",
    "error_count",
    "etag",
    "last_modified",
    "created_at",
]


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "active",
        "last_status",
        "last_checked_at",
        "last_new_item_at",
        "error_count",
        "next_check_at",
    ]
    list_filter = ["active", "kind", "last_status"]
    search_fields = ["name", "url"]
    list_select_related = ["source", "watchlist"]
    autocomplete_fields = ["source"]
    readonly_fields = ["watchlist", "lease_until", *FEED_HEALTH]
    fieldsets = [
        (None, {"fields": ["name", "url", "kind", "source", "fetch_full_text", "active", "watchlist"]}),
        ("Schedule", {"fields": ["next_check_at", "check_interval", "min_interval", "max_interval", "lease_until"]}),
        ("Health", {"fields": FEED_HEALTH}),
    ]
    actions = ["check_now"]

    @admin.action(description="Check the selected feeds at the next dispatch (within a minute)")
    def check_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        count = queryset.update(next_check_at=timezone.now())
        self.message_user(request, f"{count} feed(s) will be checked within a minute.", messages.SUCCESS)


@admin.register(FeedEntry)
class FeedEntryAdmin(WrittenByTheSystemAdmin):
    list_display = ["title", "feed", "status", "published_at", "found_at", "attempts", "article"]
    list_filter = ["status", "feed"]
    search_fields = ["title", "url", "guid"]
    list_select_related = ["feed", "article"]
    exclude = ["guid_hash"]


class WatchlistForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=EventType.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Watchlist
        fields = [
            "name",
            "owner",
            "companies",
            "markets",
            "people",
            "keywords",
            "event_types",
            "min_relevance",
            "in_app",
            "email",
            "email_to",
            "webhook_url",
            "delivery",
            "digest_hour",
            "active",
        ]


@admin.register(Watchlist)
class WatchlistAdmin(admin.ModelAdmin):
    form = WatchlistForm
    list_display = ["name", "owner", "delivery", "min_relevance", "in_app", "email", "active"]
    list_filter = ["active", "delivery"]
    search_fields = ["name", "keywords", "companies__name"]
    list_select_related = ["owner"]
    autocomplete_fields = ["companies", "markets", "people"]
    readonly_fields = ["last_digest_at", "created_at"]
    actions = ["make_query_feeds"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"owner": request.user.pk}

    @admin.action(description="Make (or update) Google News and GDELT feeds from the names watched")
    def make_query_feeds(self, request: HttpRequest, queryset: QuerySet[Watchlist]) -> None:
        made = sum(len(sync_query_feeds(watchlist=watchlist)) for watchlist in queryset)
        self.message_user(request, f"{made} query feed(s) made or updated.", messages.SUCCESS)


class DeliveryInline(admin.TabularInline):
    model = AlertDelivery
    extra = 0
    can_delete = False
    fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """The in-app channel: every alert of every watchlist, newest first."""

    list_display = ["headline", "watchlist", "kind", "relevance", "independent_sources", "created_at", "read_at"]
    list_filter = ["kind", "watchlist", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["headline", "message"]
    list_select_related = ["watchlist"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "watchlist",
        "story",
        "article",
        "kind",
        "event",
        "independent_sources",
        "relevance",
        "reasons",
        "headline",
        "message",
        "created_at",
    ]
    inlines = [DeliveryInline]
    actions = ["mark_read"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Mark the selected alerts as read")
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Alert]) -> None:
        count = queryset.filter(read_at__isnull=True).update(read_at=timezone.now())
        self.message_user(request, f"{count} alert(s) marked as read.", messages.SUCCESS)


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(WrittenByTheSystemAdmin):
    list_display = ["alert", "channel", "status", "attempts", "last_attempt_at", "next_attempt_at", "sent_at"]
    list_filter = ["status", "channel"]
    list_select_related = ["alert__watchlist"]
    actions = ["retry_now"]

    @admin.action(description="Retry the selected deliveries at the next dispatch")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[AlertDelivery]) -> None:
        # Due now and free: a lease left by a lost sending task would hold the retry back.
        count = queryset.exclude(status=DeliveryStatus.SENT).update(
            **NO_LEASE, status=DeliveryStatus.PENDING, digest=False, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} deliveries will be retried within a minute.", messages.SUCCESS)
