"""The domain model, one module per area. Import from here: ``from intel.models import Company``."""

from .api import ApiToken, IngestJob, JobStatus
from .articles import Article, ArticleBands, Mention, content_hash_of
from .base import RejectedProposal, Reviewable
from .companies import Company, CompanyAlias, Person, PersonAlias, Product, ProductAlias, Role
from .events import Event, EventParticipant, Evidence, Quote
from .leases import Claim, Leased
from .markets import Market, MarketAlias
from .merges import CompanyMerge
from .monitoring import Feed, FeedEntry, Heartbeat
from .relationships import Relationship, RelationshipEvidence
from .rules import EntityIndexVersion, EventRule, MatchAlgorithm, TagRule
from .sources import Source
from .tags import ArticleTag, Tag
from .watchlists import Alert, AlertDelivery, Watchlist

__all__ = [
    "Alert",
    "AlertDelivery",
    "ApiToken",
    "Article",
    "ArticleBands",
    "ArticleTag",
    "Claim",
    "Company",
    "CompanyAlias",
    "CompanyMerge",
    "EntityIndexVersion",
    "Event",
    "EventParticipant",
    "EventRule",
    "Evidence",
    "Feed",
    "FeedEntry",
    "Heartbeat",
    "IngestJob",
    "JobStatus",
    "Leased",
    "Market",
    "MarketAlias",
    "MatchAlgorithm",
    "Mention",
    "Person",
    "PersonAlias",
    "Product",
    "ProductAlias",
    "Quote",
    "RejectedProposal",
    "Relationship",
    "RelationshipEvidence",
    "Reviewable",
    "Role",
    "Source",
    "Tag",
    "TagRule",
    "Watchlist",
    "content_hash_of",
]
