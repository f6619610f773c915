"""Markets: countries, regions made of countries and other regions, and segments of them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from intel.choices import MarketKind, PriceTier, ProductCategory

from .base import Alias, History, TrackedManager, alias_meta
from .constraints import unique_when_set
from .slugs import SluggedModel, unique_slug_constraint


def category_and_price_tier() -> tuple[models.CharField, models.CharField]:
    """A product category and a price tier, both optional: what a product is, and what a
    market segment narrows its base market to ("budget smartphones in India"). One
    definition, so that a segment and the products in it always take the same values."""
    return (
        models.CharField(max_length=32, choices=ProductCategory.choices, blank=True),
        models.CharField(max_length=16, choices=PriceTier.choices, blank=True),
    )


class Market(SluggedModel):
    """A place where companies compete.

    A *country* (ISO 3166-1), a *region* whose ``members`` are countries and other
    regions (Europe, Western Europe, Greater China), or a *segment*: a country or
    region (``base``) narrowed to a product category and/or price tier
    ("budget smartphones in India"). Facts about a market (its size, rank, shares)
    are events with sources, never free text here.
    """

    kind = models.CharField(max_length=16, choices=MarketKind.choices, db_index=True)
    iso_code = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2 code, for countries.")
    m49_code = models.CharField(max_length=3, blank=True, help_text="UN M49 numeric code, where one exists.")
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="member_of",
        help_text="For a region: the countries and regions it is made of.",
    )
    base = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="segments",
        help_text="For a segment: the country or region it narrows.",
    )
    category, price_tier = category_and_price_tier()
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    class Meta(SluggedModel.Meta):
        constraints = [
            unique_slug_constraint(),
            unique_when_set("iso_code", message="Another market already has this ISO code."),
            models.UniqueConstraint(
                fields=["base", "category", "price_tier"],
                condition=Q(kind=MarketKind.SEGMENT),
                name="intel_market_unique_segment",
                violation_error_message="That segment of that market already exists.",
            ),
            models.CheckConstraint(
                condition=~Q(kind=MarketKind.SEGMENT) | (Q(base__isnull=False) & (~Q(category="") | ~Q(price_tier=""))),
                name="intel_market_segment_has_base_and_narrowing",
                violation_error_message="A segment needs a base market and a category or price tier.",
            ),
            models.CheckConstraint(
                condition=Q(kind=MarketKind.SEGMENT) | Q(base__isnull=True, category="", price_tier=""),
                name="intel_market_only_segments_narrow",
                violation_error_message="Only a segment has a base market, category or price tier.",
            ),
        ]

    def all_countries(self) -> set[int]:
        """Primary keys of the countries in this market, following nested regions."""
        if self.kind == MarketKind.COUNTRY:
            return {self.pk}
        if self.kind == MarketKind.SEGMENT and self.base is not None:
            return self.base.all_countries()
        seen: set[int] = set()
        countries: set[int] = set()
        frontier = [self.pk]
        while frontier:
            rows = Market.members.through.objects.filter(from_market_id__in=frontier).values_list(
                "to_market_id", "to_market__kind"
            )
            frontier = []
            for pk, kind in rows:
                if pk in seen:
                    continue
                seen.add(pk)
                if kind == MarketKind.COUNTRY:
                    countries.add(pk)
                else:
                    frontier.append(pk)
        return countries


class MarketAlias(Alias):
    """Another name of a market: "US", "U.S.", "USA", "America" all mean the United States."""

    market = models.ForeignKey(Market, on_delete=models.CASCADE, related_name="aliases")
    is_demonym = models.BooleanField(
        default=False,
        help_text='An adjective ("Indian"): it names the market only in phrases like "the Indian market".',
    )

    history = History()

    Meta = alias_meta("market")
