from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from intel.models import Article, ArticleTag, Evidence, Mention, Quote
from intel.workspace.reading import highlighted_body

from .base import PROVENANCE_FIELDS, HistoryAdmin, ReviewableAdminMixin, shortened
from .views import ingest_view


def article_link(article: Article) -> SafeString:
    """An article's headline, cut to fit a list, linked to its reading page."""
    url = reverse("admin:workspace_article", args=[article.pk])
    return format_html('<a href="{}">{}</a>', url, shortened(str(article), 50))


def admin_link(obj: Any) -> SafeString:
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj)


class ArticleTagInline(admin.TabularInline):
    model = ArticleTag
    extra = 0
    autocomplete_fields = ["tag"]
    fields = ["tag", "reason", "review_status", "confidence", "method"]
    readonly_fields = ["review_status", "confidence", "method"]


@admin.register(Article)
class ArticleAdmin(HistoryAdmin):
    change_list_template = "admin/intel/article/change_list.html"

    list_display = ["read", "source", "published_on", "status", "retrieved_at"]
    list_display_links = None
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
        body, _ = highlighted_body(obj.body, mentions)
        return format_html(
            '<div class="ws-article-body">{}</div><p><a href="{}">Read it with its events and quotes</a></p>',
            body,
            reverse("admin:workspace_article", args=[obj.pk]),
        )

    @admin.display(description="Article", ordering="title")
    def read(self, obj: Article) -> SafeString:
        return article_link(obj)

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
    list_display = ["text", "target_kind", "target", "short_article", "method", "confidence", "review_status"]
    list_filter = ["review_status", "method"]
    list_select_related = ["article", "company", "market", "person", "product"]
    search_fields = ["text", "article__title"]
    autocomplete_fields = ["article", "company", "market", "person", "product"]
    fieldsets = [
        (None, {"fields": ["article", "text", "start", "end"]}),
        ("Refers to (exactly one)", {"fields": ["company", "market", "person", "product"]}),
        ("Provenance and review", {"fields": PROVENANCE_FIELDS}),
    ]

    @admin.display(description="Article", ordering="article__title")
    def short_article(self, obj: Mention) -> SafeString:
        return article_link(obj.article)


@admin.register(Quote)
class QuoteAdmin(ReviewableAdminMixin, HistoryAdmin):
    list_display = ["short_text", "speaker", "speaker_name", "reported_via", "short_article", "review_status"]
    list_filter = ["review_status", ("reported_via", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["speaker", "reported_via", "article"]
    search_fields = ["text", "speaker__name", "speaker_name"]
    autocomplete_fields = ["article", "speaker", "reported_via"]
    fieldsets = [
        (None, {"fields": ["article", "text", "start", "end", "speaker", "speaker_name", "reported_via"]}),
        ("Provenance and review", {"fields": PROVENANCE_FIELDS}),
    ]

    @admin.display(description="Text", ordering="text")
    def short_text(self, obj: Quote) -> SafeString:
        return shortened(obj.text, 80)

    @admin.display(description="Article", ordering="article__title")
    def short_article(self, obj: Quote) -> SafeString:
        return article_link(obj.article)


@admin.register(ArticleTag)
class ArticleTagAdmin(ReviewableAdminMixin, admin.ModelAdmin):
    list_display = ["tag", "article", "reason", "method", "confidence", "review_status"]
    list_filter = ["review_status", "tag__namespace", "tag"]
    list_select_related = ["tag", "article"]
    search_fields = ["tag__name", "tag__namespace", "article__title", "reason"]
    autocomplete_fields = ["article", "tag"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ArticleTag]:
        return super().get_queryset(request).select_related("tag", "article")
