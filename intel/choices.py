"""Every fixed list of values the domain uses, as ``TextChoices``."""

from collections.abc import Iterable

from django.db import models


class ReviewStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"


class Method(models.TextChoices):
    """How a record came to be."""

    MANUAL = "manual", "Entered by a person"
    GAZETTEER = "gazetteer", "Matched a known name"
    DISCOVERED = "discovered", "Discovered in text"
    RULE = "rule", "Made by a rule"
    IMPORT = "import", "Imported"
    REFERENCE = "reference", "Reference data"


class MarketKind(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    SEGMENT = "segment", "Segment of a geography"


class ProductCategory(models.TextChoices):
    SMARTPHONES = "smartphones", "Smartphones"
    TABLETS = "tablets", "Tablets"
    WEARABLES = "wearables", "Wearables"
    PCS = "pcs", "PCs and laptops"
    TVS = "tvs", "TVs"
    NETWORK = "network", "Network equipment"
    CONSUMER_ELECTRONICS = "consumer-electronics", "Consumer electronics"
    OTHER = "other", "Other"


class PriceTier(models.TextChoices):
    BUDGET = "budget", "Budget"
    MID_RANGE = "mid-range", "Mid-range"
    PREMIUM = "premium", "Premium"


class SourceKind(models.TextChoices):
    NEWS_AGENCY = "news_agency", "News agency"
    NEWS_SITE = "news_site", "News site"
    BLOG = "blog", "Blog"
    PRESS_RELEASE = "press_release", "Press release"
    REGULATOR = "regulator", "Regulator"
    RESEARCH_FIRM = "research_firm", "Research firm"
    OTHER = "other", "Other"


class Reliability(models.TextChoices):
    """The Admiralty (NATO) scale for the reliability of a source."""

    A = "A", "A: completely reliable"
    B = "B", "B: usually reliable"
    C = "C", "C: fairly reliable"
    D = "D", "D: not usually reliable"
    E = "E", "E: unreliable"
    F = "F", "F: reliability cannot be judged"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"
    YEAR = "year", "Year"


class ArticleStatus(models.TextChoices):
    STORED = "stored", "Stored, not processed"
    PROCESSED = "processed", "Processed"
    FAILED = "failed", "Processing failed"
    DUPLICATE = "duplicate", "Near-duplicate of another article"


class EventType(models.TextChoices):
    MARKET_ENTRY = "market_entry", "Market entry"
    MARKET_EXIT = "market_exit", "Market exit"
    PARTNERSHIP = "partnership", "Partnership (incl. carrier and distribution deals)"
    REGULATORY_ACTION = "regulatory_action", "Regulatory action (sanctions, bans, fines, lifting)"
    PRODUCT_LAUNCH = "product_launch", "Product launch"
    PRICING = "pricing", "Pricing"
    FINANCING = "financing", "Financing (IPO, funding)"
    ACQUISITION = "acquisition", "Acquisition"
    LEADERSHIP_CHANGE = "leadership_change", "Leadership change"
    MARKET_POSITION = "market_position", "Market position (rank or share)"
    LEGAL = "legal", "Legal"
    OTHER = "other", "Other"


class EventStatus(models.TextChoices):
    RUMOURED = "rumoured", "Rumoured"
    PLANNED = "planned", "Planned"
    ANNOUNCED = "announced", "Announced"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    DENIED = "denied", "Denied"


class ParticipantRole(models.TextChoices):
    ACTOR = "actor", "Actor"
    PARTNER = "partner", "Partner"
    TARGET = "target", "Target"
    REGULATOR = "regulator", "Regulator"


# The roles an event's main company is taken from, in this order (``main_company_of``).
MAIN_ROLES = (ParticipantRole.ACTOR, ParticipantRole.TARGET, ParticipantRole.PARTNER)


def main_company_of(participants: Iterable[tuple[str, int]]) -> int | None:
    """The company an event is mainly about: the first actor, else the first target,
    else the first partner, of (role, company) pairs in the order they were stored.

    The one rule for every place that asks: the stored event, the events stage's
    drafts and the known events it matches them against.
    """
    first: dict[str, int] = {}
    for role, company_id in participants:
        first.setdefault(role, company_id)
    return next((first[role] for role in MAIN_ROLES if role in first), None)


class RelationshipKind(models.TextChoices):
    COMPETITOR = "competitor", "Competitor"
    PARTNER = "partner", "Partner"
    SUPPLIER = "supplier", "Supplier"
    CUSTOMER = "customer", "Customer"
    SUBSIDIARY = "subsidiary", "Subsidiary"
    INVESTOR = "investor", "Investor"
    DISTRIBUTOR = "distributor", "Distributor"


# --- Monitoring ---------------------------------------------------------------------


class FeedKind(models.TextChoices):
    FEED = "feed", "RSS, Atom or JSON Feed"
    GOOGLE_NEWS = "google_news", "Google News search (RSS)"
    GDELT = "gdelt", "GDELT DOC 2.0 query (JSON)"


class FeedStatus(models.TextChoices):
    """The outcome of a feed's last check."""

    NEVER = "never", "Not checked yet"
    NEW_ITEMS = "new_items", "New items"
    NO_NEW_ITEMS = "no_new_items", "No new items"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    RATE_LIMITED = "rate_limited", "Rate limited (429)"
    ERROR = "error", "Error"


class EntryStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be ingested"
    INGESTED = "ingested", "Ingested"
    DUPLICATE = "duplicate", "Already stored (same GUID, URL or text)"
    FAILED = "failed", "Failed"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "Daily digest"


class AlertKind(models.TextChoices):
    NEW_STORY = "new_story", "New story"
    NEW_SOURCE = "new_source", "New source for a known event"


class AlertChannel(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook (Slack-compatible)"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
