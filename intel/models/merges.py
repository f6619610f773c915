"""The record of one company merged into another, kept so that the merge can be undone."""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .constraints import not_itself


class CompanyMerge(models.Model):
    """“Mi” (#12) merged into “Xiaomi” (#5) by an analyst: everything needed to take it back.

    A merge deletes the dropped company and rewrites rows all over the database, so
    its history rows alone cannot restore it. This record holds the dropped company
    as it was (``dropped``: every field, its tags and watchlists, to restore it with
    its primary key), the primary keys of every row that moved to the kept company
    (``moved``), the rows the merge deleted as twins of rows the kept company already
    had (``deleted``, whole), what it gave the kept company besides (``added``: the
    alias made of the dropped name, tags, watchlist places), the kept company's fields
    it filled in (``kept_before``) and the event summaries it rewrote (``summaries``).
    ``intel.merge.undo_merge`` reads it back.

    ``kept`` is not a database foreign key: the kept company may itself be merged
    away later, and that merge's undo restores it with the same primary key, which
    makes this record undoable again. A constraint would have had to drop the record
    (or its link) with the company.
    """

    kept = models.ForeignKey(
        "intel.Company",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="merges",
        help_text="The company that absorbed the other.",
    )
    dropped_pk = models.BigIntegerField(db_index=True, help_text="The primary key the dropped company had.")
    dropped_name = models.CharField(max_length=200)
    dropped = models.JSONField(encoder=DjangoJSONEncoder, help_text="The dropped company's fields, as they were.")
    kept_before = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=dict,
        blank=True,
        help_text="Fields of the kept company the merge changed: name → [before, after].",
    )
    moved = models.JSONField(default=dict, blank=True, help_text="Primary keys of the rows that moved, by kind.")
    added = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the merge gave the kept company besides moved rows: the alias made of the dropped name, "
        "tags, watchlists.",
    )
    deleted = models.JSONField(
        encoder=DjangoJSONEncoder,
        default=dict,
        blank=True,
        help_text="Rows the merge deleted as twins of the kept company's own, serialized whole, by kind.",
    )
    summaries = models.JSONField(
        default=dict, blank=True, help_text="Event summaries rewritten: event id → [before, after]."
    )
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "company merge"
        ordering = ["-merged_at", "-id"]
        constraints = [
            # A company is merged away at most once at a time; after an undo it exists
            # again and may be merged again.
            models.UniqueConstraint(
                fields=["dropped_pk"],
                condition=Q(undone_at__isnull=True),
                name="intel_companymerge_dropped_once",
                violation_error_message="This company was already merged into another.",
            ),
            not_itself(
                "kept", "dropped_pk", suffix="not_into_itself", message="A company cannot be merged into itself."
            ),
        ]

    def __str__(self) -> str:
        return f"“{self.dropped_name}” (#{self.dropped_pk}) into #{self.kept_id} on {self.merged_at:%Y-%m-%d %H:%M}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def moved_count(self) -> int:
        """How many rows moved to the kept company (all kinds together)."""
        return sum(len(pks) for pks in self.moved.values() if isinstance(pks, list))
