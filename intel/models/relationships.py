"""Lasting relationships between companies, with the evidence for them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from intel.choices import RelationshipKind

from .base import History, Reviewable, Span, TrackedManager, review_constraints, review_indexes, span_constraints
from .constraints import ends_after_start, not_itself


class Relationship(Reviewable):
    """``subject`` is a ``kind`` of ``object`` from ``valid_from`` to ``valid_to``.

    "Xiaomi is a competitor of Apple"; "Honor was a subsidiary of Huawei until
    2020-11-17". An open relationship (no ``valid_to``) exists once per pair and kind.
    """

    subject = models.ForeignKey("intel.Company", on_delete=models.CASCADE, related_name="relationships_out")
    object = models.ForeignKey("intel.Company", on_delete=models.CASCADE, related_name="relationships_in")
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["subject__name", "kind"]
        indexes = review_indexes()
        constraints = [
            *review_constraints(),
            not_itself(
                "subject",
                "object",
                suffix="not_with_itself",
                message="A company cannot have a relationship with itself.",
            ),
            ends_after_start("valid_from", "valid_to", message="A relationship cannot end before it starts."),
            models.UniqueConstraint(
                fields=["subject", "object", "kind"],
                condition=Q(valid_to__isnull=True),
                name="intel_relationship_unique_open",
                violation_error_message="These companies already have an open relationship of this kind.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} is {self.get_kind_display().lower()} of {self.object}"

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("relationship", self.subject_id, self.object_id, self.kind)


class RelationshipEvidence(Span):
    """An article passage supporting a relationship."""

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="evidence")
    article = models.ForeignKey("intel.Article", on_delete=models.CASCADE, related_name="relationship_evidence")
    text = models.TextField()

    class Meta:
        verbose_name_plural = "relationship evidence"
        constraints = [
            *span_constraints(),
            models.UniqueConstraint(
                fields=["relationship", "article", "start", "end"], name="intel_relationshipevidence_unique_span"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article}: {self.text[:80]}"
