"""Rules analysts edit in the admin: which words tag an article, which make an event.

Matching works like paperless-ngx's: *any* word, *all* words, a *literal* phrase,
a *regular expression*, or a *fuzzy* phrase, each case-sensitive or not. The
reason every tag or event was made (the rule and the words) is stored with it.

A regular expression runs with a time limit on each article (``intel.matching``); a
rule that runs out of time is skipped for that article, and the rule keeps count of
it (``timeouts``, shown on its page) so that an analyst can mend the pattern.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import regex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils import timezone

from intel.choices import EventStatus, EventType

from .base import History, TrackedManager

if TYPE_CHECKING:
    from .articles import Article

logger = logging.getLogger(__name__)


class MatchAlgorithm(models.TextChoices):
    ANY = "any", "Any of these words"
    ALL = "all", "All of these words"
    LITERAL = "literal", "This exact phrase"
    REGEX = "regex", "Regular expression"
    FUZZY = "fuzzy", "Fuzzy phrase (close spellings)"


MAX_PATTERN_LENGTH = 500
# What ingestion writes on a rule: not an analyst's edit, so not in the rule's history.
TIMEOUT_FIELDS = ["timeouts", "last_timeout_at", "last_timeout_article"]


def regex_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be a rule's regular expression, or None when it can.

    The ``regex`` module runs analysts' patterns (for its time limit), so it is the one
    that must compile them.
    """
    try:
        regex.compile(pattern)
    except (regex.error, OverflowError, RecursionError) as exc:
        return f"This is not a valid regular expression: {exc}."
    return None


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
    # Written by ingestion only (``record_rule_timeouts``), with an update of these
    # fields alone: no history row, and no edit of the analyst's fields.
    timeouts = models.PositiveIntegerField(
        default=0, editable=False, help_text="Articles on which the regular expression ran out of time (skipped)."
    )
    last_timeout_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_timeout_article = models.ForeignKey(
        "intel.Article", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.match.strip():
            raise ValidationError({"match": "A rule needs something to match."})
        if self.algorithm == MatchAlgorithm.REGEX:
            error = regex_error(self.match)
            if error is not None:
                raise ValidationError({"match": error})


class TagRule(MatchingRule):
    """Tags an article with ``tag`` when its text matches."""

    tag = models.ForeignKey("intel.Tag", on_delete=models.CASCADE, related_name="rules")

    objects = TrackedManager()
    history = History(excluded_fields=TIMEOUT_FIELDS)

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
    history = History(excluded_fields=TIMEOUT_FIELDS)

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


def record_rule_timeouts(timeouts: Iterable[tuple[MatchingRule, Article]]) -> None:
    """Count each (rule, article) whose regular expression ran out of time, keep the last
    article and time on the rule for its admin page, and log a warning for each."""
    by_rule: dict[tuple[str, int], tuple[MatchingRule, list[Article]]] = {}
    for rule, article in timeouts:
        logger.warning(
            "Rule %r (%s %s) ran out of time on article %s and was skipped for it: pattern %r",
            rule.name, rule._meta.model_name, rule.pk, article.pk, rule.match,
        )  # fmt: skip
        by_rule.setdefault((rule._meta.label, rule.pk), (rule, []))[1].append(article)
    now = timezone.now()
    # The rows stay locked until the ingest's transaction ends. Taken in one order
    # (stage 8's event rules before stage 9's tag rules, each by key), two workers that
    # time out on the same rules wait for each other but never deadlock. The base
    # manager's plain update writes no history row (``TrackedManager``'s would).
    for _, (rule, articles) in sorted(by_rule.items(), key=lambda item: item[0]):
        type(rule)._base_manager.filter(pk=rule.pk).update(
            timeouts=F("timeouts") + len(articles), last_timeout_at=now, last_timeout_article=articles[-1]
        )
