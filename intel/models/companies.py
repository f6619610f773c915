"""Companies, the people who work for them and the products they make."""

from __future__ import annotations

from typing import ClassVar

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from intel.choices import MarketKind

from .base import Alias, History, Reviewable, TrackedManager, alias_meta, review_constraints, review_indexes
from .constraints import ends_after_start, not_itself, unique_when_set
from .markets import category_and_price_tier
from .slugs import SluggedModel, unique_slug_constraint


def _normalised_name(name: str) -> str:
    return " ".join(name.split()).casefold()


def _wikidata_id() -> models.CharField:
    """A Wikidata id (Q42), blank while not known: the same field on companies and people."""
    return models.CharField(
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata id looks like Q42.")],
        verbose_name="Wikidata id",
    )


class NamedReviewable(SluggedModel, Reviewable):
    """A named record ingestion may propose when an article names it: a company, person or product.

    Ingestion looks names up ignoring case, many at a time (the ``Lower("name")``
    index), and two proposals of one kind are the same thing when their names are
    the same ignoring case and spacing (``fingerprint_parts``).
    """

    # What the fingerprint calls the kind ("company"): stored in rejections, so never renamed.
    fingerprint_kind: ClassVar[str]

    class Meta(SluggedModel.Meta):
        abstract = True
        indexes = [models.Index(Lower("name"), name="%(app_label)s_%(class)s_lower_name"), *review_indexes()]
        constraints = [*review_constraints(), unique_slug_constraint()]

    def fingerprint_parts(self) -> tuple[object, ...]:
        return (self.fingerprint_kind, _normalised_name(self.name))


class Company(NamedReviewable):
    """A company the analysts track or that the news mentions.

    ``watched`` companies are what monitoring looks for. A company found in an
    article but not yet known is created *proposed* and waits for review.
    """

    fingerprint_kind = "company"

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
    wikidata_id = _wikidata_id()
    watched = models.BooleanField(default=False, db_index=True, help_text="Monitoring looks for news about it.")
    tags = models.ManyToManyField("intel.Tag", blank=True, related_name="companies")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedManager()
    history = History(excluded_fields=["updated_at"])

    class Meta(NamedReviewable.Meta):
        verbose_name_plural = "companies"
        constraints = [
            *review_constraints(),
            unique_slug_constraint("Another company already has this slug."),
            unique_when_set("wikidata_id", message="Another company already has this Wikidata id."),
            not_itself("parent", "pk", suffix="not_own_parent", message="A company cannot be its own parent."),
        ]


class CompanyAlias(Alias):
    """Another name of a company ("Alphabet" for Google, a former name after a merge)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    Meta = alias_meta("company")


class Person(NamedReviewable):
    """A person the news quotes or names: executives, officials, analysts."""

    fingerprint_kind = "person"

    description = models.TextField(blank=True)
    wikidata_id = _wikidata_id()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackedManager()
    history = History()

    class Meta(NamedReviewable.Meta):
        verbose_name_plural = "people"


class PersonAlias(Alias):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    Meta = alias_meta("person")


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
            ends_after_start("start_date", "end_date", message="A role cannot end before it starts."),
        ]

    def __str__(self) -> str:
        return f"{self.person}, {self.title}, {self.company}"

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("role", self.person_id, self.company_id, _normalised_name(self.title))


class Product(NamedReviewable):
    """A product or product line and its maker: iPhone (Apple), Pixel (Google), Galaxy S (Samsung)."""

    fingerprint_kind = "product"

    maker = models.ForeignKey(Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    category, price_tier = category_and_price_tier()
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    def __str__(self) -> str:
        return f"{self.name} ({self.maker})" if self.maker_id else self.name

    def fingerprint_parts(self) -> tuple[object, ...]:
        # Two makers' products of one name are two products.
        return (*super().fingerprint_parts(), self.maker_id)


class ProductAlias(Alias):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="aliases")

    history = History()

    Meta = alias_meta("product")
