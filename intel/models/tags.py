"""Thematic tags (``strategy:budget-pricing``) and their application to articles."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from .base import History, Reviewable, TrackedManager, review_constraints, review_indexes

_slug = RegexValidator(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "Use lower-case letters, digits and hyphens.")


class Tag(models.Model):
    """A namespaced theme: ``strategy:budget-pricing``, ``channel:carrier``, ``risk:geopolitical``.

    Applied to articles (with the reason, see ``ArticleTag``), events and companies.
    """

    namespace = models.CharField(max_length=50, validators=[_slug])
    name = models.CharField(max_length=100, validators=[_slug])
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["namespace", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["namespace", "name"],
                name="intel_tag_unique_namespace_name",
                violation_error_message="This tag already exists.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}"

    @classmethod
    def parse(cls, label: str) -> tuple[str, str]:
        """``"strategy:budget-pricing"`` → ``("strategy", "budget-pricing")``."""
        namespace, sep, name = label.partition(":")
        if not sep or not namespace or not name:
            raise ValueError(f"A tag is written namespace:name, not {label!r}.")
        return namespace.strip().lower(), name.strip().lower()


class ArticleTag(Reviewable):
    """A tag on an article and why it was applied (the rule and the words that fired it)."""

    # Lookups by article use the unique (article, tag) index (Meta).
    article = models.ForeignKey("intel.Article", on_delete=models.CASCADE, related_name="article_tags", db_index=False)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="article_tags")
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "article tag"
        ordering = ["article", "tag"]
        indexes = review_indexes()
        constraints = [
            *review_constraints(),
            models.UniqueConstraint(fields=["article", "tag"], name="intel_articletag_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.tag} on {self.article}"

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("article-tag", self.article.content_hash, str(self.tag))
