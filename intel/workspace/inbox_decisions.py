"""The review inbox's decisions: confirm, reject and merge, all or nothing.

Decisions reuse ``intel.review`` (confirm and reject, and the memory of rejections)
and merging reuses ``intel.merge.merge_companies``. Bad input raises ``InboxError``
before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Case,
    IntegerField,
    Q,
    Value,
    When,
)

from intel.choices import ReviewStatus
from intel.merge import MergeResult, merge_companies
from intel.models import (
    Company,
)
from intel.review import confirm_records, reject_records
from intel.workspace.inbox import MAX_PAGE_DIGITS, clean_text, whole_number
from intel.workspace.inbox_kinds import KINDS, InboxError, Kind, can_merge

User = AbstractBaseUser | AnonymousUser

MERGE_CANDIDATES = 20
VERDICTS = ("confirm", "reject")


@dataclass(frozen=True)
class DecisionResult:
    verdict: str
    changed: int
    skipped: int  # already reviewed, by someone else in the meantime

    def message(self) -> str:
        done = "Confirmed" if self.verdict == "confirm" else "Rejected"
        text = f"{done} {self.changed} record(s)."
        if self.verdict == "reject" and self.changed:
            text += " They will not be proposed again."
        if self.skipped:
            text += f" {self.skipped} had been reviewed already and were left as they were."
        return text


def parse_targets(tokens: Iterable[str]) -> list[tuple[str, int]]:
    """``["company:12", "event:4"]`` → ``[("company", 12), ("event", 4)]``, without repeats."""
    targets: list[tuple[str, int]] = []
    for token in tokens:
        key, sep, raw = token.strip().partition(":")
        number = whole_number(raw) if sep and len(raw) <= MAX_PAGE_DIGITS else None
        if key not in KINDS or not number:
            raise InboxError(f"“{token[:40]}” is not a record of the inbox: nothing was changed.")
        targets.append((key, number))
    return list(dict.fromkeys(targets))


def apply_decision(*, verdict: str, targets: Sequence[tuple[str, int]], by: User) -> DecisionResult:
    """Confirm or reject the records ``targets`` names, as ``by``, all or nothing.

    Every record must exist as the kind named, and ``by`` must hold the change
    permission of each kind; otherwise ``InboxError`` says which, and nothing
    changes. Records reviewed in the meantime (no longer proposed) are left as
    they are and counted in ``skipped``.
    """
    if not targets:
        raise InboxError("Select at least one record first.")
    if verdict not in VERDICTS:
        raise InboxError(f"“{verdict[:20]}” is not a decision: confirm or reject.")
    wanted: dict[str, list[int]] = {}
    for key, pk in targets:
        if key not in KINDS:
            raise InboxError(f"There is no kind of record called “{key[:40]}”: nothing was changed.")
        wanted.setdefault(key, []).append(pk)
    for key in wanted:
        if not by.has_perm(KINDS[key].perm("change")):
            raise InboxError(f"Reviewing {KINDS[key].plural} needs their change permission: nothing was changed.")
    act = confirm_records if verdict == "confirm" else reject_records
    changed = skipped = 0
    with transaction.atomic():
        loaded: list[tuple[Kind, list[Any]]] = []
        for key, pks in wanted.items():
            kind = KINDS[key]
            # Locked until the decision is written, so that a colleague's decision on
            # the same record either lands before (and this one skips it) or waits.
            records = list(kind.records().filter(pk__in=pks).select_for_update(of=("self",)))
            missing = sorted(set(pks) - {record.pk for record in records})
            if missing:
                raise InboxError(f"No {kind.label} with id {', '.join(map(str, missing[:10]))}: nothing was changed.")
            loaded.append((kind, records))
        for _, records in loaded:
            proposed = [record for record in records if record.review_status == ReviewStatus.PROPOSED]
            skipped += len(records) - len(proposed)
            if proposed:
                changed += act(proposed, by=by if by.is_authenticated else None)  # type: ignore[arg-type]
    return DecisionResult(verdict, changed, skipped)


# --- Merging ---------------------------------------------------------------------------


def merge_candidates(company: Company, query: str = "", *, limit: int = MERGE_CANDIDATES) -> list[Company]:
    """Companies ``company`` might be a duplicate of: those whose name or an alias contains
    ``query`` (by default the first word of its name), confirmed ones first."""
    query = clean_text(query)[:200]
    words = (query or company.name).split()
    if not words:
        return []
    q = query or words[0]
    ranked = (
        Company.objects.exclude(pk=company.pk)
        .exclude(review_status=ReviewStatus.REJECTED)
        .filter(Q(name__icontains=q) | Q(aliases__text__icontains=q))
        .annotate(
            rank=Case(
                When(review_status=ReviewStatus.CONFIRMED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("rank", "name", "pk")
        .distinct()
    )
    return list(ranked[:limit])


def merge_into(*, drop_id: int, keep_id: int, by: User) -> MergeResult:
    """Fold the company ``drop_id`` (a proposal, typically) into ``keep_id`` with
    ``intel.merge.merge_companies``; ``InboxError`` if either is missing, they are the
    same, or ``by`` may not merge."""
    if not can_merge(by):
        raise InboxError("Merging companies needs a staff account with the permission to delete companies.")
    companies = {company.pk: company for company in Company.objects.filter(pk__in=[drop_id, keep_id])}
    if drop_id == keep_id:
        raise InboxError("A company cannot be merged into itself.")
    if drop_id not in companies:
        raise InboxError(f"No company with id {drop_id}: nothing was merged.")
    if keep_id not in companies:
        raise InboxError(f"No company with id {keep_id} to keep: nothing was merged.")
    try:
        return merge_companies(keep=companies[keep_id], drop=companies[drop_id], by=by)  # type: ignore[arg-type]
    except ValidationError as error:
        raise InboxError(" ".join(error.messages)) from error
