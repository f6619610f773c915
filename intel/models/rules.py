"""Rules analysts edit in the admin: which words tag an article, which make an event.

Matching works like paperless-ngx's: *any* word, *all* words, a *literal* phrase,
a *regular expression*, or a *fuzzy* phrase, each case-sensitive or not. The
reason every tag or event was made (the rule and the words) is stored with it.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from intel.choices import EventStatus, EventType

from .base import History, TrackedManager


class MatchAlgorithm(models.TextChoices):
    ANY = "any", "Any of these words"
    ALL = "all", "All of these words"
    LITERAL = "literal", "This exact phrase"
    REGEX = "regex", "Regular expression"
    FUZZY = "fuzzy", "Fuzzy phrase (close spellings)"


MAX_PATTERN_LENGTH = 500


class MatchingRule(models.Model):
    name = models.CharField(max_length=100)
    algorithm = models.CharField(max_length=8, choices=MatchAlgorithm.choices, default=MatchAlgorithm.ANY)
    match = models.CharField(
        max_length=MAX_PATTERN_LENGTH,
        help_text='Words separated by spaces ("quoted phrases" stay together), a phrase, or a regular expression.',
    )
    case_sensitive = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True, db_index=True)
    confidence = models.FloatField(default=0.7, validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.match.strip():
            raise ValidationError({"match": "A rule needs something to match."})
        if self.algorithm == MatchAlgorithm.REGEX:
            try:
                re.compile(self.match)
            except re.error as exc:
                raise ValidationError({"match": f"This is not a valid regular expression: {exc}."}) from exc


class TagRule(MatchingRule):
    """Tags an article with ``tag`` when its text matches."""

    tag = models.ForeignKey("intel.Tag", on_delete=models.CASCADE, related_name="rules")

    objects = TrackedManager()
    history = History()

    class Meta(MatchingRule.Meta):
        verbose_name = "tag rule"
        constraints = [models.UniqueConstraint(fields=["name"], name="intel_tagrule_unique_name")]


class EventRule(MatchingRule):
    """Proposes an event of ``event_type`` for each sentence that matches.

    The sentence's first company is the actor and its markets the event's markets;
    the status is ``status`` unless the sentence's tense says otherwise.
    """

    event_type = models.CharField(max_length=32, choices=EventType.choices)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.ANNOUNCED)
    requires_market = models.BooleanField(default=False, help_text="Only when the sentence names a market.")

    objects = TrackedManager()
    history = History()

    class Meta(MatchingRule.Meta):
        verbose_name = "event rule"
        constraints = [models.UniqueConstraint(fields=["name"], name="intel_eventrule_unique_name")]


class EntityIndexVersion(models.Model):
    """Counters that tell every process when its cached Aho-Corasick automaton is
    stale (one cheap read per ingest): ``version`` when a name or alias changed or
    went, ``additions`` when one was only added (then a small automaton of the new
    names is enough, and the large one is kept)."""

    version = models.PositiveBigIntegerField(default=0)
    additions = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "entity index version"

    def __str__(self) -> str:
        return f"v{self.version}"
