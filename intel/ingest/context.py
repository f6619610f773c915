"""What flows through the pipeline: the input, then everything each stage adds.

Stages read and add fields of ``ArticleContext``; none of them talks to another
stage except through it. ``IngestEnv`` holds what all articles of a batch share
(the gazetteer, the NLP pipeline, the rules, the acting user).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model
    from spacy.tokens import Doc

    from intel.models import Article, ArticleTag, Company, Event, Person, Product, Quote, Role, Source, Tag

    from .dates import PublishedDate
    from .gazetteer_cache import LayeredGazetteer
    from .timex import TimeExpression


ENGLISH = "en"
M = TypeVar("M", bound="Model")


def is_english(language: str) -> bool:
    """Whether a BCP 47 tag is English ("en", "en-GB"): stages 3-9 extract from English text only."""
    return language == ENGLISH or language.startswith(ENGLISH + "-")


@dataclass
class IngestInput:
    """One article as a caller hands it over. Exactly one of text, html, raw or fetch_url."""

    text: str | None = None
    html: str | None = None
    raw: bytes | None = None  # an uploaded file's bytes
    filename: str = ""  # its name, for the file type
    fetch_url: str = ""  # fetch the article from here (through the safe fetcher)
    url: str = ""  # the article's address, stored (defaults to fetch_url)
    title: str = ""
    published: date | str | PublishedDate | None = None
    source: str = ""  # the publisher's name


class Sentence(NamedTuple):
    # A named tuple: a dozen per article, and a frozen dataclass costs four times as much to make.
    start: int
    end: int
    paragraph: int
    heading: bool


@dataclass
class Hit:
    """A name found in the text that refers to a record (known or just proposed)."""

    start: int
    end: int
    text: str
    kind: str  # company | market | person | product
    target_id: int
    method: str
    confidence: float
    # A proposal from another article, not confirmed: until this article's own text
    # supports it (stage 5 sets ``supported``), it is never an event's main participant.
    proposal: bool = False
    supported: bool = False

    @property
    def trusted(self) -> bool:
        """Whether events may rest on this name: known, or found or supported by this article."""
        return not self.proposal or self.supported


class StoredMention(NamedTuple):
    """A mention as stage 5b stores it (a plain record: the hot path builds no model instances)."""

    pk: int
    kind: str
    target_id: int
    text: str
    start: int
    end: int
    method: str
    confidence: float


@dataclass
class StoredTag:
    """An article's tag as stage 9 stores it (a plain record: no model instance on the hot path)."""

    pk: int
    tag: Tag
    reason: str
    confidence: float
    method_detail: str

    def instance(self, article: Article | None) -> ArticleTag:
        """The ``ArticleTag`` this record is (or will be, before it is stored: ``pk`` 0)."""
        from intel.choices import Method, ReviewStatus
        from intel.models import ArticleTag

        return _instance(
            ArticleTag, self.pk, {"article": article, "tag": self.tag}, reason=self.reason,
            review_status=ReviewStatus.PROPOSED, method=Method.RULE, method_detail=self.method_detail,
            confidence=self.confidence,
        )  # fmt: skip


@dataclass
class StoredQuote:
    """A quote as stage 7 stores it (a plain record: no model instance on the hot path)."""

    pk: int
    text: str
    start: int
    end: int
    speaker_id: int | None
    speaker_name: str
    reported_via: Source | None
    method_detail: str
    confidence: float

    def instance(self, article: Article | None) -> Quote:
        """The ``Quote`` this record is (or will be, before it is stored: ``pk`` 0)."""
        from intel.choices import Method, ReviewStatus
        from intel.models import Quote

        return _instance(
            Quote, self.pk, {"article": article, "reported_via": self.reported_via}, text=self.text,
            start=self.start, end=self.end, speaker_id=self.speaker_id, speaker_name=self.speaker_name,
            review_status=ReviewStatus.PROPOSED, method=Method.RULE, method_detail=self.method_detail,
            confidence=self.confidence,
        )  # fmt: skip


@dataclass
class CitedSource:
    source: Source
    start: int
    end: int
    interview: bool  # "in an interview with Reuters": quotes nearby were said to it


@dataclass
class EventOutcome:
    """An event an article proposed or gave evidence for (a plain record: ``instance()`` makes the model's)."""

    event_id: int
    new: bool
    evidence_start: int
    evidence_end: int
    main_company: int | None  # the event's actor (else target, else partner), known to stage 8
    time_start: date | None
    time_end: date | None
    stored: dict[str, Any] | None = None  # a new event's stored fields: its instance needs no query

    def instance(self) -> Event | None:
        """The new event's ``Event`` (None for an event stored before: load it)."""
        from intel.models import Event

        if self.stored is None:
            return None
        return _instance(Event, self.event_id, {}, **self.stored)


def _instance(model: type[M], pk: int, related: dict[str, Model | None], **values: Any) -> M:
    """The ``model`` instance of a plain record: a new one while it is not stored (``pk`` 0),
    else its stored row as a query loads it (``Model.from_db``), which Django knows is
    stored (saving it updates the row). ``related`` names the records it points to, held
    so that reading them costs no query; a field neither gives has its default, as the
    stage's bulk insert stored it."""
    if not pk:
        return model(**related, **values)
    given = dict(values)
    for name, record in related.items():
        given[model._meta.get_field(name).attname] = record.pk if record is not None else None
    fields = model._meta.concrete_fields
    row = [pk if f.primary_key else given[f.attname] if f.attname in given else f.get_default() for f in fields]
    obj = model.from_db(model.objects.db, [f.attname for f in fields], row)
    for name, record in related.items():
        setattr(obj, name, record)
    return obj


class Proposal(NamedTuple):
    """A record an article proposed (created, for review): a company, person or product
    (stage 5), or a person's role."""

    kind: str  # "company", "person", "product" or "role"
    record: Company | Person | Product | Role


@dataclass
class ArticleContext:
    input: IngestInput
    # normalise
    body: str = ""
    title: str = ""
    url: str = ""
    published: PublishedDate | None = None
    source_name: str = ""
    language: str = ENGLISH  # BCP 47; stages 3-9 extract from English articles only (``done``)
    # dedupe
    article: Article | None = None
    created: bool = False
    duplicate_of_existing: bool = False  # the very same article was stored before: nothing more to do
    near_duplicate_of: Article | None = None
    # sentences
    sentences: list[Sentence] = field(default_factory=list)
    _sentence_starts: list[int] = field(default_factory=list)
    # entities
    hits: list[Hit] = field(default_factory=list)  # sorted by start once stage 5 is done
    _hit_index: list[int] = field(default_factory=list)
    proposed: list[Proposal] = field(default_factory=list)
    cited: list[CitedSource] = field(default_factory=list)
    regulators: list[CitedSource] = field(default_factory=list)  # government bodies named (sources of kind regulator)
    doc: Doc | None = None  # the trained pipeline's parse of the body (stage 1b), for names, events and quotes
    roles: list[Any] = field(default_factory=list)
    # time
    times: list[TimeExpression] = field(default_factory=list)
    # events, quotes, tags
    events: list[EventOutcome] = field(default_factory=list)
    quotes: list[StoredQuote] = field(default_factory=list)
    tags: list[StoredTag] = field(default_factory=list)
    mentions: list[StoredMention] = field(default_factory=list)

    @property
    def done(self) -> bool:
        """True when later stages have nothing to do for this article.

        Either the very same article was stored before, or it is stored now (stage 2
        stores every article, with its language) but is not in English: the
        sentence rules, names and event triggers of stages 3-9 are English, and
        they would propose nonsense from other languages. Before stage 2 has set
        ``article``, a new article is never done, so that it gets stored.
        """
        return self.duplicate_of_existing or (self.article is not None and not self.english)

    @property
    def english(self) -> bool:
        """Whether the article is in English, the only language extracted from."""
        return is_english(self.language)

    def set_sentences(self, sentences: list[Sentence]) -> None:
        self.sentences = sentences
        self._sentence_starts = [s.start for s in sentences]

    def sentence_at(self, offset: int) -> int:
        """Index of the sentence containing ``offset`` (or the one before it)."""
        return max(0, bisect.bisect_right(self._sentence_starts, offset) - 1)

    def add_hit(self, hit: Hit) -> None:
        """Add a mention where it belongs: ``hits`` is always in order of start (after
        those with the same start), which look-ups and every reader rely on."""
        bisect.insort(self.hits, hit, key=lambda h: h.start)

    def _hit_starts(self) -> list[int]:
        # Rebuilt after a change: hits are only added (add_hit) or filtered, which keeps
        # the order, so a change always changes the length.
        if len(self._hit_index) != len(self.hits):
            self._hit_index = [h.start for h in self.hits]
        return self._hit_index

    def hits_in(self, start: int, end: int, kind: str | None = None) -> list[Hit]:
        starts = self._hit_starts()
        lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        return [h for h in self.hits[lo:hi] if h.end <= end and (kind is None or h.kind == kind)]

    def has_hit_in(self, start: int, end: int) -> bool:
        """``bool(self.hits_in(start, end))``, without building the list."""
        starts = self._hit_starts()
        hits = self.hits
        for i in range(bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)):
            if hits[i].end <= end:
                return True
        return False

    def last_hit_before(self, offset: int, kind: str) -> Hit | None:
        starts = self._hit_starts()
        for hit in reversed(self.hits[: bisect.bisect_left(starts, offset)]):
            if hit.kind == kind and hit.end <= offset:
                return hit
        return None


@dataclass
class IngestEnv:
    """Shared by every article of a batch."""

    user: Any = None
    fetch_allowed_networks: list[str] | None = None
    # The gazetteer stage 4 matched with, for stage 5's demonyms (one version query a batch).
    gazetteer: LayeredGazetteer | None = None
    _rejected_models: frozenset[str] | None = field(default=None, repr=False)

    def ever_rejected(self, model: type[Model]) -> bool:
        """Whether a person ever rejected a proposal of ``model``.

        Read once a batch for every model (``models_with_rejections``), by the first
        stage that asks, inside the batch's transaction: one query, where each stage
        asked for its own model.
        """
        if self._rejected_models is None:
            from intel.review import models_with_rejections  # models load after this module

            self._rejected_models = models_with_rejections()
        return model._meta.label_lower in self._rejected_models
