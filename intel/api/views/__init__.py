"""API views, one module per area: thin viewsets naming their queryset, serializer and
filters; actions call functions.

Every queryset names its ``select_related`` / ``prefetch_related`` so that a page
costs the same number of queries whatever its size (tests check each one).

- ``base``: what every viewset shares (permissions, strict filters, ranked search)
- ``records``: markets, companies, people, roles, products, sources, tags, relationships
- ``articles``: articles, mentions, quotes; ``events``: events; ``rules``: tag and event rules
- ``ingest``: ingesting an article, and the queued jobs; ``review``: confirming and rejecting
- ``changes``: the changes feed; ``exports``: STIX; ``monitoring``: watchlists, feeds, alerts
"""

from .articles import ArticleViewSet, MentionViewSet, QuoteViewSet
from .changes import ChangesView
from .events import EventViewSet
from .exports import StixExportView
from .ingest import IngestJobViewSet, IngestView
from .monitoring import AlertViewSet, FeedViewSet, WatchlistViewSet
from .records import (
    CompanyViewSet,
    MarketViewSet,
    PersonViewSet,
    ProductViewSet,
    RelationshipViewSet,
    RoleViewSet,
    SourceViewSet,
    TagViewSet,
)
from .review import ReviewView
from .rules import EventRuleViewSet, TagRuleViewSet

__all__ = [
    "AlertViewSet",
    "ArticleViewSet",
    "ChangesView",
    "CompanyViewSet",
    "EventRuleViewSet",
    "EventViewSet",
    "FeedViewSet",
    "IngestJobViewSet",
    "IngestView",
    "MarketViewSet",
    "MentionViewSet",
    "PersonViewSet",
    "ProductViewSet",
    "QuoteViewSet",
    "RelationshipViewSet",
    "ReviewView",
    "RoleViewSet",
    "SourceViewSet",
    "StixExportView",
    "TagRuleViewSet",
    "TagViewSet",
    "WatchlistViewSet",
]
