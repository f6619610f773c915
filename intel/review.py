"""Confirming and rejecting what the system proposed, and remembering rejections.

Every automatically made record (``Reviewable``) starts *proposed*. A person
confirms or rejects it; a rejection is also written to ``RejectedProposal`` under
the record's fingerprint, and ingestion asks ``rejected_fingerprints`` before it
proposes anything, so a rejected proposal never comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import TypeVar

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser
from django.db import connections, transaction
from django.db.models import QuerySet
from django.utils import timezone

from intel.choices import ReviewStatus
from intel.models import (
    ArticleTag,
    Company,
    Event,
    Mention,
    Person,
    Product,
    Quote,
    RejectedProposal,
    Relationship,
    Reviewable,
    Role,
)

R = TypeVar("R", bound=Reviewable)

# Every kind of record a person reviews, by the name the review API and /metrics give it.
REVIEWABLE_MODELS: dict[str, type[Reviewable]] = {
    "company": Company,
    "person": Person,
    "role": Role,
    "product": Product,
    "mention": Mention,
    "event": Event,
    "quote": Quote,
    "article_tag": ArticleTag,
    "relationship": Relationship,
}


def confirm_records(records: Iterable[R] | QuerySet[R], *, by: AbstractBaseUser | None) -> int:
    """Mark records confirmed by ``by``; a confirmed record is no longer remembered as rejected."""
    items = list(records)
    if not items:
        return 0
    model = type(items[0])
    with transaction.atomic():
        RejectedProposal.objects.filter(
            model_label=model._meta.label_lower, fingerprint__in=[item.proposal_fingerprint() for item in items]
        ).delete()
        return model._default_manager.filter(pk__in=[item.pk for item in items]).update(
            review_status=ReviewStatus.CONFIRMED, reviewed_by=by, reviewed_at=timezone.now()
        )


def reject_records(records: Iterable[R] | QuerySet[R], *, by: AbstractBaseUser | None) -> int:
    """Mark records rejected by ``by`` and remember their fingerprints."""
    items = list(records)
    if not items:
        return 0
    model = type(items[0])
    label = model._meta.label_lower
    with transaction.atomic():
        RejectedProposal.objects.bulk_create(
            [
                RejectedProposal(
                    model_label=label,
                    fingerprint=item.proposal_fingerprint(),
                    description=str(item)[:500],
                    rejected_by=by,
                )
                for item in items
            ],
            ignore_conflicts=True,
        )
        return model._default_manager.filter(pk__in=[item.pk for item in items]).update(
            review_status=ReviewStatus.REJECTED, reviewed_by=by, reviewed_at=timezone.now()
        )


def rejected_fingerprints(model: type[Reviewable], fingerprints: Sequence[str]) -> set[str]:
    """Which of these fingerprints a person rejected before (one query)."""
    if not fingerprints:
        return set()
    if len(fingerprints) > 50 and not RejectedProposal.objects.filter(model_label=model._meta.label_lower).exists():
        # Nothing of this kind was ever rejected: skip sending thousands of hashes.
        return set()
    return set(
        RejectedProposal.objects.filter(
            model_label=model._meta.label_lower, fingerprint__in=list(fingerprints)
        ).values_list("fingerprint", flat=True)
    )


def models_with_rejections() -> frozenset[str]:
    """The labels (``intel.company``…) of the reviewable models of which a person ever
    rejected a proposal, in one query whatever their number.

    Ingestion asks once per batch: for a model with no rejection, its proposals'
    fingerprints are never computed nor sent.
    """
    labels, statement = _rejection_probe()
    with connections[RejectedProposal.objects.db].cursor() as cursor:
        cursor.execute(statement, labels)
        row = cursor.fetchone()
    return frozenset(label for label, rejected in zip(labels, row, strict=True) if rejected)


@cache
def _rejection_probe() -> tuple[list[str], str]:
    """The reviewable models' labels and a statement with one ``EXISTS`` each (an
    index probe of the unique (model_label, fingerprint) constraint)."""
    labels = sorted(model._meta.label_lower for model in apps.get_models() if issubclass(model, Reviewable))
    quote = connections[RejectedProposal.objects.db].ops.quote_name
    table, column = RejectedProposal._meta.db_table, RejectedProposal._meta.get_field("model_label").column
    probe = f"EXISTS(SELECT 1 FROM {quote(table)} WHERE {quote(column)} = %s)"  # noqa: S608 - a model's table and column
    return labels, "SELECT " + ", ".join([probe] * len(labels))


def with_support(queryset: QuerySet[R]) -> QuerySet[R]:
    """Annotate each named record (company, person, product) with its support: how many
    articles mention it (``support_articles``) and from how many publishers
    (``support_sources``), rejected mentions left out. The review queue ranks
    proposals by it: a name found in many outlets is likelier a real one.

    Counted in subqueries, so that the annotation does not multiply the rows of
    other joins in the queryset.
    """
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from intel.models import Mention

    field = queryset.model._meta.model_name
    mentions = (
        Mention.objects.filter(**{field: OuterRef("pk")})
        .exclude(review_status=ReviewStatus.REJECTED)
        .order_by()
        .values(field)
    )

    def count(of: str) -> Coalesce:
        counted = mentions.annotate(n=Count(of, distinct=True)).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return queryset.annotate(support_articles=count("article"), support_sources=count("article__source"))
