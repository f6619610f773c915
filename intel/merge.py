"""Merging two records of the same company into one, and taking a merge back.

``merge_companies`` folds one company into another: everything that pointed at the
dropped company moves to the kept one, and the labels the system wrote with the
dropped name (event summaries: "Mi: product launch (announced)") are rewritten with
the kept name. What it did is recorded in a ``CompanyMerge``.

``undo_merge`` reads that record back: the dropped company returns with its primary
key, the rows that moved go back, the rows the merge deleted as twins return, and
the summaries and the kept company's filled-in fields are what they were. It
refuses, and says why (``undo_problems``), when the database has moved on in a way
the undo would overwrite.

Both are one transaction and leave history rows naming the person and the merge.

Not rewritten, on purpose: words quoted from articles (mention and evidence text),
which stay as printed, and alerts, which log what was already sent to people by
e-mail or webhook; an alert's link to its event shows the current summary.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.base import DeserializedObject
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from intel.models import (
    Company,
    CompanyAlias,
    CompanyMerge,
    Event,
    EventParticipant,
    Market,
    Mention,
    Product,
    Relationship,
    RelationshipEvidence,
    Role,
    Source,
    Tag,
    Watchlist,
)
from intel.models.base import bulk_changed, record_bulk_history
from intel.models.slugs import unique_slug
from intel.text import whole_word_pattern

# Fields copied from the dropped company when the kept one has them blank.
_FILLABLE = ("website", "description", "ticker", "wikidata_id", "headquarters_id", "parent_id")
# Primary keys bound per statement: far below SQLite's limit on bound parameters.
_CHUNK = 500
# simple_history's ``history_change_reason`` column is this long.
_REASON_LENGTH = 100

# Rows that move from the dropped company to the kept one, by kind: the model, the
# foreign key repointed, and how messages name them.
_MOVES: dict[str, tuple[type[models.Model], str, str]] = {
    "aliases": (CompanyAlias, "company", "aliases"),
    "mentions": (Mention, "company", "mentions"),
    "participations": (EventParticipant, "company", "event roles"),
    "relationships_as_subject": (Relationship, "subject", "relationships"),
    "relationships_as_object": (Relationship, "object", "relationships"),
    "roles": (Role, "company", "roles"),
    "products": (Product, "maker", "products"),
    "subsidiaries": (Company, "parent", "subsidiaries"),
}
# Rows a merge deletes (twins of the kept company's own), by kind, in the order an
# undo restores them: a relationship before its evidence.
_DELETED: tuple[tuple[str, type[models.Model]], ...] = (
    ("aliases", CompanyAlias),
    ("mentions", Mention),
    ("participations", EventParticipant),
    ("relationships", Relationship),
    ("relationship_evidence", RelationshipEvidence),
)


@dataclass(frozen=True)
class MergeResult:
    kept: Company
    dropped_name: str
    moved_aliases: int
    moved_mentions: int
    moved_participations: int
    moved_relationships: int
    rewritten_summaries: int
    record: CompanyMerge


@dataclass(frozen=True)
class UndoResult:
    restored: Company
    kept: Company
    moved_back: int
    restored_rows: int
    summaries_restored: int
    # Events whose summary a person edited after the merge: left as written.
    summaries_edited: list[int] = field(default_factory=list)
    # Moved rows deleted since the merge (an article deleted, a mention rejected): they stay deleted.
    gone: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"Restored “{self.restored.name}” (#{self.restored.pk}) from “{self.kept.name}”: "
            f"{self.moved_back} row(s) moved back, {self.restored_rows} deleted row(s) restored, "
            f"{self.summaries_restored} event summary(ies) restored."
        )
        if self.summaries_edited:
            text += f" {len(self.summaries_edited)} summary(ies) edited since the merge were left as they are."
        if self.gone:
            text += f" {self.gone} moved row(s) deleted since the merge stay deleted."
        return " ".join([text, *self.notes])


# --- Merge ---------------------------------------------------------------------------


def merge_companies(*, keep: Company, drop: Company, by: AbstractBaseUser | None = None) -> MergeResult:
    """Fold ``drop`` into ``keep`` and delete ``drop``; return what moved and the record that undoes it.

    Aliases, mentions, event participations, relationships, roles, products,
    subsidiaries, tags and watchlist places move to ``keep``; ``drop``'s name becomes
    an alias of ``keep``; blank fields of ``keep`` take ``drop``'s values; event
    summaries naming ``drop`` name ``keep``. Rows ``keep`` already has a twin of (the
    same span, the same event role, the same open relationship) are deleted. Both
    records' history says who merged what. All or nothing: one transaction.
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
        reason = _reason(f"Merged “{dropped_name}” (#{drop.pk}) into “{keep.name}” (#{keep.pk})")
        record = CompanyMerge(
            kept=keep,
            dropped_pk=drop.pk,
            dropped_name=dropped_name,
            dropped=_snapshot(drop),
            merged_by=_user(by),
        )
        moved: dict[str, list[Any]] = {}
        deleted: dict[str, list[dict[str, Any]]] = {}
        added: dict[str, Any] = {}

        def move(model: type[models.Model], pks: Sequence[int], fk: str) -> list[int]:
            return _move(model, pks, field=fk, to=keep.pk, reason=reason, by=by)

        def delete(model: type[models.Model], pks: Sequence[int]) -> list[dict[str, Any]]:
            return _delete(model, pks, reason=reason, by=by)

        # Before the event roles move: the rewrite tells the dropped name from the
        # other participants' names by who took part.
        record.summaries = _rename_in_summaries(keep=keep, drop=drop, reason=reason, by=by)

        known = {text.casefold() for text in keep.aliases.values_list("text", flat=True)} | {keep.name.casefold()}
        moving, twins = [], []
        for alias_pk, text in drop.aliases.values_list("pk", "text"):
            (twins if text.casefold() in known else moving).append(alias_pk)
            known.add(text.casefold())
        deleted["aliases"] = delete(CompanyAlias, twins)
        moved["aliases"] = move(CompanyAlias, moving, "company")
        if drop.name.casefold() not in known:
            alias = CompanyAlias(company=keep, text=drop.name)
            _attribute(alias, by, reason)
            alias.save()
            added["alias"] = alias.pk

        # A span already linked to ``keep`` would clash with the moved one: drop the twin.
        keep_spans = set(Mention.objects.filter(company=keep).values_list("article_id", "start", "end"))
        mentions = Mention.objects.filter(company=drop).values_list("pk", "article_id", "start", "end")
        twins = [pk for pk, *span in mentions if tuple(span) in keep_spans]
        deleted["mentions"] = delete(Mention, twins)
        moved["mentions"] = move(Mention, _pks(Mention.objects.filter(company=drop)), "company")

        # Likewise an event role ``keep`` already has in the same event.
        keep_roles = set(EventParticipant.objects.filter(company=keep).values_list("event_id", "role"))
        roles = EventParticipant.objects.filter(company=drop).values_list("pk", "event_id", "role")
        deleted["participations"] = delete(EventParticipant, [pk for pk, *role in roles if tuple(role) in keep_roles])
        moved["participations"] = move(EventParticipant, _pks(EventParticipant.objects.filter(company=drop)), "company")

        _fold_relationships(keep=keep, drop=drop, moved=moved, deleted=deleted, reason=reason, by=by)
        moved["roles"] = move(Role, _pks(Role.objects.filter(company=drop)), "company")
        moved["products"] = move(Product, _pks(Product.objects.filter(maker=drop)), "maker")
        moved["subsidiaries"] = move(Company, _pks(Company.objects.filter(parent=drop).exclude(pk=keep.pk)), "parent")

        keep_tags = set(keep.tags.values_list("pk", flat=True))
        added["tags"] = [pk for pk in drop.tags.values_list("pk", flat=True) if pk not in keep_tags]
        keep.tags.add(*added["tags"])
        # People who watched the dropped company now watch the one it is part of.
        keep_lists = set(keep.watchlists.values_list("pk", flat=True))
        added["watchlists"] = [pk for pk in drop.watchlists.values_list("pk", flat=True) if pk not in keep_lists]
        keep.watchlists.add(*added["watchlists"])

        before = {name: getattr(keep, name) for name in (*_FILLABLE, "watched")}
        wikidata_id = drop.wikidata_id
        if wikidata_id:  # free the unique value before ``keep`` takes it
            Company._base_manager.filter(pk=drop.pk).update(wikidata_id="")
        for attname in _FILLABLE:
            value = wikidata_id if attname == "wikidata_id" else getattr(drop, attname)
            if not getattr(keep, attname) and value and value != keep.pk:
                setattr(keep, attname, value)
        if keep.parent_id == drop.pk:
            keep.parent_id = drop.parent_id if drop.parent_id != keep.pk else None
        keep.watched = keep.watched or drop.watched
        record.kept_before = {
            name: [value, getattr(keep, name)] for name, value in before.items() if getattr(keep, name) != value
        }

        _attribute(keep, by, _reason(f"Merged company “{dropped_name}” (#{drop.pk}) into this one"))
        keep.save()
        record.moved, record.deleted, record.added = moved, deleted, added
        record.save()
        _attribute(drop, by, _reason(f"Merged into “{keep.name}” (#{keep.pk})"))
        drop.delete()

    return MergeResult(
        kept=keep,
        dropped_name=dropped_name,
        moved_aliases=len(moved["aliases"]) + (1 if "alias" in added else 0),
        moved_mentions=len(moved["mentions"]),
        moved_participations=len(moved["participations"]),
        moved_relationships=len(moved["relationships_as_subject"]) + len(moved["relationships_as_object"]),
        rewritten_summaries=len(record.summaries),
        record=record,
    )


def rename_in_label(text: str, *, old: str, new: str, others: Iterable[str] = ()) -> str:
    """``text`` with every whole-word ``old`` written ``new``, except inside one of ``others``.

    Labels name companies exactly as stored, so the match is exact (case included);
    "whole word" means no letter or digit touches it, so "AT&T" and "Yahoo!" are found
    too. ``others`` are the other names the label may hold (the kept company's, other
    participants', markets'): the longest name wins where two overlap, so renaming
    "Xiaomi" to "Xiaomi Corp" in "Xiaomi Corp: partnership (with Xiaomi)" leaves the
    first name alone instead of writing "Xiaomi Corp Corp".
    """
    if not old or old == new:
        return text
    names = sorted({old, *(name for name in others if name and name != old)}, key=len, reverse=True)
    pattern = whole_word_pattern(names, case_sensitive=True)
    return pattern.sub(lambda m: new if m.group(0) == old else m.group(0), text)


def _rename_in_summaries(
    *, keep: Company, drop: Company, reason: str, by: AbstractBaseUser | None
) -> dict[str, list[str]]:
    """Write the kept company's name for the dropped one's in the summaries of the events it took part in.

    Ingestion writes a summary with the names of the companies as it found them
    ("Mi: product launch (announced)", ``intel.ingest.events._summarise``); after the
    merge "Mi" is the kept company, and the label should say so. Returns event id →
    [before, after], for the undo.
    """
    max_length = Event._meta.get_field("summary").max_length or 500
    events = (
        Event.objects.filter(pk__in=EventParticipant.objects.filter(company=drop).values("event_id"))
        .prefetch_related(
            Prefetch("participants", queryset=EventParticipant.objects.select_related("company")),
            Prefetch("markets", queryset=Market.objects.only("name")),
            Prefetch("regulators", queryset=Source.objects.only("name")),
        )
        .order_by("pk")
    )
    changed: dict[str, list[str]] = {}
    for event in events:
        others = [
            keep.name,
            *(p.company.name for p in event.participants.all() if p.company_id != drop.pk),
            *(market.name for market in event.markets.all()),
            *(regulator.name for regulator in event.regulators.all()),
        ]
        summary = rename_in_label(event.summary, old=drop.name, new=keep.name, others=others)[:max_length]
        if summary == event.summary:
            continue
        changed[str(event.pk)] = [event.summary, summary]
        event.summary = summary
        _attribute(event, by, reason)
        event.save(update_fields=["summary", "updated_at"])
    return changed


def _fold_relationships(
    *,
    keep: Company,
    drop: Company,
    moved: dict[str, list[Any]],
    deleted: dict[str, list[dict[str, Any]]],
    reason: str,
    by: AbstractBaseUser | None,
) -> None:
    """Repoint the dropped company's relationships at the kept one.

    One between the two companies is deleted ("Xiaomi competes with Xiaomi"); one the
    kept company already has open (the same other side and kind) is deleted after its
    evidence moves to that twin, since an open relationship exists once per pair.
    """
    as_subject: list[int] = []
    as_object: list[int] = []
    gone: list[int] = []
    evidence: list[list[int]] = []  # [evidence, its relationship, the twin it moved to]
    for rel in Relationship.objects.filter(Q(subject=drop) | Q(object=drop)).order_by("pk"):
        subject_id = keep.pk if rel.subject_id == drop.pk else rel.subject_id
        object_id = keep.pk if rel.object_id == drop.pk else rel.object_id
        if subject_id == object_id:
            gone.append(rel.pk)
            continue
        twin = None
        if rel.valid_to is None:
            twin = (
                Relationship.objects.filter(
                    subject_id=subject_id, object_id=object_id, kind=rel.kind, valid_to__isnull=True
                )
                .exclude(pk=rel.pk)
                .values_list("pk", flat=True)
                .first()
            )
        if twin is not None:
            supporting = _pks(rel.evidence.all())
            _move(RelationshipEvidence, supporting, field="relationship", to=twin, reason=reason, by=by)
            evidence.extend([pk, rel.pk, twin] for pk in supporting)
            gone.append(rel.pk)
            continue
        (as_subject if rel.subject_id == drop.pk else as_object).append(rel.pk)
    # The evidence of a relationship between the two would go with it: kept whole for the undo.
    deleted["relationship_evidence"] = _delete(
        RelationshipEvidence, _pks(RelationshipEvidence.objects.filter(relationship_id__in=gone)), reason=reason, by=by
    )
    deleted["relationships"] = _delete(Relationship, gone, reason=reason, by=by)
    moved["relationships_as_subject"] = _move(
        Relationship, as_subject, field="subject", to=keep.pk, reason=reason, by=by
    )
    moved["relationships_as_object"] = _move(Relationship, as_object, field="object", to=keep.pk, reason=reason, by=by)
    moved["relationship_evidence"] = evidence


# --- Undo ----------------------------------------------------------------------------


def undo_problems(record: CompanyMerge) -> list[str]:
    """Why the merge cannot be undone now, in words; empty when it can.

    An undo puts rows back where the merge found them, so it must not run over what
    people did since: it is refused when the merge was undone already; when the kept
    company is gone (deleted, or merged into another: undo that merge first) or took
    part in a later merge (undo merges newest first, or one undo would unpick the
    other's rows); when a row the merge moved now belongs to another company (a person
    corrected it); or when something took the dropped company's id or Wikidata id.
    Rows deleted since are no reason: they stay deleted. The admin shows these before
    asking; ``undo_merge`` checks again under lock.
    """
    if record.undone_at is not None:
        who = f" by {record.undone_by}" if record.undone_by_id else ""
        return [f"This merge was already undone on {record.undone_at:%Y-%m-%d %H:%M}{who}."]
    keep = Company.objects.filter(pk=record.kept_id).first()
    if keep is None:
        kept = _former_name(record.kept_id)
        later = CompanyMerge.objects.filter(dropped_pk=record.kept_id, undone_at__isnull=True).first()
        if later is not None:
            into = Company.objects.filter(pk=later.kept_id).values_list("name", flat=True).first()
            return [
                f"“{kept}” (#{record.kept_id}), which “{record.dropped_name}” was merged into, was itself merged "
                f"into “{into or '?'}” (#{later.kept_id}) since: undo that merge first."
            ]
        return [f"“{kept}” (#{record.kept_id}), which “{record.dropped_name}” was merged into, was deleted since."]
    later = (
        CompanyMerge.objects.filter(
            Q(kept_id=keep.pk) | Q(dropped_pk=keep.pk), pk__gt=record.pk, undone_at__isnull=True
        )
        .order_by("-pk")
        .first()
    )
    if later is not None:
        return [
            f"“{keep.name}” took part in a later merge (“{later.dropped_name}”, {later.merged_at:%Y-%m-%d %H:%M}): "
            "undo that merge first."
        ]
    problems = []
    if Company._base_manager.filter(pk=record.dropped_pk).exists():
        problems.append(f"A company with the dropped company's id (#{record.dropped_pk}) exists again.")
    wikidata_id = record.dropped.get("fields", {}).get("wikidata_id") or ""
    if wikidata_id:
        holder = Company.objects.filter(wikidata_id=wikidata_id).exclude(pk=record.dropped_pk).first()
        if holder is not None and not (holder.pk == keep.pk and _reverts(record, keep, "wikidata_id")):
            problems.append(
                f"“{holder.name}” (#{holder.pk}) now has the Wikidata id {wikidata_id} that "
                f"“{record.dropped_name}” had: remove it there first."
            )
    for kind, pks in record.moved.items():
        if kind not in _MOVES or not pks:
            continue
        model, fk, label = _MOVES[kind]
        elsewhere = [pk for pk, owner in _owners(model, pks, fk).items() if owner != keep.pk]
        if elsewhere:
            problems.append(
                f"{len(elsewhere)} of the {len(pks)} {label} the merge moved to “{keep.name}” were moved to another "
                f"company since (#{', #'.join(map(str, elsewhere[:5]))}{' …' if len(elsewhere) > 5 else ''})."
            )
    evidence = record.moved.get("relationship_evidence", [])
    if evidence:
        owners = _owners(RelationshipEvidence, [pk for pk, _, _ in evidence], "relationship")
        elsewhere = [pk for pk, _, twin in evidence if pk in owners and owners[pk] != twin]
        if elsewhere:
            problems.append(f"{len(elsewhere)} relationship evidence row(s) the merge moved support another one since.")
    for kind, model in _DELETED:
        pks = [row["pk"] for row in record.deleted.get(kind, [])]
        if pks and _owners(model, pks, "pk"):
            problems.append(f"Rows the merge deleted ({kind.replace('_', ' ')}) exist again with the same ids.")
    return problems


def undo_merge(*, merge: CompanyMerge, by: AbstractBaseUser | None = None) -> UndoResult:
    """Take a merge back: restore the dropped company with its primary key and everything the merge changed.

    The rows that moved go back (those deleted since stay deleted), the twins the merge
    deleted return with their primary keys, the alias, tags and watchlist places the
    merge gave the kept company are taken away, the kept company's filled-in fields
    and the rewritten summaries return to what they were unless a person changed them
    since (their edit stands). Refused, with every reason, when ``undo_problems`` finds
    any. One transaction; history rows name ``by`` and the merge.
    """
    try:
        with transaction.atomic():
            record = CompanyMerge.objects.select_for_update().filter(pk=merge.pk).first()
            if record is None:
                raise ValidationError("This merge record no longer exists.")
            # Lock the kept company too: an edit, merge or undo of it waits for this one,
            # and the checks below stay true until the undo is done.
            keep = Company.objects.select_for_update().filter(pk=record.kept_id).first()
            problems = undo_problems(record)
            if problems or keep is None:
                raise ValidationError(problems or ["The company it was merged into no longer exists."])
            result = _undo(record, keep, by=by)
    except IntegrityError as error:
        raise ValidationError(
            f"The merge cannot be undone: the restored rows would clash with the data as it is now ({error})."
        ) from error
    return result


def _undo(record: CompanyMerge, keep: Company, *, by: AbstractBaseUser | None) -> UndoResult:
    """The undo itself, checks passed, in the caller's transaction."""
    drop_pk = record.dropped_pk
    reason = _reason(f"Undid merge of “{record.dropped_name}” (#{drop_pk}) into “{keep.name}” (#{keep.pk})")

    # The kept company's fields the merge filled return, unless a person changed them since.
    reverted = {name: before for name, (before, _) in record.kept_before.items() if _reverts(record, keep, name)}
    if "wikidata_id" in reverted:  # free the unique value before the dropped company takes it back
        Company._base_manager.filter(pk=keep.pk).update(wikidata_id=reverted["wikidata_id"])
    restored_reason = _reason(f"Restored by undoing its merge into “{keep.name}” (#{keep.pk})")
    restored, notes = _restore_company(record, reason=restored_reason, by=by)

    moved_back = gone = 0
    for kind, pks in record.moved.items():
        if kind not in _MOVES:
            continue
        model, fk, _ = _MOVES[kind]
        here = [pk for pk, owner in _owners(model, pks, fk).items() if owner == keep.pk]
        gone += len(pks) - len(here)
        moved_back += len(_move(model, here, field=fk, to=drop_pk, reason=reason, by=by))

    restored_rows = 0
    for kind, model in _DELETED:
        restored_rows += _restore_rows(model, record.deleted.get(kind, []), reason=reason, by=by)

    # Evidence the merge moved to the kept company's twin relationship goes back to its own.
    back: dict[int, list[int]] = defaultdict(list)
    evidence = record.moved.get("relationship_evidence", [])
    owners = _owners(RelationshipEvidence, [pk for pk, _, _ in evidence], "relationship")
    originals = set(_owners(Relationship, [original for _, original, _ in evidence], "pk"))
    for pk, original, twin in evidence:
        if owners.get(pk) == twin and original in originals:
            back[original].append(pk)
        elif pk not in owners:
            gone += 1
    for original, pks in back.items():
        moved_back += len(_move(RelationshipEvidence, pks, field="relationship", to=original, reason=reason, by=by))

    # What the merge gave the kept company besides moved rows.
    alias_pk = record.added.get("alias")
    if alias_pk:
        for alias in CompanyAlias.objects.filter(pk=alias_pk, company=keep, text__iexact=record.dropped_name):
            _attribute(alias, by, reason)
            alias.delete()
    keep.tags.remove(*record.added.get("tags", []))
    keep.watchlists.remove(*Watchlist.objects.filter(pk__in=record.added.get("watchlists", [])))

    summaries_restored, edited = 0, []
    events = Event.objects.in_bulk([int(pk) for pk in record.summaries])
    for pk, (before, after) in record.summaries.items():
        event = events.get(int(pk))
        if event is None:
            continue
        if event.summary != after:
            edited.append(event.pk)
            continue
        event.summary = before
        _attribute(event, by, reason)
        event.save(update_fields=["summary", "updated_at"])
        summaries_restored += 1

    for name, value in reverted.items():
        setattr(keep, name, value)
    _attribute(keep, by, _reason(f"Undid merge of “{record.dropped_name}” (#{drop_pk}) into this one"))
    keep.save()

    record.undone_at, record.undone_by = timezone.now(), _user(by)
    record.save(update_fields=["undone_at", "undone_by"])
    return UndoResult(
        restored=restored,
        kept=keep,
        moved_back=moved_back,
        restored_rows=restored_rows,
        summaries_restored=summaries_restored,
        summaries_edited=edited,
        gone=gone,
        notes=notes,
    )


def _restore_company(record: CompanyMerge, *, reason: str, by: AbstractBaseUser | None) -> tuple[Company, list[str]]:
    """The dropped company, inserted again as it was (primary key, slug, dates), with its tags and watchlist places."""
    row = {key: value for key, value in record.dropped.items() if key != "watchlists"}
    row["fields"] = {name: value for name, value in row["fields"].items() if name != "tags"}
    # Every reference of a company may be null: the row always survives the check.
    (item,) = _drop_dangling(Company, _deserialize([row]))
    notes = []
    company: Company = item.object
    if Company._base_manager.filter(slug=company.slug).exists():
        taken, company.slug = company.slug, unique_slug(Company, company.name, exclude_pk=company.pk)
        notes.append(f"Its slug “{taken}” was taken since; it is now “{company.slug}”.")
    item.save()
    record_bulk_history(Company, [company.pk], history_type="+", reason=reason, by=by)
    company.tags.set(Tag.objects.filter(pk__in=record.dropped["fields"].get("tags", [])))
    company.watchlists.add(*Watchlist.objects.filter(pk__in=record.dropped.get("watchlists", [])))
    return company, notes


def _restore_rows(
    model: type[models.Model], rows: list[dict[str, Any]], *, reason: str, by: AbstractBaseUser | None
) -> int:
    """Insert serialized rows again, primary keys and all; returns how many were."""
    items = _drop_dangling(model, _deserialize(rows))
    for item in items:
        item.save()  # a raw save: every value, ``created_at`` included, as it was
    record_bulk_history(model, [item.object.pk for item in items], history_type="+", reason=reason, by=by)
    if items:
        bulk_changed.send(sender=model, created=True)
    return len(items)


def _drop_dangling(model: type[models.Model], items: list[DeserializedObject]) -> list[DeserializedObject]:
    """The rows that can be restored as the database is now.

    A row whose parent was deleted since the merge (the article of a mention) would
    have been deleted with it: it is not restored. A nullable reference to a row
    deleted since (a reviewer's account) is cleared, as ``SET_NULL`` would have.
    """
    for fk in model._meta.concrete_fields:
        if not (fk.is_relation and fk.many_to_one):
            continue
        wanted = {getattr(item.object, fk.attname) for item in items} - {None}
        existing = set(_owners(fk.related_model, sorted(wanted), "pk")) if wanted else set()
        survivors = []
        for item in items:
            value = getattr(item.object, fk.attname)
            if value is not None and value not in existing:
                if not fk.null:
                    continue
                setattr(item.object, fk.attname, None)
            survivors.append(item)
        items = survivors
    return items


def _former_name(company_pk: int) -> str:
    """The last name a company had, from its history (it may no longer exist)."""
    name = Company.history.filter(id=company_pk).order_by("-history_date", "-history_id").values_list("name", flat=True)
    return name.first() or f"company #{company_pk}"


def _reverts(record: CompanyMerge, keep: Company, name: str) -> bool:
    """Whether the undo gives the kept company's field back its old value: only if it still has the merge's."""
    change = record.kept_before.get(name)
    return change is not None and getattr(keep, name) == change[1]


# --- Shared helpers ------------------------------------------------------------------


def _move(
    model: type[models.Model], pks: Sequence[int], *, field: str, to: int, reason: str, by: AbstractBaseUser | None
) -> list[int]:
    """Point ``field`` of the rows ``pks`` at ``to``, with a history row per row naming ``by`` and the merge.

    The plain manager's update writes no history of its own ("bulk update", by
    whoever the request was), so each change is recorded once, with its reason.
    """
    pks = list(pks)
    if not pks:
        return []
    attname = model._meta.get_field(field).attname
    for chunk in _chunks(pks):
        model._base_manager.filter(pk__in=chunk).update(**{attname: to})
    record_bulk_history(model, pks, history_type="~", reason=reason, by=by)
    bulk_changed.send(sender=model, update_fields={field})  # the gazetteer's names, when aliases move
    return pks


def _delete(
    model: type[models.Model], pks: Sequence[int], *, reason: str, by: AbstractBaseUser | None
) -> list[dict[str, Any]]:
    """Delete the rows ``pks``; return them serialized whole, for the undo."""
    rows: list[dict[str, Any]] = []
    for chunk in _chunks(list(pks)):
        objs = list(model._base_manager.filter(pk__in=chunk).order_by("pk"))
        rows.extend(_serialized(objs))
        if getattr(model, "history", None) is None:
            model._base_manager.filter(pk__in=chunk).delete()
            continue
        for obj in objs:  # one history row each, saying why it went
            _attribute(obj, by, reason)
            obj.delete()
    return rows


def _owners(model: type[models.Model], pks: Sequence[int], field: str) -> dict[int, Any]:
    """Row id → the value of ``field`` (a foreign key's id), for the rows of ``pks`` that still exist."""
    attname = model._meta.pk.attname if field == "pk" else model._meta.get_field(field).attname
    found: dict[int, Any] = {}
    for chunk in _chunks(list(pks)):
        found.update(model._base_manager.filter(pk__in=chunk).values_list("pk", attname))
    return found


def _snapshot(company: Company) -> dict[str, Any]:
    """The company serialized whole (its tags among the fields), and the watchlists it is on."""
    row = _serialized([company])[0]
    row["watchlists"] = sorted(company.watchlists.values_list("pk", flat=True))
    return row


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder writes times to the millisecond; a restored row keeps its microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _serialized(objs: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Rows in Django's serialization format, as JSON values (what a ``JSONField`` stores)."""
    rows: list[dict[str, Any]] = json.loads(serializers.serialize("json", objs, cls=_ExactEncoder))
    return rows


def _deserialize(rows: list[dict[str, Any]]) -> list[DeserializedObject]:
    # Fields added to a model since the merge take their defaults; fields removed are ignored.
    return list(serializers.deserialize("python", rows, ignorenonexistent=True))


def _pks(queryset: models.QuerySet[Any]) -> list[int]:
    return list(queryset.order_by("pk").values_list("pk", flat=True))


def _chunks(pks: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(pks), _CHUNK):
        yield pks[start : start + _CHUNK]


def _attribute(obj: models.Model, by: AbstractBaseUser | None, reason: str) -> None:
    """Have the history row of the next save or delete of ``obj`` name ``by`` and ``reason``."""
    obj._history_user = _user(by)  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]


def _user(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """A user to record, or None (an anonymous user is no one)."""
    return by if by is not None and getattr(by, "is_authenticated", False) and by.pk is not None else None


def _reason(text: str) -> str:
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 1] + "…"
