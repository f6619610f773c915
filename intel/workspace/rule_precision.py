"""Whether a rule earns its keep: of the records it made, how many people kept.

Every record a rule makes names the rule in its ``method_detail``: ``rule:<name>``
for an analyst's rule (an ``ArticleTag`` for a ``TagRule``, an ``Event`` for an
``EventRule``; see ``intel/ingest/tags.py`` and ``intel/ingest/events.py``) and
``builtin:<name>`` for a built-in event trigger (``intel/ingest/event_rules.py``).

A rule's *precision* is confirmed / (confirmed + rejected): the share of its reviewed
records a person kept. Records still waiting for review count neither way, so a new
rule has no precision yet rather than a perfect or a dreadful one.

Two things the stored label implies: renaming a rule starts its figures afresh (its
records keep the name they were made under), and when two tag rules of one tag fire
on the same article, the one tag counts for the first rule only (one row, one label).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import (
    CharField,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

from intel.choices import ReviewStatus
from intel.ingest.event_rules import BUILTIN_TRIGGERS
from intel.models import ArticleTag, Event, EventRule, Reviewable, TagRule

RULE_PREFIX = "rule:"
BUILTIN_PREFIX = "builtin:"
# ``Reviewable.method_detail``'s length: ingestion cuts labels to it, and so does this module.
LABEL_LENGTH = 200

Rule = TagRule | EventRule
RuleT = TypeVar("RuleT", TagRule, EventRule)


def rule_label(rule: Rule) -> str:
    """The ``method_detail`` the records of an analyst's rule carry."""
    return f"{RULE_PREFIX}{rule.name}"[:LABEL_LENGTH]


def builtin_label(name: str) -> str:
    """The ``method_detail`` the events of a built-in trigger carry."""
    return f"{BUILTIN_PREFIX}{name}"[:LABEL_LENGTH]


def builtin_labels() -> list[str]:
    """Every built-in trigger's label, in the triggers' order."""
    return [builtin_label(trigger.name) for trigger in BUILTIN_TRIGGERS]


def made_by(rule: Rule | type[Rule]) -> type[Reviewable]:
    """The kind of record the rule makes: article tags for a tag rule, events for an event rule."""
    kind = rule if isinstance(rule, type) else type(rule)
    return ArticleTag if issubclass(kind, TagRule) else Event


@dataclass(frozen=True)
class RuleFigures:
    """What a rule made and what people thought of it."""

    made: int = 0
    proposed: int = 0
    confirmed: int = 0
    rejected: int = 0

    @property
    def reviewed(self) -> int:
        return self.confirmed + self.rejected

    @property
    def precision(self) -> float | None:
        """Confirmed among reviewed, from 0 to 1; None while nothing was reviewed."""
        return self.confirmed / self.reviewed if self.reviewed else None

    def precision_text(self) -> str:
        """ "75% (3 of 4 reviewed)", or "not reviewed yet"."""
        return precision_text(self.confirmed, self.rejected)


def precision_text(confirmed: int, rejected: int) -> str:
    reviewed = confirmed + rejected
    if not reviewed:
        return "not reviewed yet"
    return f"{round(100 * confirmed / reviewed)}% ({confirmed} of {reviewed} reviewed)"


def _status_counts() -> dict[str, Count]:
    """Conditional counts, one per review status, and one of every record."""
    return {
        "made": Count("pk"),
        "proposed": Count("pk", filter=Q(review_status=ReviewStatus.PROPOSED)),
        "confirmed": Count("pk", filter=Q(review_status=ReviewStatus.CONFIRMED)),
        "rejected": Count("pk", filter=Q(review_status=ReviewStatus.REJECTED)),
    }


def rule_figures(rule: Rule) -> RuleFigures:
    """One rule's figures, in one query."""
    return figures_by_label(made_by(rule), [rule_label(rule)]).get(rule_label(rule), RuleFigures())


def figures_by_label(model: type[Reviewable], labels: Iterable[str]) -> dict[str, RuleFigures]:
    """The figures of each label among ``model``'s records, in one grouped query
    (labels that made nothing are left out)."""
    wanted = sorted(set(labels))
    if not wanted:
        return {}
    rows = (
        model._default_manager.filter(method_detail__in=wanted)
        .order_by()
        .values("method_detail")
        .annotate(**_status_counts())
    )
    return {
        row["method_detail"]: RuleFigures(row["made"], row["proposed"], row["confirmed"], row["rejected"])
        for row in rows
    }


def with_rule_figures(queryset: QuerySet[RuleT]) -> QuerySet[RuleT]:
    """Annotate each rule with ``rule_made``, ``rule_proposed``, ``rule_confirmed``,
    ``rule_rejected``, ``rule_precision`` (None while nothing was reviewed) and
    ``rule_precision_rank`` (the same, -1 while nothing was reviewed), for the rules'
    admin lists: the figures and the rules come in the same query, and the lists
    sort by any of them.

    Counted in correlated subqueries on ``method_detail`` (not a join), so that the
    counts of one rule do not multiply one another's rows.
    """
    model = made_by(queryset.model)
    label = Concat(Value(RULE_PREFIX), OuterRef("name"), output_field=CharField())
    records = model._default_manager.filter(method_detail=label).order_by().values("method_detail")

    def count(status: str | None = None) -> Coalesce:
        of = records if status is None else records.filter(review_status=status)
        counted = of.annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    annotated = queryset.annotate(
        rule_made=count(),
        rule_proposed=count(ReviewStatus.PROPOSED),
        rule_confirmed=count(ReviewStatus.CONFIRMED),
        rule_rejected=count(ReviewStatus.REJECTED),
    )
    annotated = annotated.annotate(
        rule_precision=ExpressionWrapper(
            Cast(F("rule_confirmed"), FloatField()) / NullIf(F("rule_confirmed") + F("rule_rejected"), 0),
            output_field=FloatField(),
        )
    )
    # What the lists sort by: a rule nobody reviewed yet below every reviewed one (a
    # NULL would sort first on PostgreSQL and last on SQLite when descending).
    return annotated.annotate(rule_precision_rank=Coalesce(F("rule_precision"), Value(-1.0)))


def figures_of(rule: Rule) -> RuleFigures:
    """The rule's figures: from ``with_rule_figures``'s annotations when the rule was
    read with them (no query), else counted (one query)."""
    if hasattr(rule, "rule_made"):
        return RuleFigures(rule.rule_made, rule.rule_proposed, rule.rule_confirmed, rule.rule_rejected)  # type: ignore[union-attr]
    return rule_figures(rule)
