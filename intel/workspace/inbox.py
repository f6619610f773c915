"""The review inbox: every proposed record of every kind in one queue, best supported first.

What is ranked: every ``Reviewable`` still *proposed*, of the kinds in ``KINDS``.
Each kind says what its *support* is (how many articles name it, and from how many
publishers): mentions for companies, people and products (``intel.review.with_support``),
evidence for events and relationships, the articles naming both the person and the
company for a role, and the one article a quote, mention or article tag comes from.
The queue is ordered by articles, then publishers, then the confidence of the method
that made the record: a name many outlets print is likelier real than one a single
article spelled oddly.

Publishers are distinct ``Article.source``s, as in the admin's support column: a story
syndicated by two outlets counts twice here, where ``Event.independent_sources``
(which follows ``duplicate_of``) counts it once.

What a page costs: one ``UNION ALL`` of the kinds ranks and pages the queue (one more
counts it, without the support counts unless a minimum asks for them), then one query
per kind on the page reads its records, and one per kind of provenance reads the
sentences: a fixed number of queries whatever the number of rows
(``tests/test_review_inbox.py`` counts them).

Where each record came from (its *snippet*): the sentence around its first mention
(names, roles, mentions), its first evidence sentence (events, relationships), the
quote's own span, or the words that fired an article tag's rule (read back from the
tag's ``reason``), with the name or words marked.

Decisions reuse ``intel.review`` (confirm and reject, and the memory of rejections)
and merging reuses ``intel.merge.merge_companies``. Bad input raises ``InboxError``
before anything changes: a decision is all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
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
from django.db.models.functions import Coalesce, Greatest, Substr
from django.urls import reverse
from django.utils.text import Truncator

from intel.choices import ReviewStatus
from intel.merge import MergeResult, merge_companies
from intel.models import (
    Article,
    ArticleTag,
    Company,
    Event,
    EventRule,
    Evidence,
    Mention,
    Person,
    Product,
    Quote,
    Relationship,
    RelationshipEvidence,
    Reviewable,
    Role,
    TagRule,
)
from intel.review import confirm_records, reject_records, with_support
from intel.workspace.rule_precision import (
    BUILTIN_PREFIX,
    LABEL_LENGTH,
    RULE_PREFIX,
    RuleFigures,
    builtin_labels,
    figures_by_label,
)

User = AbstractBaseUser | AnonymousUser

PER_PAGE = 50
# Characters read on each side of a span to find its sentence, and the most of a
# sentence shown on each side of the name (a run-on "sentence" is cut with "…").
WINDOW = 300
SENTENCE_LIMIT = 240
MAX_PAGE_DIGITS = 9
MAX_SUPPORT = 1_000_000
MERGE_CANDIDATES = 20
VERDICTS = ("confirm", "reject")
MENTION_TARGETS = ("company", "market", "person", "product")


class InboxError(ValueError):
    """Bad input for the inbox: an unknown kind, a record that does not exist or is of
    another kind, a missing permission. The message is for the analyst; nothing changed."""


# --- Kinds -----------------------------------------------------------------------------


def _proposed() -> Q:
    return Q(review_status=ReviewStatus.PROPOSED)


def _counted(rows: QuerySet[Any], group: str) -> dict[str, Coalesce]:
    """``support_articles`` and ``support_sources`` counted over ``rows`` (correlated to
    the outer record), as ``intel.review.with_support`` counts mentions."""
    grouped = rows.order_by().values(group)

    def count(of: str) -> Coalesce:
        counted = grouped.annotate(n=Count(of, distinct=True)).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    return {"support_articles": count("article"), "support_sources": count("article__source")}


def _live_mentions() -> QuerySet[Mention]:
    return Mention.objects.exclude(review_status=ReviewStatus.REJECTED)


def _role_mentions() -> QuerySet[Mention]:
    """Mentions of the outer role's person in articles that also name its company."""
    company_named = _live_mentions().filter(
        article_id=OuterRef("article_id"), company_id=OuterRef(OuterRef("company_id"))
    )
    return _live_mentions().filter(person_id=OuterRef("person_id")).filter(Exists(company_named))


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
        return queryset.annotate(first_span=_first(_live_mentions().filter(**{field_name: OuterRef("pk")})))

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


# --- Filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilters:
    kind: str | None = None
    rule: str | None = None
    min_support: int = 0
    page: int = 1


def _whole_number(raw: str) -> int | None:
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
        number = _whole_number(raw_support)
        if number is None:
            errors.append(f"“{raw_support[:40]}” is not a number of articles: showing any support.")
        else:
            min_support = min(number, MAX_SUPPORT)
    page = 1
    raw_page = params.get("page", "").strip()
    if raw_page:
        number = _whole_number(raw_page)
        if not number:
            errors.append(f"“{raw_page[:40]}” is not a page number: showing the first page.")
        else:
            page = number
    return InboxFilters(kind, rule, min_support, page), errors


# --- The queue -------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """A piece of a sentence; ``mark`` is the CSS class of its ``<mark>``, "" for plain text."""

    text: str
    mark: str = ""


@dataclass(frozen=True)
class Snippet:
    """The sentence a record came from, its name marked, and the article it is in."""

    article_id: int
    article_title: str
    segments: tuple[Segment, ...]


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
    queryset = kind.model._default_manager.filter(_proposed()).order_by()
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
    _attach_snippets(items, records)
    return items


# --- Sentences -------------------------------------------------------------------------

# The end of a sentence: a stop (and any closing quote or bracket) before white space,
# or a line break. A stop after a common abbreviation ("Corp.", "Mr.") is no end.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Inc|Corp|Co|Ltd|Mr|Mrs|Ms|Dr|Jr|Sr|St|No|vs|Gov|Sen|Rep|Gen|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|"
    r"Oct|Nov|Dec)|\b[A-Z](?:\.[A-Z])*)$"
)


def _is_boundary(text: str, match: re.Match[str]) -> bool:
    if match.group().startswith("\n"):
        return True
    return _ABBREVIATION.search(text, max(0, match.start() - 12), match.start()) is None


def sentence_bounds(text: str, start: int, end: int, *, limit: int = SENTENCE_LIMIT) -> tuple[int, int]:
    """The bounds of the sentence of ``text`` around ``[start, end)``, at most ``limit``
    characters on each side of it."""
    begin = max(0, start - limit)
    for match in _BOUNDARY.finditer(text, begin, start):
        if _is_boundary(text, match):
            begin = match.end()
    finish = min(len(text), end + limit)
    # From the span's last character: a quote or name that ends its sentence ("We are ready.") ends it here.
    for match in _BOUNDARY.finditer(text, max(start, end - 1), finish):
        if _is_boundary(text, match):
            finish = match.start() + len(match.group().rstrip())
            break
    return begin, finish


def _segments(text: str, begin: int, finish: int, marks: Iterable[tuple[int, int, str]]) -> tuple[Segment, ...]:
    """``text[begin:finish]`` cut into plain and marked pieces; overlapping marks keep the first."""
    pieces: list[Segment] = []
    at = begin
    for start, end, css in sorted(marks):
        start, end = max(start, begin), min(end, finish)
        if start < at or end <= start:
            continue
        if start > at:
            pieces.append(Segment(text[at:start]))
        pieces.append(Segment(text[start:end], css))
        at = end
    if at < finish:
        pieces.append(Segment(text[at:finish]))
    return tuple(pieces)


def snippet_of(
    text: str, offset: int, start: int, end: int, css: str, *, article_id: int, article_title: str
) -> Snippet | None:
    """The sentence around ``[start, end)`` (offsets into the article's body) in ``text``,
    a piece of the body beginning at ``offset``, with the span marked."""
    local_start, local_end = start - offset, end - offset
    if local_start < 0 or local_end > len(text) or local_end <= local_start:
        return None
    begin, finish = sentence_bounds(text, local_start, local_end)
    segments = list(_segments(text, begin, finish, [(local_start, local_end, css)]))
    if begin > 0 and not (text[begin - 1].isspace() or text[begin - 1] in ".!?"):
        segments.insert(0, Segment("…"))
    if finish < len(text) and text[finish - 1] not in ".!?\"'”’)]":
        segments.append(Segment("…"))
    return Snippet(article_id, article_title, tuple(segments))


def _window(start: str = "start", end: str = "end", body: str = "article__body") -> Substr:
    """``WINDOW`` characters of the body on each side of a span, read by the database
    (not the whole body: articles run to tens of kilobytes)."""
    first = Greatest(F(start) - WINDOW, Value(0), output_field=IntegerField())
    length = ExpressionWrapper(F(end) - first + WINDOW, output_field=IntegerField())
    return Substr(body, ExpressionWrapper(first + 1, output_field=IntegerField()), length, output_field=CharField())


def _mention_class(row: Mapping[str, Any]) -> str:
    return next((f"ws-{target}" for target in MENTION_TARGETS if row[f"{target}_id"]), "")


# The words a tag rule matched, as ``intel/ingest/tags.py`` writes them in the reason:
# rule “name”: “words” at 123; …
_TAG_MATCH = re.compile(r"“([^”]{1,300})” at (\d{1,9})")


def _attach_snippets(items: list[InboxItem], records: Mapping[tuple[str, int], Any]) -> None:
    """Each item's sentence: one query per kind of provenance on the page."""
    by_source: dict[str, list[InboxItem]] = {}
    for item in items:
        by_source.setdefault(item.kind.source, []).append(item)
    first_span = {
        (item.kind.key, item.pk): getattr(records[(item.kind.key, item.pk)], "first_span", None) for item in items
    }

    if found := by_source.get("mention"):
        ids = {first_span[(i.kind.key, i.pk)] for i in found} - {None}
        rows = {
            row["pk"]: row
            for row in Mention.objects.filter(pk__in=ids)
            .order_by()
            .annotate(window=_window())
            .values("pk", "article_id", "article__title", "start", "end", "window",
                    *(f"{target}_id" for target in MENTION_TARGETS))
        }  # fmt: skip
        for item in found:
            row = rows.get(first_span[(item.kind.key, item.pk)])
            if row is not None:
                item.snippet = snippet_of(
                    row["window"],
                    max(row["start"] - WINDOW, 0),
                    row["start"],
                    row["end"],
                    _mention_class(row),
                    article_id=row["article_id"],
                    article_title=row["article__title"],
                )

    if found := by_source.get("quote"):
        rows = {
            row["pk"]: row
            for row in Quote.objects.filter(pk__in=[i.pk for i in found])
            .order_by()
            .annotate(window=_window())
            .values("pk", "article_id", "article__title", "start", "end", "window")
        }
        for item in found:
            if (row := rows.get(item.pk)) is not None:
                item.snippet = snippet_of(
                    row["window"],
                    max(row["start"] - WINDOW, 0),
                    row["start"],
                    row["end"],
                    "ws-quote",
                    article_id=row["article_id"],
                    article_title=row["article__title"],
                )

    evidence: list[tuple[InboxItem, Mapping[str, Any]]] = []
    for source, model in (("evidence", Evidence), ("relationship", RelationshipEvidence)):
        if found := by_source.get(source):
            ids = {first_span[(i.kind.key, i.pk)] for i in found} - {None}
            rows = {
                row["pk"]: row
                for row in model.objects.filter(pk__in=ids)
                .order_by()
                .values("pk", "article_id", "article__title", "start", "end", "text")
            }
            evidence += [(i, rows[span]) for i in found if (span := first_span[(i.kind.key, i.pk)]) in rows]
    if evidence:
        _mark_evidence(evidence)

    if found := by_source.get("tag"):
        _mark_tags(found, records)


def _mark_evidence(evidence: Sequence[tuple[InboxItem, Mapping[str, Any]]]) -> None:
    """Evidence sentences, with the names mentioned in them marked (one query for all)."""
    inside = Q()
    for _, row in evidence:
        inside |= Q(article_id=row["article_id"], start__gte=row["start"], end__lte=row["end"])
    names: dict[int, list[tuple[int, int, str]]] = {}
    for row in (
        _live_mentions()
        .filter(inside)
        .order_by()
        .values("article_id", "start", "end", *(f"{target}_id" for target in MENTION_TARGETS))
    ):
        names.setdefault(row["article_id"], []).append((row["start"], row["end"], _mention_class(row)))
    for item, row in evidence:
        text, offset = row["text"], row["start"]
        marks = [
            (start - offset, end - offset, css)
            for start, end, css in names.get(row["article_id"], [])
            if offset <= start and end <= offset + len(text)
        ]
        item.snippet = Snippet(row["article_id"], row["article__title"], _segments(text, 0, len(text), marks))


def _mark_tags(items: Sequence[InboxItem], records: Mapping[tuple[str, int], Any]) -> None:
    """An article tag's sentence: where the first words that fired its rule stand,
    read from the reason (one query for the beginnings of the articles)."""
    spans: dict[int, tuple[int, int, int, str]] = {}
    for item in items:
        tag = records[(item.kind.key, item.pk)]
        match = _TAG_MATCH.search(tag.reason)
        if match is not None:
            start = int(match.group(2))
            spans[item.pk] = (tag.article_id, start, start + len(match.group(1)), match.group(1))
    if not spans:
        return
    length = max(end for _, _, end, _ in spans.values()) + WINDOW
    heads = dict(
        Article.objects.filter(pk__in={article for article, *_ in spans.values()})
        .order_by()
        .annotate(head=Substr("body", 1, length))
        .values_list("pk", "head")
    )
    for item in items:
        if item.pk not in spans:
            continue
        article_id, start, end, words = spans[item.pk]
        head = heads.get(article_id, "")
        if head[start:end] != words:
            continue  # the reason does not point into this text (edited by hand)
        tag = records[(item.kind.key, item.pk)]
        item.snippet = snippet_of(head, 0, start, end, "ws-tag", article_id=article_id, article_title=tag.article.title)


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
        kind.model._default_manager.filter(_proposed())
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


# --- Decisions -------------------------------------------------------------------------


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
        number = _whole_number(raw) if sep and len(raw) <= MAX_PAGE_DIGITS else None
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


def kind_of(model: type[Model]) -> str | None:
    """The inbox's key for a model (``"company"``), or None if the inbox does not show it."""
    return next((key for key, kind in KINDS.items() if kind.model is model), None)
