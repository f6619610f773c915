from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from intel.models import Article, ArticleTag, Evidence, Mention, Quote

from .base import PROVENANCE_FIELDS, HistoryAdmin, ReviewableAdminMixin
from .views import ingest_view


def admin_link(obj: Any) -> SafeString:
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


def highlight_mentions(body: str, mentions: list[Mention]) -> SafeString:
    """The body as HTML with each mention marked and linked to what it names.

    Every piece of article text is escaped; only our own tags are markup. Where
    mentions overlap, the first (longest at that start) wins.
    """
    parts: list[str] = []
    cursor = 0
    for mention in sorted(mentions, key=lambda m: (m.start, -m.end)):
        if mention.start < cursor or mention.end > len(body):
            continue
        target = mention.target
        parts.append(escape(body[cursor : mention.start]))
        url = reverse(f"admin:intel_{mention.target_kind}_change", args=[target.pk]) if target else "#"
        parts.append(
            format_html(
                '<mark class="mention mention-{} review-{}" title="{}: {} ({})"><a href="{}">{}</a></mark>',
                mention.target_kind,
                mention.review_status,
                mention.target_kind,
                target,
                mention.get_review_status_display(),
                url,
                body[mention.start : mention.end],
            )
        )
        cursor = mention.end
    parts.append(escape(body[cursor:]))
    return mark_safe(  # noqa: S308 - every piece above is escaped or built by format_html
        '<div class="article-body" style="white-space: pre-wrap; max-width: 60em; line-height: 1.5">'
        + "".join(parts)
        + "</div>"
    )


class ArticleTagInline(admin.TabularInline):
    model = ArticleTag
    extra = 0
    autocomplete_fields = ["tag"]
    fields = ["tag", "reason", "review_status", "confidence", "method"]
    readonly_fields = ["review_status", "confidence", "method"]


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    change_list_template = "admin/intel/article/change_list.html"

    list_display = ["__str__", "source", "published_on", "status", "retrieved_at"]
    list_filter = ["status", "source__kind", ("source", admin.RelatedOnlyFieldListFilter), "language"]
    list_select_related = ["source"]
    search_fields = ["title", "url", "body"]
    date_hierarchy = "published_on"
    autocomplete_fields = ["source", "cited_sources", "duplicate_of"]
    readonly_fields = ["content_hash", "created_at", "highlighted_text", "extracted_records"]
    inlines = [ArticleTagInline]
    fieldsets = [
        (None, {"fields": ["title", "url", "source", "cited_sources", "author", "language"]}),
        ("Dates", {"fields": ["published_on", "published_precision", "retrieved_at", "created_at"]}),
        ("Text", {"fields": ["body"]}),
        ("What was found in it", {"fields": ["highlighted_text", "extracted_records"]}),
        ("Processing", {"fields": ["status", "duplicate_of", "content_hash"]}),
    ]

    def get_urls(self) -> list[URLPattern]:
        ingest = self.admin_site.admin_view(lambda request: ingest_view(self, request))
        return [path("ingest/", ingest, name="intel_article_ingest"), *super().get_urls()]

    @admin.display(description="Text with mentions")
    def highlighted_text(self, obj: Article) -> SafeString:
        if not obj.pk:
            return mark_safe("—")
        mentions = list(obj.mentions.select_related("company", "market", "person", "product"))
        return highlight_mentions(obj.body, mentions)

    @admin.display(description="Records made from this article")
    def extracted_records(self, obj: Article) -> SafeString:
        if not obj.pk:
            return mark_safe("—")
        events = {e.event for e in Evidence.objects.filter(article=obj).select_related("event")}
        quotes = list(obj.quotes.select_related("speaker"))
        rows = [
            ("Events", format_html_join(", ", "{}", ((admin_link(e),) for e in events)) or "none"),
            ("Quotes", format_html_join(", ", "{}", ((admin_link(q),) for q in quotes)) or "none"),
            (
                "Mentions",
                format_html(
                    '<a href="{}?article__id__exact={}">{}</a>',
                    reverse("admin:intel_mention_changelist"),
                    obj.pk,
                    obj.mentions.count(),
                ),
            ),
        ]
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", rows)


@admin.register(Mention)
class MentionAdmin(ReviewableAdminMixin, admin.ModelAdmin):
    list_display = ["text", "target_kind", "target", "article", "start", "end", "method", "confidence", "review_status"]
    list_filter = ["review_status", "method"]
    list_select_related = ["article", "company", "market", "person", "product"]
    search_fields = ["text", "article__title"]
    autocomplete_fields = ["article", "company", "market", "person", "product"]
    fieldsets = [
        (None, {"fields": ["article", "text", "start", "end"]}),
        ("Refers to (exactly one)", {"fields": ["company", "market", "person", "product"]}),
        ("Provenance and review", {"fields": PROVENANCE_FIELDS}),
    ]


@admin.register(Quote)
class QuoteAdmin(ReviewableAdminMixin, HistoryAdmin):
    list_display = ["text", "speaker", "speaker_name", "reported_via", "article", "review_status"]
    list_filter = ["review_status", ("reported_via", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["speaker", "reported_via", "article"]
    search_fields = ["text", "speaker__name", "speaker_name"]
    autocomplete_fields = ["article", "speaker", "reported_via"]
    fieldsets = [
        (None, {"fields": ["article", "text", "start", "end", "speaker", "speaker_name", "reported_via"]}),
        ("Provenance and review", {"fields": PROVENANCE_FIELDS}),
    ]


@admin.register(ArticleTag)
class ArticleTagAdmin(ReviewableAdminMixin, admin.ModelAdmin):
    list_display = ["tag", "article", "reason", "method", "confidence", "review_status"]
    list_filter = ["review_status", "tag__namespace", "tag"]
    list_select_related = ["tag", "article"]
    search_fields = ["tag__name", "tag__namespace", "article__title", "reason"]
    autocomplete_fields = ["article", "tag"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleTag]:
        return super().get_queryset(request).select_related("tag", "article")
