"""The kinds of record the review inbox shows, who may see and decide them, and its error.

Each reviewable model is a ``Kind``: what its *support* is (how many articles name
it, and from how many publishers: mentions for companies, people and products,
evidence for events and relationships, the articles naming both the person and
the company for a role, the one article a quote, mention or article tag comes
from) and where its sentence comes from (its first mention or evidence, or its
own span). ``KINDS`` lists them in the order the inbox offers them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.text import Truncator

from intel.choices import ReviewStatus
from intel.models import (
    ArticleTag,
    Company,
    Event,
    Evidence,
    Mention,
    Person,
    Product,
    Quote,
    Relationship,
    RelationshipEvidence,
    Reviewable,
    Role,
)
from intel.review import with_support

User = AbstractBaseUser | AnonymousUser

MENTION_TARGETS = ("company", "market", "person", "product")


class InboxError(ValueError):
    """Bad input for the inbox: an unknown kind, a record that does not exist or is of
    another kind, a missing permission. The message is for the analyst; nothing changed."""


def waiting_review() -> Q:
    return Q(review_status=ReviewStatus.PROPOSED)


def _counted(rows: QuerySet[Any], group: str) -> dict[str, Coalesce]:
    """``support_articles`` and ``support_sources`` counted over ``rows`` (correlated to
    the outer record), as ``intel.review.with_support`` counts mentions."""
    grouped = rows.order_by().values(group)

    def count(of: str) -> Coalesce:
        counted = grouped.annotate(n=Count(of, distinct=True)).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return {"support_articles": count("article"), "support_sources": count("article__source")}


def live_mentions() -> QuerySet[Mention]:
    return Mention.objects.exclude(review_status=ReviewStatus.REJECTED)


def _role_mentions() -> QuerySet[Mention]:
    """Mentions of the outer role's person in articles that also name its company."""
    company_named = live_mentions().filter(
        article_id=OuterRef("article_id"), company_id=OuterRef(OuterRef("company_id"))
    )
    return live_mentions().filter(person_id=OuterRef("person_id")).filter(Exists(company_named))


def _first(rows: QuerySet[Any]) -> Subquery:
    """The lowest primary key among ``rows``: the first mention or evidence stored."""
    return Subquery(rows.order_by("pk").values("pk")[:1], output_field=IntegerField())


def _one_article(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """Support of a record made from one article: that article, and its publisher if known."""
    return queryset.annotate(
        support_articles=Value(1, output_field=IntegerField()),
        support_sources=Case(
            When(article__source__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    )


def _named(field_name: str) -> Callable[[QuerySet[Any]], QuerySet[Any]]:
    def first_mention(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(first_span=_first(live_mentions().filter(**{field_name: OuterRef("pk")})))

    return first_mention


def _evidenced(
    model: type[Evidence] | type[RelationshipEvidence], owner: str
) -> tuple[Callable[[QuerySet[Any]], QuerySet[Any]], Callable[[QuerySet[Any]], QuerySet[Any]]]:
    """Support and first sentence of a record with evidence rows (events, relationships)."""

    def support(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(**_counted(model.objects.filter(**{owner: OuterRef("pk")}), owner))

    def first_evidence(queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.annotate(first_span=_first(model.objects.filter(**{owner: OuterRef("pk")})))

    return support, first_evidence


def _role_support(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(**_counted(_role_mentions(), "person"))


def _role_first_mention(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(first_span=_first(_role_mentions()))


def _itself(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.annotate(first_span=F("pk"))


def _described_event(event: Event) -> str:
    return f"{event.get_type_display()}, {event.get_status_display().lower()}"


def _mention_target(mention: Mention) -> str:
    target = mention.target
    name = getattr(target, "name", str(target)) if target is not None else "?"
    return f"“{mention.text}” → {name} ({mention.target_kind})"


def _nothing(record: Any) -> str:
    return ""


@dataclass(frozen=True)
class Kind:
    """A reviewable model as the inbox shows it.

    ``support`` annotates ``support_articles`` and ``support_sources``; ``provenance``
    annotates ``first_span`` (the mention or evidence the sentence comes from) where
    the sentence is not the record's own span; ``related`` is what the description and
    the fingerprints of a decision read, selected in the same query.
    """

    key: str
    model: type[Reviewable]
    support: Callable[[QuerySet[Any]], QuerySet[Any]]
    source: str  # where the sentence comes from: "mention", "evidence", "relationship", "quote" or "tag"
    provenance: Callable[[QuerySet[Any]], QuerySet[Any]] | None = None
    related: tuple[str, ...] = ()
    describe: Callable[[Any], str] = str
    detail: Callable[[Any], str] = _nothing

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def plural(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    def perm(self, action: str) -> str:
        """``intel.change_company`` and the like."""
        return f"{self.model._meta.app_label}.{action}_{self.model._meta.model_name}"

    def records(self) -> QuerySet[Any]:
        """The kind's records with what their description reads (bodies of articles left out)."""
        queryset: QuerySet[Any] = self.model._default_manager.select_related(*self.related)
        if "article" in self.related:
            queryset = queryset.defer("article__body", "article__minhash")
        return queryset


# In this order the kinds are offered, and ties in the queue broken.
_EVENT_SUPPORT, _EVENT_FIRST = _evidenced(Evidence, "event")
_RELATIONSHIP_SUPPORT, _RELATIONSHIP_FIRST = _evidenced(RelationshipEvidence, "relationship")
KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind("company", Company, with_support, "mention", _named("company")),
        Kind("person", Person, with_support, "mention", _named("person")),
        Kind("product", Product, with_support, "mention", _named("product"), related=("maker",),
             describe=lambda p: p.name, detail=lambda p: f"made by {p.maker.name}" if p.maker_id else ""),
        Kind("event", Event, _EVENT_SUPPORT, "evidence", _EVENT_FIRST,
             describe=lambda e: e.summary, detail=_described_event),
        Kind("relationship", Relationship, _RELATIONSHIP_SUPPORT, "relationship", _RELATIONSHIP_FIRST,
             related=("subject", "object")),
        Kind("role", Role, _role_support, "mention", _role_first_mention, related=("person", "company")),
        Kind("quote", Quote, _one_article, "quote", related=("speaker", "article")),
        Kind("articletag", ArticleTag, _one_article, "tag", related=("tag", "article"),
             describe=lambda t: f"{t.tag} on “{Truncator(str(t.article)).chars(80)}”", detail=lambda t: t.reason),
        Kind("mention", Mention, _one_article, "mention", _itself, related=("article", *MENTION_TARGETS),
             describe=_mention_target),
    )
}  # fmt: skip


def visible_kinds(user: User) -> list[str]:
    """The kinds ``user`` may see in the inbox: those whose view permission they hold."""
    return [key for key, kind in KINDS.items() if user.has_perm(kind.perm("view"))]


def changeable_kinds(user: User) -> set[str]:
    """The kinds ``user`` may confirm and reject: those whose change permission they hold."""
    return {key for key, kind in KINDS.items() if user.has_perm(kind.perm("change"))}


def can_merge(user: User) -> bool:
    """Merging deletes a company: like the admin's merge action, it takes the delete permission."""
    return bool(user.is_staff and user.has_perm("intel.delete_company"))


def kind_of(model: type[Model]) -> str | None:
    """The inbox's key for a model (``"company"``), or None if the inbox does not show it."""
    return next((key for key, kind in KINDS.items() if kind.model is model), None)
