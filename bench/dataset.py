"""A large generated dataset loaded straight into PostgreSQL with ``COPY``.

``load_dataset(dsn, scale)`` fills a migrated database with, at scale 1, one
million articles (each with mentions of companies and markets), 100,000
companies and 200,000 events with participants, markets and evidence; markets
are the reference data the migrations load. It bypasses the ORM: a model
instance per row would make this take hours, not minutes.

Article text is English-like: a lead sentence about companies and a market,
then sentences whose words are drawn from a fixed vocabulary with a Zipf
distribution (frequency ∝ 1/rank^1.07, as in real English), so that full-text
search finds very common terms in most articles, middling terms in about 1% and
rare terms in a few dozen. The head of the vocabulary is real English in
roughly news-frequency order; the long tail is made of generated words.

Everything is deterministic for a given seed and scale, so the search terms
picked by ``search_terms`` match the same documents in every run.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import numpy as np
import psycopg

ARTICLES = 1_000_000
COMPANIES = 100_000
# One event per this many articles: 200,000 events at scale 1.
ARTICLES_PER_EVENT = 5
SOURCES = 300
ZIPF_EXPONENT = 1.07
TAIL_WORDS = 200_000

# News English in roughly descending frequency; stop words included (the text
# reads as English, and PostgreSQL's English configuration drops them, as it
# would in real articles).
HEAD = """
the of to and a in said that for on is with was it by as at from its has be are have
will an this which market year company not but or more than its new percent after
also smartphone were about been had who their would phones up one two sales first
other last into could brand billion price over out market share growth million quarter
customers business some all when like they devices while there because india china
people mobile just only such through them own most world report industry analysts
time since high three rivals before since according make can years where expected
sold shipments online stores demand carriers launched launch models premium budget
early plans deal government however between chief executive global data best
country lower higher local prices products under next offer during much around
service network users made top even our well still rise fell strong week month
support second both cost these those any those against companies manufacturing
investment revenue profit margins capacity factory factories supply chain components
chips display battery camera software update retail partners partnership
distribution channel consumers survey research firm estimate estimates forecast
value volume competition competitor competitors smartphones handsets tablets
wearables laptops televisions region regional national international exports
imports tariffs regulators regulation approval license security concerns ban
sanctions investors shares stock listing funding round valuation startup founder
president officer director team engineers design designs features feature screen
memory storage processor chipset modem antenna charging wireless network networks
operator operators subscribers subscription contract contracts discount discounts
promotion advertising campaign marketing sponsorship retailer retailers warehouse
logistics shipping delivery courier inventory backlog shortage surplus currency
exchange inflation economy economic recession slowdown recovery rebound outlook
guidance targets target goal strategy strategic expansion entry exit withdrawal
acquisition merger stake joint venture alliance agreement memorandum negotiation
talks lawsuit patent court ruling appeal fine penalty probe investigation antitrust
dominance leader leadership ranking ranked position overtook overtaking trailing
""".split()  # noqa: SIM905 - a paragraph of words reads better than 300 quoted ones

SYLLABLES = [
    "ka", "zen", "tri", "vo", "lex", "mar", "qua", "dor", "fin", "tel", "ion", "sky",
    "neo", "bit", "ora", "pha", "cyr", "um", "lux", "vex", "zo", "ra", "mi", "to",
    "bel", "gor", "nu", "pri", "sal", "tan", "ul", "wen", "yor", "das", "ek", "fu",
]  # fmt: skip
COMPANY_SUFFIXES = ["", "", "", " Mobile", " Holdings", " Group", " Technologies", " Electronics", " Systems"]

# (event type, lead sentence template, role of {b}). {a} and {b} are companies,
# {m} a market, {t} a time phrase.
EVENT_KINDS = [
    ("market_entry", "{a} plans to enter the {m} market {t}, a move that puts pressure on {b}", "target"),
    ("market_exit", "{a} will pull out of {m} {t}, leaving the field to {b}", "target"),
    ("partnership", "{a} signed a distribution deal with {b} in {m} {t}", "partner"),
    ("product_launch", "{a} launched a new handset in {m} {t}, weeks after {b} cut its prices", "target"),
    ("pricing", "{a} cut prices on its phones in {m} {t} to compete with {b}", "target"),
    ("acquisition", "{a} agreed to buy {b} to expand in {m} {t}", "target"),
    ("financing", "{a} raised new funding with {b} as lead investor to grow in {m} {t}", "partner"),
    ("market_position", "{a} overtook {b} as the third largest brand in {m} {t}", "target"),
    ("regulatory_action", "Regulators in {m} fined {a} {t} after a complaint by {b}", "target"),
]
TIME_PHRASES = ["next year", "this quarter", "by the end of the year", "last month", "this year", "next month"]
ASIDES = [
    "Shares of {c} rose after the news.",
    "{c} declined to comment.",
    "Analysts compared the move with the strategy of {c}.",
    "A spokesperson for {c} said the company was watching the market closely.",
]
FIRST_DAY = date(2010, 1, 1)
LAST_DAY = date(2025, 12, 31)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Counts:
    articles: int = 0
    mentions: int = 0
    companies: int = 0
    events: int = 0
    participants: int = 0
    event_markets: int = 0
    evidence: int = 0
    sources: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def sizes(scale: float) -> tuple[int, int]:
    """Articles and companies at ``scale`` (1.0 = the issue's million and 100,000)."""
    return max(100, round(ARTICLES * scale)), max(100, round(COMPANIES * scale))


def vocabulary() -> tuple[list[str], np.ndarray]:
    """The words and their cumulative Zipf probabilities, most frequent first."""
    head: list[str] = []
    seen: set[str] = set()
    for word in HEAD:
        if word not in seen:
            seen.add(word)
            head.append(word)
    rng = random.Random(1234)
    tail: list[str] = []
    while len(tail) < TAIL_WORDS:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 4)))
        if word not in seen:
            seen.add(word)
            tail.append(word)
    words = head + tail
    weights = 1.0 / np.arange(1, len(words) + 1, dtype=np.float64) ** ZIPF_EXPONENT
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    return words, cdf


def expected_document_share(words_per_article: float = 190.0) -> dict[str, float]:
    """For each vocabulary word: the expected share of articles that contain it."""
    words, cdf = vocabulary()
    p = np.diff(np.concatenate([[0.0], cdf]))
    share = 1.0 - (1.0 - p) ** words_per_article
    return dict(zip(words, share.tolist(), strict=True))


def search_terms() -> dict[str, str]:
    """Search terms from rare to very common, picked from the vocabulary.

    Rare: in about 0.005% of articles (50 of a million); middling: about 1%;
    frequent: about 3.5%, where ranking the most recent matches costs the most
    (too many matches to fetch them all, too few for the newest rows to match
    soon); very common: the most frequent word the English configuration does
    not drop as a stop word (in most articles). Generated tail words for the
    first three, so no stemming merges them with another word.
    """
    closest = _closest_word()
    return {
        "rare": closest(0.00005, tail=True),
        "middling": closest(0.01, tail=True),
        "frequent": closest(0.035, tail=True),
        "common": "said",
    }


def sweep_terms() -> dict[str, str]:
    """More queries between and around ``search_terms`` (``bench/api.py --sweep``): single words
    at other shares of articles, and two-word queries (both words; either word)."""
    closest = _closest_word()
    base = search_terms()
    return {
        "0.1%": closest(0.001, tail=True),
        "0.3%": closest(0.003, tail=True),
        "2%": closest(0.02, tail=True),
        "6%": closest(0.06, tail=False),
        "15%": closest(0.15, tail=False),
        "both words": f"{base['middling']} {base['frequent']}",
        "either word": f"{base['middling']} or {base['frequent']}",
    }


def _closest_word() -> Callable[..., str]:
    """``closest(share, tail=…)``: the word whose expected share of articles is nearest, among the
    generated tail words (no stemming merges them) or the whole vocabulary."""
    share = expected_document_share()
    words = list(share)
    tail_words = words[len(words) - TAIL_WORDS :]

    def closest(target: float, *, tail: bool) -> str:
        return min(tail_words if tail else words, key=lambda w: abs(share[w] - target))

    return closest


class _Words:
    """Zipf-distributed word indices, drawn in large numpy batches (one call per million)."""

    def __init__(self, seed: int) -> None:
        self.words, self.cdf = vocabulary()
        self.rng = np.random.default_rng(seed)
        self.buffer: list[int] = []
        self.pos = 0

    def take(self, n: int) -> list[str]:
        if self.pos + n > len(self.buffer):
            self.buffer = np.searchsorted(self.cdf, self.rng.random(1_000_000)).tolist()
            self.pos = 0
        words = self.words
        out = [words[i] for i in self.buffer[self.pos : self.pos + n]]
        self.pos += n
        return out


def company_names(n: int, rng: random.Random) -> list[str]:
    """``n`` distinct company names (distinct ignoring case, so their slugs are distinct too)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        name += rng.choice(COMPANY_SUFFIXES)
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


class _Text:
    """Builds a body and records where each named thing landed in it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.spans: list[tuple[int, int, str, str, int]] = []  # start, end, text, kind, id

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def name(self, text: str, kind: str, pk: int) -> None:
        self.spans.append((self.length, self.length + len(text), text, kind, pk))
        self.add(text)

    def template(self, template: str, names: dict[str, tuple[str, str, int]]) -> None:
        """Fill ``template``'s ``{x}`` fields: a named thing becomes a span, a plain string is text."""
        rest = template
        while "{" in rest:
            before, _, after = rest.partition("{")
            key, _, rest = after.partition("}")
            self.add(before)
            text, kind, pk = names[key]
            if kind:
                self.name(text, kind, pk)
            else:
                self.add(text)
        self.add(rest)

    def body(self) -> str:
        return "".join(self.parts)


@dataclass
class _Event:
    id: int
    kind: int
    a: int
    b: int
    market: int
    day: date


def load_dataset(dsn: str, scale: float = 1.0, seed: int = 42, log: bool = True) -> Counts:
    """Fill the migrated database at ``dsn``; return how many rows of each kind went in.

    Secondary indexes of the loaded tables are dropped first and built again at
    the end (one sorted build beats a million index insertions, and the GIN index
    on ``search_vector`` most of all); foreign keys are not checked row by row
    (``session_replication_role = replica``: the generator makes only valid
    references, and the check triggers would double the load time). Needs a
    superuser, as the local benchmark server's ``postgres`` is.
    """
    n_articles, n_companies = sizes(scale)
    counts = Counts()
    rng = random.Random(seed)
    words = _Words(seed)
    started = time.perf_counter()

    def say(message: str) -> None:
        if log:
            print(f"  [{time.perf_counter() - started:6.1f} s] {message}", flush=True)

    with psycopg.connect(dsn, autocommit=True) as conn:
        markets = conn.execute("SELECT id, name FROM intel_market WHERE kind = 'country' ORDER BY id").fetchall()
        if not markets:
            raise RuntimeError("No reference markets: run the migrations first.")
        tables = [
            "intel_article", "intel_mention", "intel_company", "intel_source", "intel_event",
            "intel_eventparticipant", "intel_event_markets", "intel_evidence",
        ]  # fmt: skip
        dropped = _drop_secondary_indexes(conn, tables)
        say(f"dropped {len(dropped)} secondary indexes for the load")

    names = company_names(n_companies, rng)
    with ExitStack() as stack:
        # One connection per table, so every COPY streams at once and the server
        # works on articles (to_tsvector is its heaviest part) while Python
        # generates the next rows.
        def copy(table: str, columns: str) -> psycopg.Copy:
            conn = stack.enter_context(psycopg.connect(dsn))
            conn.execute("SET session_replication_role = replica")
            conn.execute("SET synchronous_commit = off")
            return stack.enter_context(conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN"))

        now = EPOCH
        sources = copy("intel_source", "id, name, slug, kind, domain, reliability, description")
        grades = "AABBBBCCCCDDEF"
        domains = []
        for i in range(1, SOURCES + 1):
            stem = "".join(rng.choice(SYLLABLES) for _ in range(3))
            name = f"The {stem.capitalize()} {rng.choice(['Times', 'Herald', 'Post', 'Wire', 'Journal', 'Daily'])}"
            domain = f"{stem}{i}.example"
            domains.append(domain)
            sources.write_row((i, name, f"{stem}-{i}", "news_site", domain, rng.choice(grades), ""))
        counts.sources = SOURCES

        companies = copy(
            "intel_company",
            "id, review_status, confidence, method, method_detail, name, slug, website, description, ticker, "
            "wikidata_id, watched, created_at, updated_at, headquarters_id",
        )
        for i, name in enumerate(names, start=1):
            proposed = i % 4 == 0  # a quarter were discovered in the news and await review
            companies.write_row(
                (i, "proposed" if proposed else "confirmed", 0.8 if proposed else 1.0,
                 "discovered" if proposed else "import", "", name, name.lower().replace(" ", "-"), "", "", "", "",
                 i % 100 == 0, now, now, rng.choice(markets)[0] if i % 3 else None)
            )  # fmt: skip
        counts.companies = n_companies
        say(f"{n_companies:,} companies and {SOURCES} sources")

        articles = copy(
            "intel_article",
            "id, url, title, author, published_on, published_precision, retrieved_at, language, body, "
            "content_hash, status, created_at, source_id",
        )
        mentions = copy(
            "intel_mention",
            'id, review_status, confidence, method, method_detail, start, "end", text, article_id, company_id, '
            "market_id",
        )
        events = copy(
            "intel_event",
            "id, review_status, confidence, method, method_detail, type, status, summary, time_start, time_end, "
            "time_precision, time_phrase, created_at, updated_at",
        )
        participants = copy("intel_eventparticipant", "id, role, company_id, event_id")
        event_markets = copy("intel_event_markets", "id, event_id, market_id")
        evidence = copy("intel_evidence", 'id, start, "end", text, created_at, article_id, event_id')

        days = (LAST_DAY - FIRST_DAY).days
        recent: list[_Event] = []
        statuses = ["announced", "announced", "planned", "rumoured", "completed", "in_progress"]
        for i in range(1, n_articles + 1):
            # More news in recent years: the square root skews the days towards the end.
            day = FIRST_DAY + timedelta(days=int(days * rng.random() ** 0.5))
            text = _Text()
            roll = rng.random()
            if i % ARTICLES_PER_EVENT == 0 or not recent:
                event = _Event(
                    counts.events + 1, rng.randrange(len(EVENT_KINDS)), rng.randrange(n_companies),
                    rng.randrange(n_companies), rng.randrange(len(markets)), day,
                )  # fmt: skip
                if event.b == event.a:
                    event.b = (event.a + 1) % n_companies
                new_event = True
            elif roll < 0.45:
                # Another outlet reports an event already known: more evidence for it.
                event = rng.choice(recent)
                new_event = False
            else:
                event = None
                new_event = False

            if event is not None:
                kind, template, role = EVENT_KINDS[event.kind]
                a, b = names[event.a], names[event.b]
                market_id, market = markets[event.market]
                phrase = rng.choice(TIME_PHRASES)
                values = {
                    "a": (a, "company", event.a + 1),
                    "b": (b, "company", event.b + 1),
                    "m": (market, "market", market_id),
                    "t": (phrase, "", 0),
                }
                text.template(template + ".", values)
                lead_end = text.length
                title = template.split(",")[0].format(a=a, b=b, m=market, t=phrase)
            else:
                ca, cb = rng.randrange(n_companies), rng.randrange(n_companies)
                market_id, market = rng.choice(markets)
                values = {
                    "a": (names[ca], "company", ca + 1),
                    "b": (names[cb], "company", cb + 1),
                    "m": (market, "market", market_id),
                }
                text.template("{a} and {b} are fighting for customers in {m}, industry watchers say.", values)
                title = f"{names[ca]} and {names[cb]} in {market}"
                lead_end = 0

            # Filler paragraphs up to a length of 1-2 KB, with an aside naming another company.
            target = rng.randint(1000, 2000)
            aside_at = rng.randint(2, 6)
            n_sentence = 0
            while text.length < target:
                text.add("\n\n" if n_sentence % 4 == 0 else " ")
                n_sentence += 1
                if n_sentence == aside_at:
                    c = rng.randrange(n_companies)
                    text.template(rng.choice(ASIDES), {"c": (names[c], "company", c + 1)})
                    continue
                sentence = words.take(rng.randint(8, 24))
                sentence[0] = sentence[0].capitalize()
                text.add(" ".join(sentence) + ".")
            body = text.body()
            source = rng.randrange(SOURCES)
            retrieved = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=rng.randint(1, 30))
            articles.write_row(
                (i, f"https://{domains[source]}/{day.year}/{day.month:02d}/story-{i}", title[:500], "", day, "day",
                 retrieved, "en", body, hashlib.sha256(" ".join(body.split()).encode()).hexdigest(), "processed",
                 retrieved, source + 1)
            )  # fmt: skip
            counts.articles += 1
            for start, end, name, kind, pk in text.spans:
                counts.mentions += 1
                confirmed = counts.mentions % 3 == 0
                mentions.write_row(
                    (counts.mentions, "confirmed" if confirmed else "proposed", 0.95, "gazetteer", "", start, end,
                     name, i, pk if kind == "company" else None, pk if kind == "market" else None)
                )  # fmt: skip

            if event is not None:
                if new_event:
                    counts.events += 1
                    recent.append(event)
                    if len(recent) > 2000:
                        recent.pop(0)
                    time_start = day + timedelta(days=rng.randint(0, 365))
                    events.write_row(
                        (event.id, "proposed" if event.id % 3 else "confirmed", 0.9, "rule", EVENT_KINDS[event.kind][0],
                         EVENT_KINDS[event.kind][0], rng.choice(statuses), body[:lead_end][:500], time_start,
                         time_start + timedelta(days=rng.randint(0, 90)), "month", phrase, retrieved, retrieved)
                    )  # fmt: skip
                    counts.participants += 1
                    participants.write_row((counts.participants, "actor", event.a + 1, event.id))
                    counts.participants += 1
                    participants.write_row((counts.participants, role, event.b + 1, event.id))
                    counts.event_markets += 1
                    event_markets.write_row((counts.event_markets, event.id, market_id))
                counts.evidence += 1
                evidence.write_row((counts.evidence, 0, lead_end, body[:lead_end], retrieved, i, event.id))
            if i % 100_000 == 0:
                say(f"{i:,} articles generated")
        say(
            f"{counts.articles:,} articles, {counts.mentions:,} mentions, {counts.events:,} events, "
            f"{counts.evidence:,} evidence rows sent; committing"
        )
    counts.seconds["copy"] = time.perf_counter() - started

    with psycopg.connect(dsn, autocommit=True) as conn:
        # Identity columns were given explicit values: move their sequences past them.
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - our own table names
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        conn.execute("SET maintenance_work_mem = '1GB'")
        for name, definition in dropped:
            step = time.perf_counter()
            conn.execute(definition)
            if time.perf_counter() - step > 5:
                say(f"index {name} built in {time.perf_counter() - step:.0f} s")
        say("indexes rebuilt")
        counts.seconds["indexes"] = time.perf_counter() - started - counts.seconds["copy"]
        # VACUUM sets the visibility map (index-only scans) and hint bits, and leaves
        # autovacuum nothing to do while the benchmark runs; ANALYZE gives the planner statistics.
        conn.execute("VACUUM ANALYZE")
        say("vacuumed and analysed")
    counts.seconds["total"] = time.perf_counter() - started
    return counts


def _drop_secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str]]:
    """Drop the indexes of ``tables`` that back no constraint; return their names and definitions."""
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        ORDER BY t.relname, i.relname
        """,
        [tables],
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [(name, definition) for name, definition in rows]
