"""The review inbox: every proposed record of every kind in one queue, best supported first.

What is ranked: every ``Reviewable`` still *proposed*, of the kinds in ``KINDS``
(``inbox_kinds``: each says what its *support* is). The queue is ordered by articles,
then publishers, then the confidence of the method that made the record: a name many
outlets print is likelier real than one a single article spelled oddly.

Publishers are distinct ``Article.source``s, as in the admin's support column: a story
syndicated by two outlets counts twice here, where ``Event.independent_sources``
(which follows ``duplicate_of``) counts it once.

What a page costs: one ``UNION ALL`` of the kinds ranks and pages the queue (one more
counts it, without the support counts unless a minimum asks for them), then one query
per kind on the page reads its records, and one per kind of provenance reads the
sentences: a fixed number of queries whatever the number of rows
(``tests/test_review_inbox.py`` counts them). Each record's sentence is found by
``snippets``; decisions and merging are ``inbox_decisions``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, transaction
from django.db.models import (
    Count,
    F,
    IntegerField,
    QuerySet,
    Value,
)
from django.urls import reverse

from intel.models import (
    ArticleTag,
    Company,
    Event,
    EventRule,
    TagRule,
)
from intel.workspace.inbox_kinds import KINDS, InboxError, Kind, waiting_review
from intel.workspace.rule_precision import (
    BUILTIN_PREFIX,
    LABEL_LENGTH,
    RULE_PREFIX,
    RuleFigures,
    builtin_labels,
    figures_by_label,
)
from intel.workspace.snippets import Snippet, attach_snippets

User = AbstractBaseUser | AnonymousUser

PER_PAGE = 50
MAX_PAGE_DIGITS = 9
MAX_SUPPORT = 1_000_000


# --- Filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    kind: str | None = None
    rule: str | None = None
    min_support: int = 0
    page: int = 1


def whole_number(raw: str) -> int | None:
    """A non-negative whole number written in ASCII digits, or None."""
    if not raw.isascii() or not raw.isdigit():
        return None
    return int(raw[:MAX_PAGE_DIGITS]) if len(raw) > MAX_PAGE_DIGITS else int(raw)


def clean_text(raw: str) -> str:
    """Typed text made safe to compare in SQL: stripped, NUL characters (which
    PostgreSQL refuses in any string) taken out."""
    return raw.replace("\x00", "").strip()


def read_filters(params: Mapping[str, str], *, visible: Collection[str]) -> tuple[InboxFilters, list[str]]:
    """The inbox's filters from a query string, and a message for each value that could
    not be used (the filter is then left off, never an error page)."""
    errors: list[str] = []
    kind: str | None = clean_text(params.get("kind", "")) or None
    if kind is not None and kind not in KINDS:
        errors.append(f"There is no kind of record called “{kind[:40]}”: showing every kind.")
        kind = None
    elif kind is not None and kind not in visible:
        errors.append(f"You may not view {KINDS[kind].plural}: showing the kinds you may.")
        kind = None
    rule = clean_text(params.get("rule", ""))[:LABEL_LENGTH] or None
    min_support = 0
    raw_support = params.get("min_support", "").strip()
    if raw_support:
        number = whole_number(raw_support)
        if number is None:
            errors.append(f"“{raw_support[:40]}” is not a number of articles: showing any support.")
        else:
            min_support = min(number, MAX_SUPPORT)
    page = 1
    raw_page = params.get("page", "").strip()
    if raw_page:
        number = whole_number(raw_page)
        if not number:
            errors.append(f"“{raw_page[:40]}” is not a page number: showing the first page.")
        else:
            page = number
    return InboxFilters(kind, rule, min_support, page), errors


# --- The queue -------------------------------------------------------------------------


@dataclass
class InboxItem:
    kind: Kind
    pk: int
    name: str
    detail: str
    support_articles: int
    support_sources: int
    confidence: float
    method: str
    method_label: str
    method_detail: str
    review_status: str
    company_id: int | None = None  # a company's own profile, linked from its name
    snippet: Snippet | None = None

    @property
    def token(self) -> str:
        """How a form names the record: ``company:12``."""
        return f"{self.kind.key}:{self.pk}"

    @property
    def admin_url(self) -> str:
        """The record's change page in the admin."""
        meta = self.kind.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.pk])


@dataclass
class InboxPage:
    items: list[InboxItem]
    number: int
    num_pages: int
    count: int
    per_page: int = PER_PAGE

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.count else 0

    @property
    def last_index(self) -> int:
        return self.first_index + len(self.items) - 1 if self.items else 0


# Kinds the whole queue leaves out, each a kind filter away: every name the gazetteer
# links is a proposed mention, and a known market's mentions would bury the records.
ONLY_WHEN_ASKED = frozenset({"mention"})


def _allowed(kinds: Iterable[str] | None) -> list[str]:
    return list(KINDS) if kinds is None else [key for key in KINDS if key in set(kinds)]


def _kinds(kind: str | None, kinds: Iterable[str] | None) -> list[Kind]:
    allowed = _allowed(kinds)
    if kind is None:
        return [KINDS[key] for key in allowed if key not in ONLY_WHEN_ASKED]
    if kind not in KINDS:
        raise InboxError(f"There is no kind of record called “{kind[:40]}”.")
    if kind not in allowed:
        raise InboxError(f"You may not view {KINDS[kind].plural}.")
    return [KINDS[kind]]


def _waiting(kind: Kind, *, rule: str | None, min_support: int) -> QuerySet[Any]:
    """The kind's proposals made by ``rule``, named by at least ``min_support`` articles
    (support annotated only when the filter needs it)."""
    queryset = kind.model._default_manager.filter(waiting_review()).order_by()
    if rule is not None:
        queryset = queryset.filter(method_detail=rule)
    if min_support:
        queryset = kind.support(queryset).filter(support_articles__gte=min_support)
    return queryset


def ranked_queue(kinds: Sequence[Kind], *, rule: str | None = None, min_support: int = 0) -> QuerySet[Any]:
    """The proposed records of ``kinds`` as ``(kind's index, pk, articles, sources,
    confidence)`` rows, best supported first: one ``UNION ALL`` of a query per kind."""
    parts = [
        # Every column an annotation of the same name, in the same order, so that the
        # parts line up whatever the model.
        kind.support(_waiting(kind, rule=rule, min_support=min_support))
        .annotate(
            q_kind=Value(index, output_field=IntegerField()),
            q_id=F("pk"),
            q_articles=F("support_articles"),
            q_sources=F("support_sources"),
            q_confidence=F("confidence"),
        )
        .values_list("q_kind", "q_id", "q_articles", "q_sources", "q_confidence")
        for index, kind in enumerate(kinds)
    ]
    queue = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return queue.order_by("-q_articles", "-q_sources", "-q_confidence", "q_kind", "q_id")


def queue_length(kinds: Sequence[Kind], *, rule: str | None = None, min_support: int = 0) -> int:
    """How many rows ``ranked_queue`` has, in one query that counts support only when
    ``min_support`` asks for it (ranking needs every count, counting rarely does)."""
    parts = [_waiting(kind, rule=rule, min_support=min_support).values_list("pk") for kind in kinds]
    return (parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]).count()


@contextmanager
def _without_jit() -> Iterator[None]:
    """Run the queue's queries without PostgreSQL's JIT compilation.

    PostgreSQL compiles a query to machine code when its estimated cost is high, and
    the planner prices every correlated support count at its worst: with a few
    thousand proposals the queue's two queries cross the threshold, and then spend
    many times longer compiling than running. Off for this transaction only
    (``SET LOCAL``); other databases have nothing to turn off.
    """
    connection = connections[Company.objects.db]
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def inbox_items(
    kind: str | None = None,
    rule: str | None = None,
    min_support: int = 0,
    page: int = 1,
    *,
    kinds: Iterable[str] | None = None,
    per_page: int = PER_PAGE,
) -> InboxPage:
    """One page of the queue: the proposed records of ``kind`` (every kind in ``kinds``,
    all by default) made by ``rule`` (a ``method_detail``) and named by at least
    ``min_support`` articles. A page past the last shows the last."""
    shown = _kinds(kind, kinds)
    if not shown:
        return InboxPage([], 1, 1, 0, per_page)
    min_support = max(min_support, 0)
    with _without_jit():
        count = queue_length(shown, rule=rule, min_support=min_support)
        num_pages = max(1, -(-count // per_page))
        number = min(max(page, 1), num_pages)
        first = (number - 1) * per_page
        queue = ranked_queue(shown, rule=rule, min_support=min_support)
        rows = list(queue[first : first + per_page]) if count else []
    items = _items([(shown[index], pk, articles, sources) for index, pk, articles, sources, _ in rows])
    return InboxPage(items, number, num_pages, count, per_page)


def inbox_item(kind: str, pk: int) -> InboxItem | None:
    """One record as the inbox shows it (its support, its sentence), or None if it does not exist."""
    if kind not in KINDS:
        return None
    spec = KINDS[kind]
    row = spec.support(spec.model._default_manager.filter(pk=pk)).values_list("support_articles", "support_sources")
    found = row.first()
    if found is None:
        return None
    items = _items([(spec, pk, found[0], found[1])])
    return items[0] if items else None


def _items(rows: Sequence[tuple[Kind, int, int, int]]) -> list[InboxItem]:
    """The page's records, read in one query per kind, with their sentences."""
    wanted: dict[str, list[int]] = {}
    for kind, pk, _, _ in rows:
        wanted.setdefault(kind.key, []).append(pk)
    records: dict[tuple[str, int], Any] = {}
    for key, pks in wanted.items():
        kind = KINDS[key]
        queryset = kind.records().filter(pk__in=pks).order_by()  # the queue's order is kept in Python
        if kind.provenance is not None:
            queryset = kind.provenance(queryset)
        records.update({(key, record.pk): record for record in queryset})
    items = []
    for kind, pk, articles, sources in rows:
        record = records.get((kind.key, pk))
        if record is None:
            continue  # deleted (or merged away) between the two queries
        items.append(
            InboxItem(
                kind=kind, pk=pk, name=kind.describe(record), detail=kind.detail(record),
                support_articles=articles, support_sources=sources, confidence=record.confidence,
                method=record.method, method_label=record.get_method_display(), method_detail=record.method_detail,
                review_status=record.review_status, company_id=pk if kind.model is Company else None,
            )
        )  # fmt: skip
    attach_snippets(items, records)
    return items


# --- The rule filter -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleChoice:
    """A rule (or another method) the inbox can be filtered by, and how many of its records wait."""

    value: str
    waiting: int = 0

    @property
    def label(self) -> str:
        return f"{self.value} ({self.waiting} waiting)"


@dataclass
class QueueSummary:
    """How many records wait, by kind and by rule or method (``method_detail``)."""

    by_kind: dict[str, int] = field(default_factory=dict)
    by_rule: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


def queue_summary(kinds: Iterable[str] | None = None) -> QueueSummary:
    """What waits for review, counted by kind and rule in one query (a grouped count per kind)."""
    shown = [KINDS[key] for key in _allowed(kinds)]  # mentions too: the filter counts them
    summary = QueueSummary(by_kind=dict.fromkeys((kind.key for kind in shown), 0))
    if not shown:
        return summary
    parts = [
        kind.model._default_manager.filter(waiting_review())
        .order_by()
        .values("method_detail")
        .annotate(q_kind=Value(index, output_field=IntegerField()), q_n=Count("pk"))
        .values_list("q_kind", "method_detail", "q_n")
        for index, kind in enumerate(shown)
    ]
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for index, detail, n in rows:
        summary.by_kind[shown[index].key] += n
        if detail:
            summary.by_rule[detail] = summary.by_rule.get(detail, 0) + n
    return summary


def rule_choices(summary: QueueSummary) -> list[RuleChoice]:
    """Every rule the inbox can be filtered by: the analysts' tag and event rules, the
    built-in event triggers (for the kinds shown), then any other method that made
    records now waiting ("discovery: …", "quotes: …"). One query, for the rules' names."""
    labels: list[str] = []
    models = [model for key, model in (("articletag", TagRule), ("event", EventRule)) if key in summary.by_kind]
    if models:
        names = [model.objects.order_by().values_list("name") for model in models]
        rows = names[0].union(*names[1:]) if len(names) > 1 else names[0]
        labels += sorted(f"{RULE_PREFIX}{name}"[:LABEL_LENGTH] for (name,) in rows)
    if "event" in summary.by_kind:
        labels += builtin_labels()
    labels += sorted(label for label in summary.by_rule if label not in set(labels))
    return [RuleChoice(label, summary.by_rule.get(label, 0)) for label in dict.fromkeys(labels)]


def rule_figures_for(label: str) -> RuleFigures | None:
    """A rule's figures (made, waiting, precision) when ``label`` names a rule or a
    built-in trigger (two grouped queries), else None."""
    if not label.startswith((RULE_PREFIX, BUILTIN_PREFIX)):
        return None
    total = RuleFigures()
    for model in (Event, ArticleTag):
        found = figures_by_label(model, [label]).get(label)
        if found is not None:
            total = RuleFigures(
                total.made + found.made, total.proposed + found.proposed,
                total.confirmed + found.confirmed, total.rejected + found.rejected,
            )  # fmt: skip
    return total
