"""Articles and the mentions of known records found in them."""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from intel.choices import ArticleStatus, DatePrecision
from intel.urlnorm import normalise_url

from .base import (
    History,
    Reviewable,
    Span,
    TrackedManager,
    fingerprint_of,
    review_constraints,
    review_indexes,
    span_constraints,
)
from .constraints import unique_when_set


def content_hash_of(text: str) -> str:
    """SHA-256 of the text with white space folded: re-wrapped copies hash the same."""
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class Article(models.Model):
    """A news article: the evidence every automatically made record points back to.

    The ``url`` is stored normalised (no tracking parameters, fragment or host case)
    and is unique when present; ``content_hash`` is unique, so the same text arriving
    twice through different links is still one article. A near-duplicate (the same
    story lightly rewritten or syndicated) is its own row with ``duplicate_of`` set.
    """

    source = models.ForeignKey(
        "intel.Source",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text="The publisher.",
    )
    cited_sources = models.ManyToManyField(
        "intel.Source",
        blank=True,
        related_name="cited_by",
        help_text="Outlets the article cites (an interview with Reuters).",
    )
    url = models.URLField(max_length=2000, blank=True, verbose_name="URL")
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_on = models.DateField(null=True, blank=True, db_index=True)
    published_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    retrieved_at = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=16, default="en", help_text="BCP 47 language tag.")
    body = models.TextField(help_text="The article's clean text; every span points into it.")
    content_hash = models.CharField(max_length=64, editable=False)
    status = models.CharField(max_length=16, choices=ArticleStatus.choices, default=ArticleStatus.STORED)
    # Indexed where set (Meta): most articles are originals.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="near_duplicates",
        db_index=False,
        help_text="The original, when this article is the same story rewritten or syndicated.",
    )
    tags = models.ManyToManyField("intel.Tag", through="intel.ArticleTag", blank=True, related_name="articles")
    minhash = models.BinaryField(
        null=True, blank=True, editable=False, help_text="MinHash signature of the text, for near-duplicates."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TrackedManager()
    history = History(excluded_fields=["body", "minhash"])

    class Meta:
        ordering = ["-published_on", "-id"]
        get_latest_by = "retrieved_at"
        indexes = [
            models.Index(fields=["status"], name="intel_article_status"),  # no LIKE twin (see Reviewable)
            models.Index(
                fields=["duplicate_of"], condition=Q(duplicate_of__isnull=False), name="intel_article_duplicate_of"
            ),
        ]
        constraints = [
            unique_when_set("url", message="An article with this URL is already stored."),
            models.UniqueConstraint(
                fields=["content_hash"],
                name="intel_article_unique_content_hash",
                violation_error_message="An article with exactly this text is already stored.",
            ),
            models.CheckConstraint(
                condition=~Q(body=""),
                name="intel_article_has_body",
                violation_error_message="An article needs text.",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=models.F("pk")),
                name="intel_article_not_own_duplicate",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url or f"Article {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.prepare()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.prepare()
        if not self.body.strip():
            raise ValidationError({"body": "An article needs text."})
        if self.published_on and self.published_on > timezone.localdate() + timezone.timedelta(days=1):
            raise ValidationError({"published_on": "The publication date is in the future."})
        # Forms leave the (non-editable) hash out of their constraint checks, so the
        # duplicate-text check is made here, where every entry point passes.
        twin = Article.objects.filter(content_hash=self.content_hash).exclude(pk=self.pk).first()
        if twin is not None:
            raise ValidationError(
                {"body": f"An article with exactly this text is already stored (article #{twin.pk}: {twin})."}
            )

    def prepare(self) -> None:
        """Normalise the URL and compute the content hash. Called before validation and save."""
        self.url = normalise_url(self.url)
        if self.body:
            self.content_hash = content_hash_of(self.body)


SIGNATURE_BANDS = 16  # intel/ingest/minhash.py's BANDS: a test checks they agree


class ArticleBands(models.Model):
    """An article's MinHash signature cut into its sixteen bands (see ``intel/ingest/minhash.py``),
    one indexed column each.

    Articles that share a band (the same value in the same column) are
    near-duplicate candidates: one lookup per batch finds them, a list of values
    per column. One row per article rather than a row per band: sixteen index
    entries an article instead of forty-eight, and one row instead of sixteen.
    """

    # No database foreign key: a derived index, rebuilt from the article's text, and
    # a constraint check per row at commit costs more than writing it. Django still
    # deletes the row with its article.
    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, primary_key=True, related_name="bands", db_constraint=False
    )
    band_0 = models.BigIntegerField()
    band_1 = models.BigIntegerField()
    band_2 = models.BigIntegerField()
    band_3 = models.BigIntegerField()
    band_4 = models.BigIntegerField()
    band_5 = models.BigIntegerField()
    band_6 = models.BigIntegerField()
    band_7 = models.BigIntegerField()
    band_8 = models.BigIntegerField()
    band_9 = models.BigIntegerField()
    band_10 = models.BigIntegerField()
    band_11 = models.BigIntegerField()
    band_12 = models.BigIntegerField()
    band_13 = models.BigIntegerField()
    band_14 = models.BigIntegerField()
    band_15 = models.BigIntegerField()

    class Meta:
        verbose_name = "article signature bands"
        verbose_name_plural = "article signature bands"
        indexes = [
            models.Index(fields=[f"band_{band}"], name=f"intel_articlebands_{band}") for band in range(SIGNATURE_BANDS)
        ]

    def __str__(self) -> str:
        return f"signature bands of article {self.article_id}"


class Mention(Reviewable, Span):
    """A place in an article that names a company, market, person or product.

    Exactly one of the four targets is set (a check constraint says so). ``text``
    is the matched text as it stands in the article, kept even if the target is
    later renamed.
    """

    # Lookups by article use the (article, start) index below; a second index on
    # article alone would only slow the inserts.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="mentions", db_index=False)
    text = models.CharField(max_length=300)
    # One of the four is set: each is indexed where it is not null (Meta), so a
    # mention adds one entry to these indexes, not four (three of them NULL).
    company = models.ForeignKey(
        "intel.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    market = models.ForeignKey(
        "intel.Market", null=True, blank=True, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    person = models.ForeignKey(
        "intel.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )
    product = models.ForeignKey(
        "intel.Product", null=True, blank=True, on_delete=models.CASCADE, related_name="mentions", db_index=False
    )

    TARGETS = ("company", "market", "person", "product")

    class Meta:
        ordering = ["article", "start"]
        indexes = [
            models.Index(fields=["article", "start"], name="intel_mention_article_start"),
            *(
                models.Index(
                    fields=[target], condition=Q(**{f"{target}__isnull": False}), name=f"intel_mention_{target}"
                )
                for target in ("company", "market", "person", "product")
            ),
            *review_indexes(),
        ]
        constraints = [
            *review_constraints(),
            *span_constraints(),
            models.CheckConstraint(
                condition=(
                    Q(company__isnull=False, market__isnull=True, person__isnull=True, product__isnull=True)
                    | Q(company__isnull=True, market__isnull=False, person__isnull=True, product__isnull=True)
                    | Q(company__isnull=True, market__isnull=True, person__isnull=False, product__isnull=True)
                    | Q(company__isnull=True, market__isnull=True, person__isnull=True, product__isnull=False)
                ),
                name="intel_mention_exactly_one_target",
                violation_error_message="A mention refers to exactly one company, market, person or product.",
            ),
            # One mention of one target per span; one constraint per target column
            # because NULLs never collide in a multi-column unique constraint.
            *(
                models.UniqueConstraint(
                    fields=["article", "start", "end", target],
                    condition=Q(**{f"{target}__isnull": False}),
                    name=f"intel_mention_unique_{target}_span",
                )
                for target in ("company", "market", "person", "product")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.text!r} → {self.target} [{self.start}:{self.end}]"

    @property
    def target(self) -> models.Model | None:
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def target_kind(self) -> str:
        for name in self.TARGETS:
            if getattr(self, f"{name}_id"):
                return name
        return ""

    def proposal_fingerprint(self) -> str:
        target = self.target_kind
        return self.fingerprint_for(
            self.article.content_hash, self.start, self.end, target, getattr(self, f"{target}_id")
        )

    @staticmethod
    def fingerprint_for(content_hash: str, start: int, end: int, kind: str, target_id: int | None) -> str:
        """The fingerprint of a mention not stored yet (ingestion checks rejections with it)."""
        return fingerprint_of(("mention", content_hash, start, end, kind, target_id))
