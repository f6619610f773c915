"""Events between companies and markets, the evidence for them, and quotes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import models
from django.db.models import Q

from intel.choices import (
    DatePrecision,
    EventStatus,
    EventType,
    ParticipantRole,
    Reliability,
    SourceKind,
    main_company_of,
)

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
from .constraints import ends_after_start

# How much one independent source of each Admiralty grade adds to credibility.
RELIABILITY_WEIGHT = {
    Reliability.A: 0.9,
    Reliability.B: 0.75,
    Reliability.C: 0.6,
    Reliability.D: 0.4,
    Reliability.E: 0.2,
    Reliability.F: 0.5,
}


class Event(Reviewable):
    """Something that happened, is planned or is claimed: Xiaomi plans to enter the US in 2019.

    Its time is a date range with a precision and the phrase it was read from
    ("next year" in a July 2018 article is 2019-01-01 to 2019-12-31, precision year).
    Every supporting article adds an ``Evidence`` row; credibility grows with the
    number of *independent* sources among them.
    """

    type = models.CharField(max_length=32, choices=EventType.choices)  # indexed in Meta (no LIKE twin)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.ANNOUNCED)
    summary = models.CharField(max_length=500)
    time_start = models.DateField(null=True, blank=True, db_index=True)
    time_end = models.DateField(null=True, blank=True)
    time_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    time_phrase = models.CharField(
        max_length=200, blank=True, help_text='The words the time was read from ("next year").'
    )
    markets = models.ManyToManyField("intel.Market", blank=True, related_name="events")
    # A regulatory action's actors are public bodies (sources of kind regulator), not
    # companies: the companies it concerns are its participants, as targets.
    regulators = models.ManyToManyField(
        "intel.Source",
        blank=True,
        related_name="regulatory_actions",
        limit_choices_to={"kind": SourceKind.REGULATOR},
        help_text="The governments, regulators or courts that took this action.",
    )
    tags = models.ManyToManyField("intel.Tag", blank=True, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrackedManager()
    history = History(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-time_start", "-id"]
        indexes = [models.Index(fields=["type"], name="intel_event_type"), *review_indexes()]
        constraints = [
            *review_constraints(),
            ends_after_start(
                "time_start",
                "time_end",
                suffix="time_ends_after_start",
                message="An event's time range cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return self.summary

    def main_company_id(self) -> int | None:
        """The company the event is mainly about: the first actor, else target, else partner."""
        if not self.pk:
            return None
        return main_company_of(self.participants.order_by("id").values_list("role", "company_id"))

    @staticmethod
    def fingerprint_for(
        type: str,
        main_company_id: int | None,
        market_ids: Iterable[int],
        time_start: date | None,
        time_end: date | None,
    ) -> str:
        """The fingerprint of an event not stored yet (ingestion checks rejections with it)."""
        markets = ",".join(str(pk) for pk in sorted(set(market_ids)))
        return fingerprint_of(("event", type, main_company_id, markets, time_start, time_end))

    def proposal_fingerprint(self) -> str:
        markets = list(self.markets.values_list("pk", flat=True)) if self.pk else []
        return self.fingerprint_for(self.type, self.main_company_id(), markets, self.time_start, self.time_end)

    def independent_sources(self, evidence: Iterable[Evidence] | None = None) -> int:
        """How many independent sources support the event (``source_weights``): distinct
        publishers, a syndicated or rewritten copy of a supporting article not counting again.

        Pass ``evidence`` already loaded (prefetched, with ``article__source``
        selected, as the API's event detail does) to spare the query: one rule for
        the API, alerts and ingestion's results alike.
        """
        return len(source_weights(self._evidence_rows(evidence)))

    def credibility(self, evidence: Iterable[Evidence] | None = None) -> float:
        """Noisy-OR: 1 - Π(1 - wᵢ) over independent sources, wᵢ by their Admiralty grade.

        ``evidence`` as for ``independent_sources``.
        """
        return credibility_of(self._evidence_rows(evidence))

    def _evidence_rows(self, evidence: Iterable[Evidence] | None) -> list[EvidenceRow]:
        """The ``EvidenceRow``s of the given evidence, or of the stored evidence in one query."""
        if evidence is None:
            return list(self.evidence.values_list(*EVIDENCE_ROW_FIELDS))
        return [
            (e.article_id, e.article.source_id, e.article.source.reliability if e.article.source_id else None,
             e.article.duplicate_of_id)
            for e in evidence
        ]  # fmt: skip


# What independence is judged from, per piece of evidence: (article id, the article's
# source id, that source's Admiralty grade, the article's ``duplicate_of`` id).
EvidenceRow = tuple[int, int | None, str | None, int | None]
EVIDENCE_ROW_FIELDS = ("article_id", "article__source_id", "article__source__reliability", "article__duplicate_of_id")


def source_weights(evidence: Iterable[EvidenceRow]) -> dict[object, float]:
    """Each independent source's best weight, from the evidence's ``EvidenceRow``s.

    A source is a publisher (an article without one counts alone). A copy is not
    independent of what it copies: ingestion links a near-duplicate (the same story
    syndicated or lightly rewritten, ``Article.duplicate_of``) to its original, and
    one outlet's story run by ten others is still one outlet's word. So each story
    (an original and its near-duplicates among the evidence) counts once, as its
    original's publisher when the original is evidence, else as its first copy's
    (the lowest id: the first stored). Two stories from one publisher still count
    once, as before.

    ``duplicate_of`` is followed through the evidence only (no query): ingestion
    points every copy at the original itself, never at another copy, so one step
    is the rule; links edited by hand into chains or loops are followed too.
    """
    articles: dict[int, EvidenceRow] = {}
    for row in evidence:
        articles.setdefault(row[0], row)  # one row per article, however many passages it gave
    stories: dict[int, EvidenceRow] = {}
    for article_id in sorted(articles):
        story = _story_of(article_id, articles)
        # The original when it is evidence, else the first copy seen (ids ascend).
        if story not in stories or article_id == story:
            stories[story] = articles[article_id]
    best: dict[object, float] = {}
    for article_id, source_id, grade, _ in stories.values():
        key = source_id or f"article-{article_id}"
        best[key] = max(best.get(key, 0.0), RELIABILITY_WEIGHT.get(grade or Reliability.F, 0.5))
    return best


def _story_of(article_id: int, articles: dict[int, EvidenceRow]) -> int:
    """The id of the original the article copies (itself when it is one), through the evidence's links.

    Links edited by hand may form a loop: its lowest id is then the story, the same
    from wherever the loop is entered.
    """
    path = [article_id]
    while path[-1] in articles:
        original = articles[path[-1]][3]
        if original is None:
            break
        if original in path:
            return min(path[path.index(original) :])
        path.append(original)
    return path[-1]


def credibility_of(evidence: Iterable[EvidenceRow]) -> float:
    """Noisy-OR over ``source_weights``; ``Event.credibility`` with the evidence given."""
    weights = source_weights(evidence)
    doubt = 1.0
    for weight in weights.values():
        doubt *= 1.0 - weight
    return round(1.0 - doubt, 3) if weights else 0.0


class EventParticipant(models.Model):
    """A company's part in an event: actor, partner, target or regulator."""

    # Lookups by event use the unique (event, company, role) index (Meta).
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", db_index=False)
    company = models.ForeignKey("intel.Company", on_delete=models.CASCADE, related_name="participations")
    role = models.CharField(max_length=16, choices=ParticipantRole.choices, default=ParticipantRole.ACTOR)

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["event", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "company", "role"],
                name="intel_eventparticipant_unique_role",
                violation_error_message="This company already has that role in this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} ({self.get_role_display()})"


class Evidence(Span):
    """One supporting article for an event, with the sentence or quote that supports it."""

    # Lookups by event use the unique (event, article, start, end) index (Meta).
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="evidence", db_index=False)
    article = models.ForeignKey("intel.Article", on_delete=models.CASCADE, related_name="evidence")
    text = models.TextField(help_text="The supporting sentence or quote, as it stands in the article.")
    # Most evidence is a sentence, not a quote: indexed where set (Meta), so that the
    # ingest path's evidence rows add no entry for a NULL.
    quote = models.ForeignKey(
        "intel.Quote", null=True, blank=True, on_delete=models.SET_NULL, related_name="evidence", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "evidence"
        ordering = ["event", "created_at"]
        indexes = [models.Index(fields=["quote"], condition=Q(quote__isnull=False), name="intel_evidence_quote")]
        constraints = [
            *span_constraints(),
            models.UniqueConstraint(
                fields=["event", "article", "start", "end"],
                name="intel_evidence_unique_span",
                violation_error_message="This passage is already evidence for this event.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article}: {self.text[:80]}"


class Quote(Reviewable, Span):
    """Quoted speech: the words, who said them, and the outlet they were reported through."""

    article = models.ForeignKey("intel.Article", on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField()
    speaker = models.ForeignKey("intel.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes")
    speaker_name = models.CharField(max_length=200, blank=True, help_text="As written, when no person is linked.")
    reported_via = models.ForeignKey(
        "intel.Source",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_quotes",
        help_text="The outlet the words were said to (an interview with Reuters).",
    )

    objects = TrackedManager()
    history = History()

    class Meta:
        ordering = ["article", "start"]
        indexes = review_indexes()
        constraints = [*review_constraints(), *span_constraints()]

    def __str__(self) -> str:
        who = self.speaker or self.speaker_name or "unknown"
        return f"{who}: “{self.text[:80]}”"

    def fingerprint_parts(self) -> tuple[object, ...]:
        return ("quote", self.article.content_hash, self.start, self.end)
