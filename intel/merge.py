"""Merging two records of the same company into one."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from intel.models import Company, CompanyAlias, EventParticipant, Mention, Product, Relationship, Role

# Fields copied from the dropped company when the kept one has them blank.
_FILLABLE = ("website", "description", "ticker", "wikidata_id", "headquarters_id", "parent_id")


@dataclass(frozen=True)
class MergeResult:
    kept: Company
    dropped_name: str
    moved_aliases: int
    moved_mentions: int
    moved_participations: int
    moved_relationships: int


def merge_companies(*, keep: Company, drop: Company, by: AbstractBaseUser | None = None) -> MergeResult:
    """Fold ``drop`` into ``keep`` and delete ``drop``.

    Aliases, mentions, event participations, relationships, roles, products,
    subsidiaries and tags move to ``keep``; ``drop``'s name becomes an alias of
    ``keep``; blank fields of ``keep`` take ``drop``'s values. Both records' history
    says who merged what. All or nothing: one transaction.
    """
    if keep.pk == drop.pk:
        raise ValidationError("A company cannot be merged into itself.")
    with transaction.atomic():
        # Lock both rows so a concurrent edit or merge of either waits for this one.
        locked = {c.pk: c for c in Company.objects.select_for_update().filter(pk__in=[keep.pk, drop.pk])}
        if len(locked) != 2:
            raise ValidationError("One of the companies to merge no longer exists.")
        keep, drop = locked[keep.pk], locked[drop.pk]
        dropped_name = drop.name

        known = {text.casefold() for text in keep.aliases.values_list("text", flat=True)} | {keep.name.casefold()}
        moved_aliases = 0
        for alias in list(drop.aliases.all()):
            if alias.text.casefold() in known:
                alias.delete()
                continue
            known.add(alias.text.casefold())
            alias.company = keep
            alias.save(update_fields=["company"])
            moved_aliases += 1
        if drop.name.casefold() not in known:
            CompanyAlias.objects.create(company=keep, text=drop.name)
            moved_aliases += 1

        # A span already linked to ``keep`` would clash with the moved one: drop the twin.
        keep_spans = set(Mention.objects.filter(company=keep).values_list("article_id", "start", "end"))
        twins = [
            m.pk
            for m in Mention.objects.filter(company=drop).only("article_id", "start", "end")
            if (m.article_id, m.start, m.end) in keep_spans
        ]
        Mention.objects.filter(pk__in=twins).delete()
        moved_mentions = Mention.objects.filter(company=drop).update(company=keep)

        keep_roles = set(EventParticipant.objects.filter(company=keep).values_list("event_id", "role"))
        EventParticipant.objects.filter(
            pk__in=[p.pk for p in EventParticipant.objects.filter(company=drop) if (p.event_id, p.role) in keep_roles]
        ).delete()
        moved_participations = EventParticipant.objects.filter(company=drop).update(company=keep)

        moved_relationships = _move_relationships(keep=keep, drop=drop)
        Role.objects.filter(company=drop).update(company=keep)
        Product.objects.filter(maker=drop).update(maker=keep)
        Company.objects.filter(parent=drop).exclude(pk=keep.pk).update(parent=keep)
        keep.tags.add(*drop.tags.all())

        wikidata_id = drop.wikidata_id
        if wikidata_id:  # free the unique value before ``keep`` takes it
            Company.objects.filter(pk=drop.pk).update(wikidata_id="")
        for attname in _FILLABLE:
            value = wikidata_id if attname == "wikidata_id" else getattr(drop, attname)
            if not getattr(keep, attname) and value and value != keep.pk:
                setattr(keep, attname, value)
        if keep.parent_id == drop.pk:
            keep.parent_id = drop.parent_id if drop.parent_id != keep.pk else None
        keep.watched = keep.watched or drop.watched

        keep._change_reason = f"Merged company “{dropped_name}” (#{drop.pk}) into this one"  # type: ignore[attr-defined]
        keep._history_user = by  # type: ignore[attr-defined]
        keep.save()
        drop._change_reason = f"Merged into “{keep.name}” (#{keep.pk})"  # type: ignore[attr-defined]
        drop._history_user = by  # type: ignore[attr-defined]
        drop.delete()

    return MergeResult(
        kept=keep,
        dropped_name=dropped_name,
        moved_aliases=moved_aliases,
        moved_mentions=moved_mentions,
        moved_participations=moved_participations,
        moved_relationships=moved_relationships,
    )


def _move_relationships(*, keep: Company, drop: Company) -> int:
    moved = 0
    for rel in Relationship.objects.filter(subject=drop) | Relationship.objects.filter(object=drop):
        subject_id = keep.pk if rel.subject_id == drop.pk else rel.subject_id
        object_id = keep.pk if rel.object_id == drop.pk else rel.object_id
        if subject_id == object_id:  # "Xiaomi competes with Xiaomi" after the merge
            rel.delete()
            continue
        twin = None
        if rel.valid_to is None:
            twin = (
                Relationship.objects.filter(
                    subject_id=subject_id, object_id=object_id, kind=rel.kind, valid_to__isnull=True
                )
                .exclude(pk=rel.pk)
                .first()
            )
        if twin is not None:
            rel.evidence.update(relationship=twin)
            rel.delete()
            continue
        rel.subject_id, rel.object_id = subject_id, object_id
        rel.save(update_fields=["subject", "object"])
        moved += 1
    return moved
