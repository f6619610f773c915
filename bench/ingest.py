"""Ingestion throughput against raw baselines measured in the same run.

1. Tagging: the known-entities stage (gazetteer lookup with whole-word, possessive,
   longest-match and demonym rules) against bare pyahocorasick iteration over the
   same texts with the same automaton keys.
2. End to end: ``ingest_articles`` (all nine stages, bulk writes, one transaction
   per batch) into PostgreSQL, against the bare trained pipeline (``nlp.pipe`` of the
   same model with the same components over the same texts, which ingestion cannot
   beat) and a raw psycopg ``COPY`` of the same article and mention rows into scratch
   tables. The share of each stage in the ingest's time is printed too. A worker's steady state: one batch of
   other articles first, untimed (it loads spaCy and builds the gazetteer), with
   its CPU time printed apart.

The gazetteer holds 10,000 generated companies with aliases plus the reference
markets; a second run with 100,000 names shows how the cost grows. Needs a
PostgreSQL server; it creates (and drops) the database ``rivalscope_bench``.

    python bench/ingest.py [--articles 2000] [--companies 10000] [--big 100000] [--batch 200]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "rivalscope_bench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# A worker runs with DEBUG off; on, Django wraps every cursor to keep each query's SQL.
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

SYLLABLES = [
    "ka", "zen", "tri", "vo", "lex", "mar", "qua", "dor", "fin", "tel", "ion", "sky",
    "neo", "bit", "ora", "pha", "cyr", "um", "lux", "vex", "zo", "ra", "mi", "to",
]  # fmt: skip
SUFFIXES = ["", "", " Holdings", " Group", " Technologies", " Mobile", " Electronics", " Systems"]
MARKETS = ["India", "the US", "Europe", "China", "Brazil", "Indonesia", "Germany", "Japan", "Nigeria", "Mexico"]
PHRASES = ["next year", "this quarter", "in 2019", "by the end of the year", "last month", "Q3"]
# Words for filler sentences: every article gets its own, so that articles are not
# near-duplicates of each other (real news is not a template).
VOCABULARY = (  # noqa: SIM905 - a paragraph reads better than 80 quoted words
    "analysts expect the move to put pressure on rivals that rely on carrier contracts premium pricing company "
    "has invested heavily in retail partnerships online channels over past two years industry watchers say "
    "political climate supply constraints remain main risks for plan shipments grew quarter while demand for "
    "handsets slowed across region distributors reported inventory levels margins cameras batteries displays "
    "chips software updates customers loyalty brand awareness advertising spending operators subsidies stores "
    "factories production capacity costs currency exchange rates tariffs components memory prices forecast"
).split()


def filler(rng: random.Random, sentences: int = 3) -> str:
    return " ".join(
        " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(12, 20))).capitalize() + "."
        for _ in range(sentences)
    )


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def company_names(n: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        names.add(word + rng.choice(SUFFIXES))
    return sorted(names)


def load_companies(names: list[str]) -> None:
    from intel.choices import ReviewStatus
    from intel.models import Company, CompanyAlias
    from intel.models.slugs import unique_slug  # noqa: F401 - slugs are made below in bulk

    companies = [
        Company(name=name, slug=f"c-{i}", review_status=ReviewStatus.CONFIRMED) for i, name in enumerate(names)
    ]
    Company.objects.bulk_create(companies, batch_size=5000)
    aliases = [
        CompanyAlias(company=c, text=c.name.split()[0].upper()[:6] + "X", case_sensitive=True)
        for c in companies
        if " " in c.name
    ]
    CompanyAlias.objects.bulk_create(aliases, batch_size=5000, ignore_conflicts=True)


def article(i: int, names: list[str], rng: random.Random) -> str:
    a, b, c = rng.sample(names, 3)
    market = rng.choice(MARKETS)
    phrase = rng.choice(PHRASES)
    newcomer = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
    parts = [
        f"Story {i}. {a} appears to be geared up to enter the {market.replace('the ', '')} market {phrase}.",
        f"Its chief executive told reporters that talks with {b} and local carriers were going well.",
        f'"We hope we can do something there {phrase}," the executive said in an interview with Reuters.',
        f"Rival {c} cut prices on its budget phones, while {newcomer} launched its first handset in {market}.",
        f"{a} is already the third largest smartphone brand in {market} by volume, ahead of {c}.",
        filler(rng, 6),
        f"Regulators in {market} imposed sanctions on {b} over security concerns, the report said.",
        filler(rng, 6),
    ]
    return " ".join(parts)[:2400]


def bench_tagging(texts: list[str]) -> tuple[float, float, int]:
    from intel.ingest.gazetteer import lower_same_length
    from intel.ingest.gazetteer_cache import get_gazetteer
    from intel.ingest.known_entities import demonym_means_market

    gazetteer = get_gazetteer()
    automaton = gazetteer.automaton

    def raw() -> None:
        # Matching names in any case needs lower-cased text, raw or not.
        for text in texts:
            for _ in automaton.iter(lower_same_length(text)):
                pass

    def stage() -> None:
        for text in texts:
            for match in gazetteer.find(text):
                if match.entry.demonym:
                    demonym_means_market(text, match)

    # Interleaved, best of seven each: the two figures see the same machine state.
    raw_runs, stage_runs = [], []
    for _ in range(7):
        raw_runs.append(_timed(raw))
        stage_runs.append(_timed(stage))
    raw_s, stage_s = min(raw_runs), min(stage_runs)
    return raw_s, stage_s, gazetteer.size


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _backend_cpu(pid: int) -> float | None:
    """CPU seconds of the PostgreSQL backend serving this process, when it runs on this host."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_end_to_end(warmup: list[str], texts: list[str], batch: int) -> tuple[float, int, float, float | None, float]:
    """Wall seconds, mentions stored, the CPU seconds of this process and of its
    database backend, and the CPU seconds of the untimed first batch.

    A worker ingests for as long as it runs: the figures are its steady state. The
    first batch (``warmup``, other articles) loads spaCy and builds the gazetteer
    once per process, and is timed apart. On a machine shared with other work the
    wall time moves with the load; the CPU the ingest itself used (client and
    server) moves much less.
    """
    from django.db import connection

    from intel.ingest.context import IngestInput
    from intel.ingest.pipeline import ingest_articles
    from intel.models import Mention

    def inputs_of(texts: list[str]) -> list[IngestInput]:
        return [IngestInput(text=t, published="2018-07", source="Bench Wire") for t in texts]

    startup = time.process_time()
    ingest_articles(inputs_of(warmup))
    STAGE_SECONDS.clear()
    startup = time.process_time() - startup
    # Planner statistics of the tables the first batch filled, as autovacuum gathers
    # them in a live database within a minute. Without them the plans PostgreSQL
    # caches for the foreign-key checks at commit may scan the tables they were made
    # for while still small, and go on scanning as they grow: batches of 50 spent
    # three times the database CPU of batches of 200 on it.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    mentions_before = Mention.objects.count()
    inputs = inputs_of(texts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    server_before, client_before = _backend_cpu(backend), time.process_time()
    started = time.perf_counter()
    for i in range(0, len(inputs), batch):
        ingest_articles(inputs[i : i + batch])
    elapsed = time.perf_counter() - started
    client = time.process_time() - client_before
    server_after = _backend_cpu(backend)
    server = server_after - server_before if server_before is not None and server_after is not None else None
    return elapsed, Mention.objects.count() - mentions_before, client, server, startup


STAGE_SECONDS: dict[str, float] = {}


def _time_stages() -> None:
    """Wrap the pipeline's stage runner to add up each stage's wall time."""
    from intel.ingest import pipeline

    plain = pipeline._run_stage

    def timed(stage, batch, env):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            plain(stage, batch, env)
        finally:
            STAGE_SECONDS[stage.NAME] = STAGE_SECONDS.get(stage.NAME, 0.0) + time.perf_counter() - started

    pipeline._run_stage = timed


def bench_bare_pipe(texts: list[str], batch: int) -> float:
    """Seconds for the bare trained pipeline over the texts, batched as the ingest batches them."""
    from intel.ingest.nlp import model

    nlp = model()
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        for _ in nlp.pipe(texts[i : i + batch]):
            pass
    return time.perf_counter() - started


def bench_copy(texts: list[str], mentions: int) -> float:
    """COPY the same article rows, and as many mention rows, into scratch tables
    (binary, as the ingest sends its rows)."""
    import datetime
    import hashlib

    from django.db import connection

    per_article = max(1, mentions // len(texts))
    day = datetime.date(2018, 7, 1)
    moment = datetime.datetime(2018, 7, 1, tzinfo=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE copy_article (LIKE intel_article INCLUDING DEFAULTS)")
        cursor.execute("CREATE TEMP TABLE copy_mention (LIKE intel_mention INCLUDING DEFAULTS)")
        raw = cursor.connection
        started = time.perf_counter()
        with raw.cursor() as cur:
            with cur.copy(
                "COPY copy_article (id, url, title, author, published_on, published_precision, retrieved_at, "
                "language, body, content_hash, status, created_at) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "varchar", "varchar", "varchar", "date", "varchar", "timestamptz", "varchar",
                                "text", "varchar", "varchar", "timestamptz"])  # fmt: skip
                for i, text in enumerate(texts):
                    copy.write_row(
                        (i, "", text[:60], "", day, "month", moment, "en", text,
                         hashlib.sha256(text.encode()).hexdigest(), "processed", moment)
                    )  # fmt: skip
            with cur.copy(
                'COPY copy_mention (id, article_id, start, "end", text, company_id, review_status, confidence, '
                "method, method_detail) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "int8", "int4", "int4", "varchar", "int8", "varchar", "float8", "varchar",
                                "varchar"])  # fmt: skip
                n = 0
                for i in range(len(texts)):
                    for j in range(per_article):
                        n += 1
                        copy.write_row((n, i, j * 10, j * 10 + 6, "Xiaomi", 1, "proposed", 0.95, "gazetteer", ""))
        return time.perf_counter() - started


def run(companies: int, articles: int, batch: int) -> None:
    import django

    reset_database()
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    names = company_names(companies, rng)
    load_companies(names)
    # Planner statistics of the companies, as autovacuum would have gathered them by
    # the time a real database holds this many: without them, lookups by key scan the
    # table. Only these: statistics of the still empty ingest tables would tell the
    # planner they stay empty, and its plans would go wrong as they fill.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intel_company, intel_companyalias")
    texts = [article(i, names, rng) for i in range(articles + batch)]
    texts, warmup = texts[:articles], texts[articles:]
    raw_s, stage_s, keys = bench_tagging(texts)
    mb = sum(len(t) for t in texts) / 1e6
    print(f"gazetteer: {keys:,} names and aliases ({companies:,} companies + reference markets)")
    print(f"  tagging, raw pyahocorasick    {mb / raw_s:8.1f} MB/s")
    print(f"  tagging, known-entities stage {mb / stage_s:8.1f} MB/s   ratio {raw_s / stage_s:.2f}x")
    if articles == 0:
        return
    _time_stages()
    e2e_s, mentions, client_s, server_s, startup_s = bench_end_to_end(warmup, texts, batch)
    bare_s = bench_bare_pipe(texts, batch)
    copy_s = bench_copy(texts, mentions)
    print(f"  end to end into PostgreSQL    {articles / e2e_s:8.0f} articles/s ({mentions:,} mentions, batch {batch})")
    print(f"  bare nlp.pipe, same texts     {articles / bare_s:8.0f} articles/s   ratio {bare_s / e2e_s:.2f}x")
    print(f"  raw COPY of the same rows     {articles / copy_s:8.0f} articles/s   ratio {copy_s / e2e_s:.3f}x")
    staged = sum(STAGE_SECONDS.values())
    shares = ", ".join(f"{name} {seconds / staged:.0%}" for name, seconds in STAGE_SECONDS.items())
    print(f"  share of each stage: {shares}")
    cpu = f"  CPU per article: ingest process {client_s / articles * 1000:.2f} ms"
    if server_s is not None:
        total = client_s + server_s
        cpu += f" + PostgreSQL backend {server_s / articles * 1000:.2f} ms = {articles / total:.0f} articles/s per core"
    print(cpu)
    print(f"  first batch, untimed: {startup_s * 1000:.0f} ms of CPU (spaCy loaded, gazetteer built: once a process)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--big", type=int, default=0, help="Second, larger gazetteer (0 to skip).")
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    print(f"bench/ingest.py: {args.articles} articles of about 2 KB, one process")
    try:
        run(args.companies, args.articles, args.batch)
    finally:
        drop_database()  # a scratch database: nothing of it is worth keeping
    if args.big:
        # Only the tagging cost depends much on the gazetteer size: measure it alone.
        import subprocess

        subprocess.run(
            [sys.executable, __file__, "--companies", str(args.big), "--articles", "300", "--big", "0",
             "--batch", str(args.batch)],
            check=True,
        )  # fmt: skip


if __name__ == "__main__":
    main()
