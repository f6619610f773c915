"""Monitoring on real Celery workers and a real broker (Redis in CI): the whole chain, racing workers, a killed worker."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from intel.choices import EntryStatus, FeedStatus
from intel.models import Alert, Article, Company, Feed, FeedEntry
from intel.monitoring.dispatch import claim_due_feeds
from intel.tasks import dispatch_monitoring_task, poll_feeds_task
from tests import feeds
from tests.factories import FeedFactory, WatchlistFactory
from tests.monitoring import RSS
from tests.processes import PYTHON, child_env, database_url_for_children, own_queue, start, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WORKER_ARGS = ["--pool=solo", "--loglevel=INFO", "--without-heartbeat", "--without-mingle", "--without-gossip"]


@pytest.fixture
def queue() -> str:
    # A queue of its own, so workers left by anything else on this broker take nothing.
    return own_queue()


def _env(queue: str, **extra: str) -> dict[str, str]:
    return child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_for_children(),
        CELERY_TASK_DEFAULT_QUEUE=queue,
        RIVALSCOPE_FETCH_ALLOWED_NETWORKS="127.0.0.0/8",
        **extra,
    )


def _worker(queue: str, log: Path, name: str, **extra: str) -> subprocess.Popen[bytes]:
    argv = [PYTHON, "-m", "celery", "-A", "config", "worker", "-Q", queue, f"--hostname={name}-{queue}@%h", *WORKER_ARGS]
    return start(argv, env=_env(queue, **extra), log=log)


def _stop(proc: subprocess.Popen[bytes], *, kill: bool = False) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL if kill else signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _succeeded(log: Path, task: str) -> int:
    return sum(1 for line in log.read_text().splitlines() if f"{task}[" in line and "succeeded" in line)


def _wait(predicate, *, logs: list[Path], what: str, timeout: float = 90) -> None:
    try:
        wait_for(predicate, timeout=timeout, interval=0.3, what=what)
    except AssertionError as exc:
        tails = "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in logs if log.exists())
        raise AssertionError(f"{exc}\n{tails}") from None


def test_a_worker_dispatches_polls_ingests_and_alerts(http_server, queue, tmp_path):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(0), feeds.story(10), feeds.story(1)]), headers=RSS)
    FeedFactory(url=http_server.url("/feed.xml"))
    WatchlistFactory(name="Xiaomi", companies=[Company.objects.create(name="Xiaomi")])
    log = tmp_path / "worker.log"
    worker = _worker(queue, log, "one")
    try:
        dispatch_monitoring_task.apply_async(queue=queue)
        _wait(lambda: Alert.objects.count() == 2, logs=[log], what="two alerts (both Xiaomi stories)")
    finally:
        _stop(worker)
    assert Article.objects.count() == 3
    assert set(FeedEntry.objects.values_list("status", flat=True)) == {EntryStatus.INGESTED}
    assert Feed.objects.get().last_status == FeedStatus.NEW_ITEMS


def test_two_workers_racing_over_the_same_due_feeds_poll_each_once(http_server, queue, tmp_path):
    count = 30
    for n in range(count):
        http_server.route(f"/feeds/{n}.xml", body=feeds.rss([feeds.story(n)]), headers=RSS)
        FeedFactory(url=http_server.url(f"/feeds/{n}.xml"))
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    # Groups of three: ten poll tasks for the two workers to share.
    workers = [_worker(queue, logs[i], name, RIVALSCOPE_MONITOR_POLL_GROUP="3") for i, name in enumerate("ab")]
    try:
        _wait(lambda: all(log.exists() and "ready." in log.read_text() for log in logs), logs=logs, what="both workers")
        # Both dispatch at once (as two beats, or a beat restarted mid-minute, would).
        dispatch_monitoring_task.apply_async(queue=queue)
        dispatch_monitoring_task.apply_async(queue=queue)
        _wait(
            lambda: FeedEntry.objects.filter(status=EntryStatus.INGESTED).count() == count,
            logs=logs,
            what="every feed's entry ingested",
        )
    finally:
        for worker in workers:
            _stop(worker)
    polled = Counter(r.path for r in http_server.requests if r.path.startswith("/feeds/"))
    assert polled == Counter({f"/feeds/{n}.xml": 1 for n in range(count)})
    assert Article.objects.count() == count and FeedEntry.objects.count() == count
    # Both did real work: the polls were shared out.
    assert all(_succeeded(log, "poll_feeds_task") for log in logs)


KILLABLE_WORKER = textwrap.dedent(
    """
    import os, pathlib, sys, time
    import django
    django.setup()
    from config.celery import app
    import intel.monitoring.entries as entries

    real = entries.ingest_articles

    def ingest_then_hang(items, **kwargs):
        results = real(items, **kwargs)  # articles written, transaction not committed
        pathlib.Path(os.environ["MARKER"]).write_text("inside the ingest transaction")
        time.sleep(300)
        return results

    entries.ingest_articles = ingest_then_hang
    app.worker_main(sys.argv[1:])
    """
)


def test_a_worker_killed_mid_ingest_leaves_no_partial_article_and_the_work_is_done_once_after(
    http_server, queue, tmp_path
):
    http_server.route("/feed.xml", body=feeds.rss([feeds.story(0), feeds.story(11)]), headers=RSS)
    feed = FeedFactory(url=http_server.url("/feed.xml"))
    WatchlistFactory(name="Xiaomi", companies=[Company.objects.create(name="Xiaomi")])
    marker = tmp_path / "inside"
    logs = [tmp_path / "doomed.log", tmp_path / "fresh.log"]
    argv = [PYTHON, "-c", KILLABLE_WORKER, "worker", "-Q", queue, f"--hostname=doomed-{queue}@%h", *WORKER_ARGS]
    # Its leases are one second long, so the job it dies with is due again at once.
    doomed = start(argv, env=_env(queue, MARKER=str(marker), RIVALSCOPE_MONITOR_LEASE="1"), log=logs[0])
    try:
        (claim,) = claim_due_feeds()
        # As the dispatcher queues it: one task for a group of claimed feeds.
        poll_feeds_task.apply_async(([feed.pk], claim.token), queue=queue)
        _wait(marker.exists, logs=logs, what="the worker to be inside the ingest transaction")
    finally:
        _stop(doomed, kill=True)

    # The transaction died with the worker: no article, entries still pending ingest jobs.
    _wait(lambda: not Article.objects.exists(), logs=logs, what="the killed transaction to roll back", timeout=15)
    assert set(FeedEntry.objects.values_list("status", flat=True)) == {EntryStatus.PENDING}
    assert not Alert.objects.exists()

    fresh = _worker(queue, logs[1], "fresh")
    try:
        dispatch_monitoring_task.apply_async(queue=queue)
        _wait(
            lambda: FeedEntry.objects.filter(status=EntryStatus.INGESTED).count() == 2,
            logs=logs,
            what="the lost ingest job to be re-queued and done",
        )
        dispatch_monitoring_task.apply_async(queue=queue)  # nothing left to do: done once
        _wait(lambda: _succeeded(logs[1], "dispatch_monitoring_task") == 2, logs=logs, what="the second dispatch")
    finally:
        _stop(fresh)
    assert Article.objects.count() == 2
    assert Alert.objects.count() == 1
    assert list(FeedEntry.objects.values_list("attempts", flat=True)) == [2, 2]
