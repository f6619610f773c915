"""Companies, the people who work for them and the products they make."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from intel.choices import MarketKind, PriceTier, ProductCategory

from .base import (
    Alias,
    History,
    Reviewable,
    TrackedManager,
    alias_unique_constraint,
    review_constraints,
    review_indexes,
)
from .slugs import SluggedModel


def _normalised_name(name: str) -> str:
    return " ".join(name.split()).casefold()


class Company(SluggedModel, Reviewable):
    """A company the analysts track or that the news mentions.

    ``watched`` companies are what monitoring looks for. A company found in an
    article but not yet known is created *proposed* and waits for review.
    """

    headquarters = models.ForeignKey(
        "intel.Market",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        limit_choices_to={"kind": MarketKind.COUNTRY},
        related_name="headquartered_companies",
        help_text="The country of the headquarters.",
    )
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="subsidiaries")
    ticker = models.CharField(max_length=32, blank=True, help_text='Exchange and symbol, e.g. "HKEX:1810".')
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q42.")],
        verbose_name="Wikidata id",
    )
    watched = models.BooleanField(default=False, db_index=True, help_text="Monitoring looks for news about it.")
    tags = models.ManyToManyField("intel.Tag", blank=True, related_name="companies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedManager()
    history = History(excluded_fields=["updated_at"])

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        # Ingestion looks names up ignoring case, many at a time.
        indexes = [models.Index(Lower("name"), name="intel_company_lower_name"), *review_indexes()]
        constraints = [
            *review_constraints(),
            models.UniqueConstraint(
                fields=["slug"],
                name="intel_company_unique_slug",
                violation_error_message="Another company already has this slug.",
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~Q(wikidata_id=""),
                name="intel_company_unique_wikidata_id",
                violation_error_message="Another company already has this Wikidata id.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="intel_company_not_own_parent",
                violation_error_message="A company cannot be its own parent.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("company", _normalised_name(self.name))


class CompanyAlias(Alias):
    """Another name of a company ("Alphabet" for Google, a former name after a merge)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    class Meta(Alias.Meta):
        verbose_name = "company alias"
        verbose_name_plural = "company aliases"
        constraints = [alias_unique_constraint("company")]


class Person(SluggedModel, Reviewable):
    """A person the news quotes or names: executives, officials, analysts."""

    description = models.TextField(blank=True)
    wikidata_id = models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q42.")],
        verbose_name="Wikidata id",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackedManager()
    history = History()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="intel_person_lower_name"), *review_indexes()]
        constraints = [
            *review_constraints(),
            models.UniqueConstraint(fields=["slug"], name="intel_person_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("person", _normalised_name(self.name))


class PersonAlias(Alias):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    class Meta(Alias.Meta):
        verbose_name = "person alias"
        verbose_name_plural = "person aliases"
        constraints = [alias_unique_constraint("person")]


class Role(Reviewable):
    """A person's title at a company for a period: Wang Xiang, senior vice president of Xiaomi."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="roles")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(max_length=200)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["person__name", "-start_date"]
        indexes = review_indexes()
        constraints = [
            *review_constraints(),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="intel_role_ends_after_start",
                violation_error_message="A role cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.title}, {self.company}"

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("role", self.person_id, self.company_id, _normalised_name(self.title))


class Product(SluggedModel, Reviewable):
    """A product or product line and its maker: iPhone (Apple), Pixel (Google), Galaxy S (Samsung)."""

    maker = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    category = models.CharField(max_length=32, choices=ProductCategory.choices, blank=True)
    price_tier = models.CharField(max_length=16, choices=PriceTier.choices, blank=True)
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(Lower("name"), name="intel_product_lower_name"), *review_indexes()]
        constraints = [
            *review_constraints(),
            models.UniqueConstraint(fields=["slug"], name="intel_product_unique_slug"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.maker})" if self.maker_id else self.name

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("product", _normalised_name(self.name), self.maker_id)


class ProductAlias(Alias):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    class Meta(Alias.Meta):
        verbose_name = "product alias"
        verbose_name_plural = "product aliases"
        constraints = [alias_unique_constraint("product")]
