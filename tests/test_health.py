"""``/health/`` says the process answers; ``/health/ready/`` whether it can work, and which worker is not alive."""

from __future__ import annotations

import os
import signal
import socket
import time
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import OperationalError
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from config.celery import WorkerHeartbeat
from intel.health import record_heartbeat
from intel.models import Heartbeat
from intel.tasks import heartbeat_task
from tests.processes import PYTHON, child_env, database_url_for_children, free_port, own_queue, start, wait_for

pytestmark = pytest.mark.django_db


def _ready(client):
    response = client.get("/health/ready/")
    return response.status_code, response.json()


def _beat(name: str, *, age: timedelta = timedelta(0)) -> None:
    record_heartbeat(name=name, hostname="test-host")
    Heartbeat.objects.filter(name=name).update(last_seen_at=timezone.now() - age)


# --- Liveness ------------------------------------------------------------------------


def test_liveness_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
        head = client.head("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert head.status_code == 200  # load balancers often probe with HEAD


def test_liveness_is_ok_even_with_no_worker_and_no_broker(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{free_port()}/0"
    assert client.get("/health/").json() == {"status": "ok"}


def test_health_urls_accept_only_get_and_head(client):
    assert client.post("/health/").status_code == 405
    assert client.post("/health/ready/").status_code == 405


# --- Readiness -----------------------------------------------------------------------


def test_readiness_is_ok_with_a_fresh_heartbeat(client):
    _beat("celery@web-1")
    status, data = _ready(client)
    assert status == 200
    assert data["status"] == "ok"
    checks = data["checks"]
    assert set(checks) == {"database", "migrations", "workers", "broker"}
    assert checks["database"] == {"status": "ok"}
    assert checks["migrations"] == {"status": "ok", "unapplied": []}
    assert checks["workers"]["status"] == "ok"
    assert checks["workers"]["alive"] == ["celery@web-1"]
    assert checks["workers"]["stale"] == []
    assert checks["workers"]["max_age_seconds"] == 180
    assert checks["broker"]["status"] == "ok"
    assert checks["broker"]["transport"]


def test_readiness_fails_without_any_worker(client):
    status, data = _ready(client)
    assert status == 503
    assert data["status"] == "failing"
    assert data["checks"]["workers"] == {
        "status": "failing",
        "alive": [],
        "stale": [],
        "last_seen": {},
        "max_age_seconds": 180,
    }


def test_a_stale_worker_fails_readiness_and_is_named(client):
    _beat("celery@worker-2", age=timedelta(minutes=10))
    status, data = _ready(client)
    assert status == 503
    workers = data["checks"]["workers"]
    assert workers["status"] == "failing"
    assert workers["alive"] == []
    assert workers["stale"] == ["celery@worker-2"]
    assert "celery@worker-2" in workers["last_seen"]


def test_one_dead_worker_among_live_ones_is_named_without_failing_readiness(client):
    # Readiness takes web servers out of the load balancer; the other workers still work.
    _beat("celery@worker-1")
    _beat("celery@worker-2", age=timedelta(minutes=10))
    _beat("celery@worker-3")
    status, data = _ready(client)
    assert status == 200
    assert data["checks"]["workers"]["alive"] == ["celery@worker-1", "celery@worker-3"]
    assert data["checks"]["workers"]["stale"] == ["celery@worker-2"]


def test_the_max_age_comes_from_the_setting(client, settings):
    settings.RIVALSCOPE_HEARTBEAT_MAX_AGE = 30
    _beat("celery@recent", age=timedelta(seconds=10))
    _beat("celery@late", age=timedelta(seconds=60))
    workers = _ready(client)[1]["checks"]["workers"]
    assert (workers["alive"], workers["stale"], workers["max_age_seconds"]) == (["celery@recent"], ["celery@late"], 30)


def test_an_unreachable_broker_fails_readiness_without_showing_its_url(client, settings):
    _beat("celery@web-1")
    settings.CELERY_BROKER_URL = f"redis://:s3cret-pw@127.0.0.1:{free_port()}/0"  # nothing listens there
    started = time.monotonic()
    response = client.get("/health/ready/")
    assert time.monotonic() - started < 3
    assert response.status_code == 503
    broker = response.json()["checks"]["broker"]
    assert broker["status"] == "failing"
    assert broker["transport"] == "redis"
    assert broker["error"]
    body = response.content.decode()
    assert "s3cret-pw" not in body
    assert "127.0.0.1" not in body


def test_the_embedded_filesystem_broker_counts_as_reachable(client, settings):
    _beat("celery@web-1")
    settings.CELERY_BROKER_URL = "filesystem://"
    status, data = _ready(client)
    assert status == 200
    assert data["checks"]["broker"] == {"status": "ok", "transport": "filesystem"}


def test_an_unapplied_migration_fails_readiness(client):
    _beat("celery@web-1")
    # A real unapplied migration cannot be made safely inside a test database.
    plan = [(Migration("0999_from_the_future", "intel"), False)]
    with mock.patch.object(MigrationExecutor, "migration_plan", return_value=plan):
        status, data = _ready(client)
    assert status == 503
    assert data["checks"]["migrations"] == {"status": "failing", "unapplied": ["intel.0999_from_the_future"]}


def test_an_unreachable_database_fails_readiness_without_its_message(client):
    error = OperationalError('connection to server at "db.internal" failed: password=hunter2')
    with mock.patch("intel.health.check_database", side_effect=error):
        status, data = _ready(client)
    assert status == 503
    checks = data["checks"]
    assert checks["database"] == {"status": "failing", "error": "OperationalError"}
    assert checks["migrations"]["status"] == checks["workers"]["status"] == "failing"
    assert "hunter2" not in str(data)
    assert "db.internal" not in str(data)


@pytest.mark.parametrize("url", ["/health/", "/health/ready/"])
def test_health_urls_are_not_redirected_to_https(client, settings, url):
    settings.SECURE_SSL_REDIRECT = True
    _beat("celery@web-1")
    assert client.get(url).status_code == 200
    # The setting is in force: anything else is sent to https.
    other = client.get("/admin/login/")
    assert other.status_code == 301
    assert other["Location"].startswith("https://")


# --- Heartbeats ----------------------------------------------------------------------


def test_the_heartbeat_task_refreshes_the_row_it_is_given(client):
    heartbeat_task.apply(kwargs={"name": "celery@by-hand"})  # the task body, run in-process
    assert _ready(client)[1]["checks"]["workers"]["alive"] == ["celery@by-hand"]


def test_the_admin_lists_each_worker_alive_or_not(staff_client):
    _beat("celery@worker-1")
    _beat("celery@worker-2", age=timedelta(minutes=10))
    page = staff_client.get("/admin/intel/heartbeat/").content.decode()
    assert "celery@worker-1" in page
    assert "celery@worker-2" in page
    assert 'alt="True"' in page  # worker-1 alive
    assert 'alt="False"' in page  # worker-2 stale


@pytest.mark.django_db(transaction=True)
def test_the_worker_step_beats_while_connected_and_deletes_its_row_on_shutdown(settings):
    # The step writes from a thread of its own: a transactional test, so that thread sees the rows.
    settings.RIVALSCOPE_HEARTBEAT_MAX_AGE = 3  # a beat a second
    consumer = SimpleNamespace(hostname="celery@step-test")
    step = WorkerHeartbeat(consumer)
    step.start(consumer)
    try:
        wait_for(lambda: Heartbeat.objects.filter(name="celery@step-test").exists(), timeout=10, what="a first beat")
        first = Heartbeat.objects.get(name="celery@step-test")
        assert first.hostname == socket.gethostname()
        wait_for(
            lambda: Heartbeat.objects.get(name="celery@step-test").last_seen_at > first.last_seen_at,
            timeout=10,
            what="a second beat",
        )
        # Broker connection lost: the consumer stops its steps; the row stays, to go stale.
        step.stop(consumer)
        assert step.writer is not None
        assert not step.writer.running
        assert Heartbeat.objects.filter(name="celery@step-test").exists()
        # Reconnected: beating again.
        step.start(consumer)
        assert step.writer.running
    finally:
        step.shutdown(consumer)
    assert not step.writer.running
    assert not Heartbeat.objects.filter(name="celery@step-test").exists()


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_real_workers_write_a_heartbeat_each(client, settings, tmp_path):
    settings.RIVALSCOPE_HEARTBEAT_MAX_AGE = 3
    # A queue of its own, so that no other worker on this broker takes part.
    queue = own_queue()
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_for_children(),
        RIVALSCOPE_HEARTBEAT_MAX_AGE="3",  # a beat a second
    )
    host = socket.gethostname()
    names = {"a": f"a-{queue}@{host}", "b": f"b-{queue}@{host}"}
    logs = {key: tmp_path / f"worker-{key}.log" for key in names}
    workers = {
        key: start(
            [
                PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO",
                f"--hostname={key}-{queue}@%h", "--without-heartbeat", "--without-mingle", "--without-gossip",
            ],
            env=env,
            log=logs[key],
        )
        for key in names
    }

    def fail(message: str) -> AssertionError:
        tails = "\n".join(f"--- worker {key}:\n{log.read_text()[-2000:]}" for key, log in logs.items())
        return AssertionError(f"{message}\n{tails}")

    def workers_check() -> dict:
        return client.get("/health/ready/").json()["checks"]["workers"]

    try:
        try:
            wait_for(
                lambda: Heartbeat.objects.filter(name__in=names.values()).count() == 2,
                timeout=90,
                what="both workers' heartbeats",
            )
        except AssertionError as exc:
            raise fail(str(exc)) from None
        rows = {beat.name: beat for beat in Heartbeat.objects.filter(name__in=names.values())}
        assert all(beat.hostname == host for beat in rows.values())
        assert set(names.values()) <= set(workers_check()["alive"])
        # Each writes again on its own, not once at start.
        wait_for(
            lambda: all(
                Heartbeat.objects.get(name=name).last_seen_at > rows[name].last_seen_at for name in names.values()
            ),
            timeout=15,
            what="second beats",
        )

        # Killed: worker a's row stays and goes stale; b is still alive and named so.
        os.killpg(workers["a"].pid, signal.SIGKILL)
        workers["a"].wait(timeout=10)
        wait_for(lambda: names["a"] in workers_check()["stale"], timeout=15, what="worker a to go stale")
        check = workers_check()
        assert names["b"] in check["alive"]
        assert names["a"] not in check["alive"]

        # Stopped cleanly: worker b deletes its row, so it is not reported as dead.
        workers["b"].send_signal(signal.SIGTERM)
        workers["b"].wait(timeout=30)
        assert not Heartbeat.objects.filter(name=names["b"]).exists(), logs["b"].read_text()[-2000:]
    finally:
        for proc in workers.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
