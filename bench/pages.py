"""Latency of the analysts' pages in the admin, against raw baselines measured in the same run.

Each page (the dashboard, a company's profile and brief, a market's page, the
market-entry matrix, the review inbox, search, an article) is requested in this
process with Django's test ``Client``, logged in as a superuser: the whole stack
but the network (middleware, the session, the admin's login check, the page's
queries, its template). Its baseline is a plain view under ``/bench/raw/pages/``,
requested by the same client through the same middleware, that calls the same
``intel.workspace`` functions with the same arguments and returns a few of their
fields as ``JsonResponse``: no template, no admin context, no chart. The
difference is what presenting the page costs, including any query its template
makes that the workspace functions did not.

After three warm-up requests of each side, ``--requests`` of each (30 by default)
are interleaved, raw then page, so that both see the same machine. The table
gives p50 and p95 of each side in ms, the ratio of the raw p95 to the page's p95
(1.0: the page costs nothing over its queries) and the SQL queries one request of
each side makes. The issue's aim: p95 at most 300 ms for every page.

Subjects are picked from the data as an analyst would pick them: the company with
the most mentions (its profile, its brief, a search for its name, the latest
article that is evidence for one of its events), the market with the most
events, the matrix of the ten most mentioned companies (``?company=`` each),
which are also marked watched and put in the analyst's watchlist so the dashboard
has watched companies to report on; search also runs for a word in about 3.5% of
the articles (``bench.dataset.search_terms``, "frequent"). The generated news ends
on 2025-12-31: both sides run with ``timezone.localdate()`` set to that day, so
that the dashboard's last weeks and "new since Monday" hold news.

The data: ``bench/dataset.py`` loads, at ``--scale 0.1``, 100,000 articles with
their mentions, 10,000 companies and 20,000 events with participants and evidence
into the scratch database ``rivalscope_pagesbench`` with ``COPY`` (under a
minute), then drops it at the end unless ``--keep``; ``--reuse`` takes a kept one
as it is (migrating it).

    .venv/bin/python bench/pages.py [--scale 0.1] [--requests 30] [--keep | --reuse] [--page NAME ...]
                                    [--slowest N] [--gc-freeze]

``--slowest N`` prints each page's N slowest SQL statements (of its first request);
``--gc-freeze`` calls ``gc.freeze()`` once every page is warm (web workers do not
today): the tail of the pages that build many objects is the cyclic collector's
full collections of the whole heap.

``BENCH_PG`` names another PostgreSQL server (default postgres://postgres@127.0.0.1:5432),
``BENCH_DB`` another scratch database name.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import mock
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
if __name__ == "__main__":
    # This module is also the benchmark's URL conf (bench/pages_settings.py): Django's
    # import of ``bench.pages`` finds this run's module instead of loading a second copy.
    sys.modules.setdefault("bench.pages", sys.modules["__main__"])
BENCH_DB = os.environ.get("BENCH_DB", "rivalscope_pagesbench")
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DSN = f"{SERVER}/{BENCH_DB}"
os.environ["DATABASE_URL"] = DSN
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")

from bench import dataset  # noqa: E402

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import URLPattern

USERNAME = "bench-analyst"
WARMUP = 3
TARGET_P95_MS = 300.0
TOP_COMPANIES = 10
# The day the generated news ends: "today" for the dashboard's weeks and the profile's changes.
TODAY = dataset.LAST_DAY


# --- the scratch database -----------------------------------------------------------


def _admin(sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def database_exists() -> bool:
    return bool(_admin(f"SELECT 1 FROM pg_database WHERE datname = '{BENCH_DB}'"))  # noqa: S608 - a constant


def drop_database() -> None:
    _admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def prepare(scale: float, reuse: bool) -> str:
    """Create, migrate and fill the database (or take the kept one); say what it holds."""
    import django

    if reuse and database_exists():
        django.setup()
        from django.core.management import call_command

        from intel.models import Article, Company, Event

        call_command("migrate", verbosity=0)  # migrations added since the data was loaded
        return (
            f"reused: {Article.objects.count():,} articles, {Company.objects.count():,} companies, "
            f"{Event.objects.count():,} events"
        )
    drop_database()
    _admin(f"CREATE DATABASE {BENCH_DB}")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"loading the dataset at scale {scale} (COPY)…", flush=True)
    counts = dataset.load_dataset(DSN, scale)
    return (
        f"loaded in {counts.seconds['total']:.0f} s: {counts.articles:,} articles, {counts.mentions:,} mentions, "
        f"{counts.companies:,} companies, {counts.events:,} events, {counts.participants:,} participants, "
        f"{counts.evidence:,} evidence rows"
    )


# --- what is asked for --------------------------------------------------------------


@dataclass
class Subjects:
    company_id: int
    company_name: str
    company_mentions: int
    top_ids: list[int]
    market_id: int
    market_name: str
    market_events: int
    article_id: int
    word: str


def pick_subjects() -> Subjects:
    """The busiest company, market and article; the top companies watched by the analyst."""
    from django.contrib.auth.models import User
    from django.db.models import Count

    from intel.models import Company, Event, Evidence, Market, Mention, Watchlist

    top = list(
        Mention.objects.filter(company__isnull=False)
        .values_list("company_id")
        .annotate(n=Count("id"))
        .order_by("-n", "company_id")[:TOP_COMPANIES]
    )
    if not top:
        raise RuntimeError("no company is mentioned: is the dataset loaded?")
    top_ids = [pk for pk, _ in top]
    company = Company.objects.get(pk=top_ids[0])
    market_id, market_events = (
        Event.markets.through.objects.values_list("market_id").annotate(n=Count("id")).order_by("-n", "market_id")[0]
    )
    evidence = (
        Evidence.objects.filter(event__participants__company=company)
        .order_by("-article__published_on", "-article_id")
        .values_list("article_id", flat=True)
        .first()
    )
    article_id = evidence or Mention.objects.filter(company=company).order_by("-article_id")[0].article_id

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_superuser(USERNAME, f"{USERNAME}@example.com", password=None)
    Company.objects.filter(pk__in=top_ids).update(watched=True)
    watchlist, _ = Watchlist.objects.get_or_create(owner=user, name="Top rivals")
    watchlist.companies.set(top_ids)
    return Subjects(
        company_id=company.pk,
        company_name=company.name,
        company_mentions=top[0][1],
        top_ids=top_ids,
        market_id=market_id,
        market_name=Market.objects.get(pk=market_id).name,
        market_events=market_events,
        article_id=article_id,
        word=dataset.search_terms()["frequent"],
    )


def targets(s: Subjects) -> list[tuple[str, str, str]]:
    """(name, the page's path, its raw baseline's path) for every page measured."""
    from django.urls import reverse

    matrix = urlencode([("company", pk) for pk in s.top_ids])
    by_name = urlencode({"q": s.company_name})
    by_word = urlencode({"q": s.word})
    return [
        ("dashboard", reverse("admin:index"), "/bench/raw/pages/dashboard/"),
        ("company profile", reverse("admin:workspace_company", args=[s.company_id]),
         f"/bench/raw/pages/company/{s.company_id}/"),
        ("company brief", reverse("admin:workspace_brief", args=[s.company_id]),
         f"/bench/raw/pages/brief/{s.company_id}/"),
        ("market", reverse("admin:workspace_market", args=[s.market_id]), f"/bench/raw/pages/market/{s.market_id}/"),
        ("matrix, 10 companies", f"{reverse('admin:workspace_matrix')}?{matrix}", f"/bench/raw/pages/matrix/?{matrix}"),
        ("review inbox", reverse("admin:workspace_inbox"), "/bench/raw/pages/inbox/"),
        ("search, a company's name", f"{reverse('admin:workspace_search')}?{by_name}",
         f"/bench/raw/pages/search/?{by_name}"),
        ("search, a word in 3.5%", f"{reverse('admin:workspace_search')}?{by_word}",
         f"/bench/raw/pages/search/?{by_word}"),
        ("article", reverse("admin:workspace_article", args=[s.article_id]),
         f"/bench/raw/pages/article/{s.article_id}/"),
    ]  # fmt: skip


# --- the raw baselines: the same workspace functions, their fields as JSON ------------------


def _json(data: dict[str, Any]) -> HttpResponse:
    from django.http import JsonResponse

    return JsonResponse(data)


def _login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The raw views read the session's user too (the admin's pages check it is staff)."""

    def checked(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        from django.http import HttpResponseForbidden

        if not (request.user.is_active and request.user.is_staff):
            return HttpResponseForbidden()
        return view(request, **kwargs)

    return checked


def raw_dashboard(request: HttpRequest) -> HttpResponse:
    """``dashboard_context``'s workspace calls (the chart left out: it is presentation)."""
    from django.utils import timezone

    from intel.workspace import dashboard as d

    user = request.user
    today = timezone.localdate()
    since = d.last_monday(today)
    weekly = d.events_by_week(today)
    watched = d.watched_company_ids(user)
    return _json({
        "waiting": {w.kind: w.count for w in d.waiting_for_review(user)},
        "events_by_week": weekly.series,
        "watched": len(watched),
        "trends": [(t.company_id, t.name, t.this_week, t.last_week) for t in d.watched_trends(watched, today)],
        "new_events": [(e.pk, e.summary) for e in d.new_for_watchlist(watched, since)],
        "alerts": [a.pk for a in d.new_alerts(user)],
        "failing_feeds": [f.pk for f in d.failing_feeds()],
    })  # fmt: skip


def _company(pk: int) -> Any:
    """The company as the profile and the brief read it (``intel.admin.pages.companies``)."""
    from django.shortcuts import get_object_or_404

    from intel.models import Company

    return get_object_or_404(Company.objects.select_related("headquarters", "parent").prefetch_related(
        "aliases", "subsidiaries", "tags"), pk=pk)  # fmt: skip


def raw_company(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    from intel.admin.pages.companies import CHANGES_DAYS
    from intel.workspace.profile import changes_since, company_profile

    company = _company(pk)
    profile = company_profile(company)
    changes = changes_since(company, timezone.localdate() - timedelta(days=CHANGES_DAYS))
    return _json({
        "name": company.name,
        "timeline": [(t.event.pk, t.event.summary, t.independent_sources) for t in profile.timeline],
        "markets": [(m.market_id, m.name, m.group) for m in profile.markets],
        "articles": [(a.pk, a.title) for a in profile.articles],
        "quotes": [q.pk for q in profile.quotes],
        "activity": profile.activity[1],
        "changes": [(c.when, c.what, c.record) for c in changes],
    })  # fmt: skip


def raw_brief(request: HttpRequest, pk: int) -> HttpResponse:
    from intel.workspace.profile import company_profile

    company = _company(pk)
    profile = company_profile(company)
    return _json({
        "name": company.name,
        "events": [(t.event.pk, t.event.summary, t.independent_sources) for t in profile.timeline[:10]],
        "markets": [(m.market_id, m.group) for m in profile.markets],
        "quotes": [q.pk for q in profile.quotes],
    })  # fmt: skip


def raw_market(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    from intel.models import Market
    from intel.workspace.market_page import market_page

    market = get_object_or_404(Market.objects.select_related("base"), pk=pk)
    page = market_page(market)
    return _json({
        "name": market.name,
        "events": page.event_count,
        "sections": {
            section.key: [(block.company_id, [(line.event.pk, line.time, line.sources) for line in block.lines])
                          for block in section.blocks]
            for section in page.sections
        },
    })  # fmt: skip


def raw_matrix(request: HttpRequest) -> HttpResponse:
    from intel.workspace.matrix import entry_matrix, read_filters, within_choices

    filters = read_filters(dict(request.GET.lists()), user=request.user)
    matrix = entry_matrix(filters.companies, filters.markets, filters.segment, filters.start, filters.end)
    return _json({
        "markets": matrix.markets,
        "rows": [(row.company_id, [cell.text if cell else "" for cell in row.cells]) for row in matrix.rows()],
        "within": [m.pk for m in within_choices(filters.segment.within)],
        "problems": filters.problems,
    })  # fmt: skip


def raw_inbox(request: HttpRequest) -> HttpResponse:
    from intel.workspace import inbox

    visible = inbox.visible_kinds(request.user)
    filters, _ = inbox.read_filters(request.GET, visible=visible)
    page = inbox.inbox_items(filters.kind, filters.rule, filters.min_support, filters.page, kinds=visible)
    summary = inbox.queue_summary(visible)
    return _json({
        "count": page.count,
        "items": [(item.token, item.name, item.support_articles, item.snippet is not None) for item in page.items],
        "by_kind": summary.by_kind,
        "rules": [choice.value for choice in inbox.rule_choices(summary)],
    })  # fmt: skip


SEARCH_KINDS = {"companies": "company", "markets": "market", "people": "person", "products": "product",
                "articles": "article", "events": "event"}  # fmt: skip


def raw_search(request: HttpRequest) -> HttpResponse:
    from intel.workspace.searching import MAX_QUERY, search_everything

    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    kinds = {plural for plural, model in SEARCH_KINDS.items() if request.user.has_perm(f"intel.view_{model}")}
    results = search_everything(query, kinds=kinds)
    return _json({
        "names": {kind: [r.pk for r in records] for kind, records in results.names.items()},
        "articles": [(a.pk, a.title) for a in results.articles],
        "events": [(e.pk, e.summary) for e in results.events],
    })  # fmt: skip


def raw_article(request: HttpRequest, pk: int) -> HttpResponse:
    from django.shortcuts import get_object_or_404

    from intel.models import Article
    from intel.workspace.reading import article_reading

    article = get_object_or_404(Article.objects.select_related("source", "duplicate_of"), pk=pk)
    reading = article_reading(article)
    return _json({
        "title": article.title,
        "body": len(reading.body),
        "counts": reading.counts,
        "evidence": [(e.pk, e.event_id) for e in reading.evidence],
        "quotes": [q.pk for q in reading.quotes],
    })  # fmt: skip


def _urlpatterns() -> list[URLPattern]:
    from django.urls import path

    from config.urls import urlpatterns as project

    raw = _login_required
    return [
        path("bench/raw/pages/dashboard/", raw(raw_dashboard)),
        path("bench/raw/pages/company/<int:pk>/", raw(raw_company)),
        path("bench/raw/pages/brief/<int:pk>/", raw(raw_brief)),
        path("bench/raw/pages/market/<int:pk>/", raw(raw_market)),
        path("bench/raw/pages/matrix/", raw(raw_matrix)),
        path("bench/raw/pages/inbox/", raw(raw_inbox)),
        path("bench/raw/pages/search/", raw(raw_search)),
        path("bench/raw/pages/article/<int:pk>/", raw(raw_article)),
        *project,
    ]


def __getattr__(name: str) -> Any:
    """``urlpatterns``, built when Django first resolves a URL (after ``django.setup()``)."""
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --- the measurement ------------------------------------------------------------------------


@contextmanager
def clock(today: date) -> Iterator[None]:
    """``timezone.localdate()`` (without arguments) is ``today``: the day the data ends."""
    from django.utils import timezone

    real = timezone.localdate

    def localdate(value: datetime | None = None, timezone: Any = None) -> date:
        return today if value is None and timezone is None else real(value, timezone)

    with mock.patch("django.utils.timezone.localdate", localdate):
        yield


@dataclass
class Result:
    name: str
    page_path: str
    page_ms: list[float] = field(default_factory=list)
    raw_ms: list[float] = field(default_factory=list)
    page_queries: int = 0
    raw_queries: int = 0
    page_kb: float = 0.0
    slowest: list[tuple[float, str]] = field(default_factory=list)  # the page's SQL, slowest first
    error: str = ""


def _get(client: Client, path: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    response = client.get(path)
    ms = (time.perf_counter() - started) * 1000
    return ms, response.status_code, response.content


def _first(client: Client, path: str) -> tuple[int, list[tuple[float, str]], bytes]:
    """One request with its SQL statements captured: (status, [(ms, sql)], body)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _, status, body = _get(client, path)
    return status, [(float(q["time"]) * 1000, q["sql"]) for q in queries.captured_queries], body


def measure(client: Client, name: str, page: str, raw: str, requests: int) -> Result:
    result = Result(name, page)
    try:
        status, statements, body = _first(client, page)
        result.page_queries = len(statements)
        result.slowest = sorted(statements, reverse=True)
        if status != 200:
            result.error = f"GET {page} answered {status}: {body[:300]!r}"
            return result
        result.page_kb = len(body) / 1024
        status, statements, body = _first(client, raw)
        result.raw_queries = len(statements)
        if status != 200:
            result.error = f"GET {raw} (raw) answered {status}: {body[:300]!r}"
            return result
        for _ in range(WARMUP - 1):
            _get(client, raw)
            _get(client, page)
        for _ in range(requests):
            for path, samples in ((raw, result.raw_ms), (page, result.page_ms)):
                ms, status, body = _get(client, path)
                if status != 200:
                    raise RuntimeError(f"GET {path} answered {status} after answering 200: {body[:300]!r}")
                samples.append(ms)
    except Exception:  # a page that fails is reported, and the others still measured
        result.error = traceback.format_exc()
    return result


def percentile(samples: list[float], pct: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[pct - 1]


def report(results: list[Result], slowest: int) -> None:
    print(
        "\n| page | SQL queries (page / raw) | p50 | p95 | raw p50 | raw p95 | ratio p95 (raw / page) "
        f"| p95 ≤ {TARGET_P95_MS:.0f} ms |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in results:
        if r.error:
            print(f"| {r.name} | {r.page_queries or '–'} / {r.raw_queries or '–'} | failed | | | | | |")
            continue
        p50, p95 = percentile(r.page_ms, 50), percentile(r.page_ms, 95)
        raw50, raw95 = percentile(r.raw_ms, 50), percentile(r.raw_ms, 95)
        verdict = "met" if p95 <= TARGET_P95_MS else "MISSED"
        print(
            f"| {r.name} | {r.page_queries} / {r.raw_queries} | {p50:.1f} ms | {p95:.1f} ms | {raw50:.1f} ms "
            f"| {raw95:.1f} ms | {raw95 / p95:.2f}x | {verdict} |"
        )
    for r in results:
        if r.error:
            print(f"\n{r.name} ({r.page_path}) failed:\n{r.error}")
    for r in results if slowest else []:
        total = sum(ms for ms, _ in r.slowest)
        print(f"\n{r.name}: {r.page_queries} SQL statements, {total:.1f} ms in all (first request); the slowest:")
        for ms, sql in r.slowest[:slowest]:
            print(f"  {ms:8.1f} ms  {sql[:2000]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="0.1 = 100,000 articles; 0.01 for a quick try")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and per baseline")
    parser.add_argument("--keep", action="store_true", help="keep the database for another run (--reuse)")
    parser.add_argument("--reuse", action="store_true", help="use the kept database as it is, if there is one")
    parser.add_argument("--page", action="append", default=[], help="measure only the pages whose name has this")
    parser.add_argument("--slowest", type=int, default=0, help="print each page's N slowest SQL statements")
    parser.add_argument(
        "--gc-freeze", action="store_true", help="gc.freeze() after one request of each side of every page"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    print(f"bench/pages.py: scale {args.scale}, database {BENCH_DB}, {args.requests} requests a side", flush=True)
    results: list[Result] = []
    try:
        print(prepare(args.scale, args.reuse), flush=True)
        measuring = time.perf_counter()
        from django.test import Client

        subjects = pick_subjects()
        print(
            f"subjects: company #{subjects.company_id} {subjects.company_name!r} ({subjects.company_mentions} "
            f"mentions), market #{subjects.market_id} {subjects.market_name} ({subjects.market_events} events), "
            f"article #{subjects.article_id}, word {subjects.word!r}; today = {TODAY}",
            flush=True,
        )
        from django.contrib.auth.models import User

        client = Client()
        client.force_login(User.objects.get(username=USERNAME))
        chosen = [t for t in targets(subjects) if not args.page or any(part in t[0] for part in args.page)]
        with clock(TODAY):
            if args.gc_freeze:
                # What a web worker could do once warm: move the long-lived heap (Django,
                # the project, compiled templates) out of the cyclic collector's way.
                for _, page, raw in chosen:
                    with suppress(Exception):  # a failing page is reported by ``measure``
                        client.get(page)
                        client.get(raw)
                gc.collect()
                gc.freeze()
                print(f"gc.freeze(): {gc.get_freeze_count():,} objects frozen", flush=True)
            for name, page, raw in chosen:
                result = measure(client, name, page, raw, args.requests)
                results.append(result)
                if result.error:
                    print(f"  {name}: FAILED ({result.error.strip().splitlines()[-1]})", flush=True)
                else:
                    print(
                        f"  {name}: {page} ({result.page_kb:.0f} KB), page median "
                        f"{statistics.median(result.page_ms):.1f} ms, raw {statistics.median(result.raw_ms):.1f} ms",
                        flush=True,
                    )
        print(f"measured in {time.perf_counter() - measuring:.0f} s", flush=True)
    finally:
        if not args.keep and not args.reuse:
            from django.db import connections

            connections.close_all()
            drop_database()
    report(results, args.slowest)
    print(f"\nwhole run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
