"""Articles and what was extracted from them: mentions and quotes."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from rest_framework import mixins, serializers

from intel.api import filters
from intel.api import serializers as s
from intel.models import Article, ArticleTag, Evidence, Mention, Quote

from .base import RankedSearchMixin, ReadOnlyViewSet


class ArticleViewSet(RankedSearchMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet):
    """Articles. New articles come in through ``POST /api/v1/ingest/``, which extracts records from them."""

    serializer_class = s.ArticleSerializer
    filterset_class = filters.ArticleFilter
    ordering_fields = ["id", "published_on"]
    queryset = Article.objects.select_related("source").defer("body", "minhash").order_by("-id")

    def get_queryset(self) -> QuerySet[Article]:
        if self.action == "list":
            # Plain rows, which ArticleSerializer(many=True) formats (s.RowsListSerializer says why).
            return s.list_rows(s.ArticleSerializer, Article.objects.order_by("-id"))
        if self.action != "retrieve":
            return self.queryset
        return (
            Article.objects.select_related("source")
            .defer("minhash")
            .prefetch_related(
                Prefetch(
                    "mentions",
                    queryset=Mention.objects.select_related("company", "market", "person", "product").order_by("start"),
                ),
                Prefetch("evidence", queryset=Evidence.objects.select_related("event").order_by("start")),
                Prefetch("quotes", queryset=Quote.objects.select_related("speaker", "reported_via").order_by("start")),
                Prefetch("article_tags", queryset=ArticleTag.objects.select_related("tag").order_by("id")),
                "cited_sources",
            )
        )

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        return s.ArticleDetailSerializer if self.action == "retrieve" else s.ArticleSerializer


class MentionViewSet(mixins.DestroyModelMixin, ReadOnlyViewSet):
    queryset = Mention.objects.select_related("company", "market", "person", "product").order_by("-id")
    serializer_class = s.MentionSerializer
    filterset_class = filters.MentionFilter


class QuoteViewSet(mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet):
    queryset = Quote.objects.select_related("speaker", "reported_via").order_by("-id")
    serializer_class = s.QuoteSerializer
    filterset_class = filters.QuoteFilter
