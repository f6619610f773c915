"""Feed monitoring throughput with one Celery worker, against a bare httpx + feedparser loop.

A local HTTP server serves 1,000 feeds that answer conditional requests like real
publishers (ETag, 304 Not Modified). Two rounds are timed:

1. **all unchanged**: every feed answers 304: the pure cost of checking;
2. **mixed**: 80% answer 304, 20% have changed and list two new items (and three
   seen before): checking plus ingesting 400 new articles.

Each round runs twice and the faster run counts (the machine is shared).

Each round, every feed is made due and one dispatcher task is sent to one worker
(``--pool=solo``: one core) on Redis; the round ends when every feed was checked
and no entry is pending. The baseline is a plain loop in one process over the same
URLs: ``httpx.get`` with the same conditional headers, ``feedparser.parse`` of the
bytes when the answer is 200 (no database, no ingestion, no safety checks).
Last, the time from a new item appearing in a due feed (the dispatcher's tick) to its
alert in the database is measured five times.

Needs PostgreSQL and Redis; creates (and drops) the database ``rivalscope_monbench``.

    python bench/monitoring.py [--feeds 1000] [--changed 0.2]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DB = "rivalscope_monbench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_BROKER", "redis://127.0.0.1:6379/14")
QUEUE = f"bench-{uuid.uuid4().hex[:8]}"
os.environ["DATABASE_URL"] = f"{SERVER}/{BENCH_DB}"
os.environ["CELERY_BROKER_URL"] = BROKER
os.environ["CELERY_TASK_DEFAULT_QUEUE"] = QUEUE
os.environ["RIVALSCOPE_FETCH_ALLOWED_NETWORKS"] = "127.0.0.0/8"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from tests import feeds as feed_bytes  # noqa: E402  (after sys.path)


class FeedServer:
    """Serves /f/<n>.xml; each feed has a body and an ETag, and answers If-None-Match with 304."""

    def __init__(self) -> None:
        self.bodies: dict[str, tuple[bytes, str]] = {}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body, etag = owner.bodies.get(self.path, (b"", ""))
                if not etag:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            # The standard library listens with a backlog of 5: eight fetches at once
            # overflow it, and a dropped SYN is sent again after a second. Publishers'
            # servers (nginx: 511) do not do that.
            request_queue_size = 1024

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def set(self, path: str, items: list[dict], etag: str) -> None:
        self.bodies[path] = (feed_bytes.rss(items), etag)


def reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def item(feed: int, n: int) -> dict:
    return feed_bytes.story(feed * 100 + n, guid=f"urn:bench:{feed}:{n}")


def start_worker(log: Path) -> subprocess.Popen[bytes]:
    argv = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", QUEUE,
        "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip",
        f"--hostname=bench-{QUEUE}@%h",
    ]  # fmt: skip
    return subprocess.Popen(argv, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)


def run_round(count: int) -> tuple[float, float]:
    """Make every feed due, send one dispatcher task, wait for every check and ingest.

    Seconds until every feed was checked (new entries stored), and until no entry was
    left pending (ingested, alerts made). One solo worker runs its queue in order: the
    ingest task the first poll with new items queues runs after the polls queued before it.
    """
    from django.db import connection
    from django.utils import timezone

    from intel.choices import EntryStatus
    from intel.models import Feed, FeedEntry
    from intel.tasks import dispatch_monitoring_task

    Feed.objects.update(next_check_at=timezone.now(), check_interval=300)
    start_ts = timezone.now()
    started = time.perf_counter()
    checked = 0.0
    dispatch_monitoring_task.delay()
    finished = Feed.objects.filter(lease_token__isnull=True)
    while True:
        if not checked and finished.filter(last_checked_at__gte=start_ts).count() == count:
            checked = time.perf_counter() - started
        if checked and not FeedEntry.objects.filter(status=EntryStatus.PENDING).exists():
            elapsed = time.perf_counter() - started
            break
        time.sleep(0.02)
    connection.close()
    return checked, elapsed


def bare_loop(urls: list[str], etags: dict[str, str]) -> tuple[float, int]:
    """One httpx client (its TLS context built once), the same conditional header, feedparser
    on 200: seconds, items parsed. A connection per feed, as feeds live on different hosts."""
    import feedparser
    import httpx

    items = 0
    started = time.perf_counter()
    with httpx.Client(timeout=15, limits=httpx.Limits(max_keepalive_connections=0)) as client:
        for url in urls:
            headers = {"If-None-Match": etags[url]} if url in etags else {}
            response = client.get(url, headers=headers)
            if response.status_code == 200:
                items += len(feedparser.parse(response.content).entries)
    return time.perf_counter() - started, items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--changed", type=float, default=0.2)
    args = parser.parse_args()

    reset_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import User

    from intel.choices import EntryStatus
    from intel.models import Alert, Company, Feed, FeedEntry, Watchlist
    from intel.monitoring.parsing import guid_hash
    from intel.tasks import dispatch_monitoring_task

    server = FeedServer()
    count = args.feeds
    changed = set(range(0, count, round(1 / args.changed))) if args.changed else set()
    paths = [f"/f/{n}.xml" for n in range(count)]
    for n, path in enumerate(paths):
        server.set(path, [item(n, k) for k in range(3)], etag='"v0"')
    Feed.objects.bulk_create(
        [Feed(name=f"Bench {n}", url=server.url(path), etag='"v0"') for n, path in enumerate(paths)]
    )
    feeds = {f.url: f for f in Feed.objects.all()}
    # The three items every feed lists were seen in an earlier check.
    seen = [(feeds[server.url(path)], f"urn:bench:{n}:{k}") for n, path in enumerate(paths) for k in range(3)]
    FeedEntry.objects.bulk_create(
        [FeedEntry(feed=f, guid=guid, guid_hash=guid_hash(guid), status=EntryStatus.INGESTED) for f, guid in seen]
    )
    owner = User.objects.create(username="bench")
    watchlist = Watchlist.objects.create(name="Xiaomi", owner=owner)
    watchlist.companies.add(Company.objects.create(name="Xiaomi"))
    connection.close()

    log = ROOT / "var" / "bench-monitoring-worker.log"
    log.parent.mkdir(exist_ok=True)
    worker = start_worker(log)
    try:
        # Warm-up: the worker loads spaCy and builds the gazetteer on its first ingest.
        warm = Feed.objects.create(name="warm-up", url=server.url("/warm.xml"))
        server.set("/warm.xml", [feed_bytes.story(999_999, guid="urn:warm")], etag='"w"')
        Feed.objects.exclude(pk=warm.pk).update(next_check_at="2100-01-01T00:00:00Z")
        dispatch_monitoring_task.delay()
        while not FeedEntry.objects.filter(guid="urn:warm", status=EntryStatus.INGESTED).exists():
            time.sleep(0.1)
        warm.delete()

        urls = [server.url(p) for p in paths]
        # Each round twice, the faster one counts (the machine is shared).
        unchanged = min(run_round(count)[1] for _ in range(2))
        bare_unchanged = min(bare_loop(urls, {u: '"v0"' for u in urls})[0] for _ in range(2))

        mixed_times: list[tuple[float, float]] = []
        bare_mixed_times = []
        bare_items = 0
        for version in (1, 2):
            for n in changed:  # two new items on top of the three seen before, and a new ETag
                fresh = [item(n, 1 + 2 * version), item(n, 2 + 2 * version)]
                server.set(paths[n], [*fresh, *[item(n, k) for k in range(3)]], etag=f'"c{version}"')
            mixed_times.append(run_round(count))
            seconds, bare_items = bare_loop(urls, {u: '"v0"' for u in urls})
            bare_mixed_times.append(seconds)
        new_items = 2 * len(changed)
        checked, mixed = min(mixed_times, key=lambda t: t[1])
        bare_mixed = min(bare_mixed_times)

        # Item to alert: a Xiaomi story appears in one due feed; the dispatcher ticks.
        latencies = []
        feed_path = paths[1]
        feed = Feed.objects.get(url=server.url(feed_path))
        for round_ in range(5):
            # story(n) with n a multiple of ten is a Xiaomi story, distinct from every other.
            story = feed_bytes.story(700_000 + 10 * round_, guid=f"urn:bench:alert:{round_}")
            server.set(feed_path, [story], etag=f'"alert-{round_}"')
            Feed.objects.filter(pk=feed.pk).update(next_check_at="2000-01-01T00:00:00Z")
            started = time.perf_counter()
            dispatch_monitoring_task.delay()
            while not Alert.objects.filter(article__url=story["link"]).exists():
                time.sleep(0.005)
            latencies.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        connection.close()
        drop_database()

    def per_min(seconds: float) -> float:
        return count / seconds * 60

    print(f"feeds: {count}; changed in the mixed round: {len(changed)} ({new_items} new items)")
    print(f"{'round':<16}{'worker feeds/min':>18}{'bare loop feeds/min':>22}{'ratio':>8}")
    rounds = (
        ("all unchanged", unchanged, bare_unchanged),
        ("mixed, checks", checked, bare_mixed),  # every feed checked, new entries stored
        ("mixed, all", mixed, bare_mixed),  # and every new item ingested (the bare loop ingests nothing)
    )
    for name, ours, bare in rounds:
        print(f"{name:<16}{per_min(ours):>18,.0f}{per_min(bare):>22,.0f}{bare / ours:>7.2f}x"
              f"   ({ours / count * 1000:.1f} ms vs {bare / count * 1000:.1f} ms a feed)")
    print(
        f"new items ingested per second (mixed round, one worker): {new_items / (mixed - checked):,.0f} "
        f"while ingesting, {new_items / mixed:,.0f} over the whole round"
    )
    print(f"bare loop items parsed per mixed round (no ingestion): {bare_items}")
    print(f"feed checks per hour on one worker (all unchanged): {per_min(unchanged) * 60:,.0f}")
    print(
        "item to alert, from the dispatcher's tick (s): "
        f"median {statistics.median(latencies):.3f}, max {max(latencies):.3f}"
    )


if __name__ == "__main__":
    main()
