"""Health of the running system, for load balancers, orchestrators and monitors.

Two questions, two URLs (intel/views.py):

- liveness, ``/health/``: the process answers. Nothing else is asked, so a restart is
  never triggered by a database or broker outage a restart would not cure.
- readiness, ``/health/ready/``: the process can do its work. The database answers,
  every migration this code knows is applied, at least one Celery worker wrote its
  heartbeat within ``RIVALSCOPE_HEARTBEAT_MAX_AGE`` seconds, and the broker accepts
  a connection. ``check_readiness`` runs the checks.

Heartbeats: every worker writes its own ``Heartbeat`` row, keyed by its node name,
from a ``HeartbeatWriter`` its consumer starts (``WorkerHeartbeat`` in
config/celery.py). Answers carry no secrets: a failing check names the exception's
class, and the full error goes to the log.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import close_old_connections, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from intel.models import Heartbeat

logger = logging.getLogger(__name__)

OK = "ok"
FAILING = "failing"
# A probe has a deadline of its own (often 5 s); the broker check must end well inside it.
BROKER_TIMEOUT = 2.0

Check = dict[str, Any]


# --- Heartbeats ----------------------------------------------------------------------


def heartbeat_max_age() -> timedelta:
    return timedelta(seconds=settings.RIVALSCOPE_HEARTBEAT_MAX_AGE)


def heartbeat_interval() -> float:
    """Seconds between a worker's heartbeats: a third of the max age.

    A worker is reported stale only after three beats in a row are missing, so one
    slow or failed write (a locked SQLite file, a database failover) is not a dead worker.
    """
    return max(1.0, settings.RIVALSCOPE_HEARTBEAT_MAX_AGE / 3)


def is_alive(last_seen_at: datetime, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - last_seen_at <= heartbeat_max_age()


def record_heartbeat(*, name: str, hostname: str = "") -> Heartbeat:
    beat, _ = Heartbeat.objects.update_or_create(
        name=name[:255], defaults={"last_seen_at": timezone.now(), "hostname": hostname[:200]}
    )
    return beat


def forget_heartbeat(name: str) -> None:
    """Delete a worker's row: it stopped on purpose, so it is not a dead worker to report."""
    Heartbeat.objects.filter(name=name[:255]).delete()


class HeartbeatWriter:
    """Writes one worker's heartbeat now and every ``interval`` seconds, from a thread of its own.

    A thread, not the worker's timer: that timer runs in the consumer's event loop
    (prefork) or shares one thread with Celery's own timed work, and a database that
    is slow or locked (SQLite waits up to 20 s for a lock) must hold up neither.
    """

    def __init__(self, name: str, *, interval: float, hostname: str = "") -> None:
        self.name = name
        self.hostname = hostname
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        # An event per thread: one that stop() left stuck in a database call must still
        # see its own event set when it returns, not the fresh one a later start() made.
        self._stopping = threading.Event()
        # A daemon: a thread stuck in a database call must not keep a stopping worker alive.
        self._thread = threading.Thread(
            target=self._run, args=(self._stopping,), name=f"heartbeat {self.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout)

    def beat(self) -> bool:
        """Write the heartbeat once; a failure is logged, and the row going stale reports it."""
        # Django closes connections at the end of each request; this thread has no
        # requests, so it applies the same rule (CONN_MAX_AGE, broken connections) here.
        close_old_connections()
        try:
            record_heartbeat(name=self.name, hostname=self.hostname)
        except Exception:
            logger.warning("could not write the heartbeat of %s", self.name, exc_info=True)
            return False
        return True

    def _run(self, stopping: threading.Event) -> None:
        try:
            while True:
                self.beat()
                if stopping.wait(self.interval):
                    return
        finally:
            # The thread's own connection: nothing else can close it.
            connection.close()


# --- Readiness -----------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, Check]

    @property
    def ok(self) -> bool:
        return all(check["status"] == OK for check in self.checks.values())

    def as_json(self) -> dict[str, Any]:
        return {"status": OK if self.ok else FAILING, "checks": self.checks}


def _failed(what: str, exc: BaseException) -> Check:
    # The answer names the class only: messages can carry host names, user names or a
    # DSN. The log has the message, without a traceback: probes repeat every few seconds.
    logger.warning("readiness: the %s check failed: %s: %s", what, type(exc).__name__, exc)
    return {"status": FAILING, "error": type(exc).__name__}


def _run(what: str, check: Callable[[], Check], **on_failure: Any) -> Check:
    """Run one check; whatever it raises makes it failing instead of the whole answer a 500."""
    try:
        return check()
    except Exception as exc:
        return {**_failed(what, exc), **on_failure}


def check_database() -> Check:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK}


def check_migrations() -> Check:
    """Every migration this code knows is applied: new code on an old schema is not ready."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
    return {"status": FAILING if unapplied else OK, "unapplied": unapplied}


def check_workers() -> Check:
    """Ready while at least one worker is alive; stale workers are named either way.

    One dead worker among several does not fail the check: readiness takes a web
    server out of a load balancer, and the surviving workers still do the work. A
    monitor that must hear of every dead worker reads ``stale``.
    """
    now = timezone.now()
    alive: list[str] = []
    stale: list[str] = []
    last_seen: dict[str, str] = {}
    for name, seen_at in Heartbeat.objects.order_by("name").values_list("name", "last_seen_at"):
        (alive if is_alive(seen_at, now=now) else stale).append(name)
        last_seen[name] = seen_at.isoformat()
    return {
        "status": OK if alive else FAILING,
        "alive": alive,
        "stale": stale,
        "last_seen": last_seen,
        "max_age_seconds": settings.RIVALSCOPE_HEARTBEAT_MAX_AGE,
    }


def check_broker() -> Check:
    """The broker accepts a connection within ``BROKER_TIMEOUT`` seconds.

    The URL is read from Django's settings on every call rather than from the Celery
    app's configuration, which is frozen when first read. The answer names the
    transport (redis, amqp, filesystem), never the URL, which may hold a password.
    """
    url = getattr(settings, "CELERY_BROKER_URL", None) or None
    with current_app.connection_for_write(url, connect_timeout=BROKER_TIMEOUT) as conn:
        transport = str(conn.transport_cls)
        try:
            # One attempt per failover URL, without the usual sleeps between rounds.
            conn.ensure_connection(max_retries=max(len(conn.alt), 1) - 1, timeout=BROKER_TIMEOUT)
        except Exception as exc:
            return {**_failed("broker", exc), "transport": transport}
    return {"status": OK, "transport": transport}


def check_readiness() -> Readiness:
    database = _run("database", check_database)
    if database["status"] == OK:
        migrations = _run("migrations", check_migrations, unapplied=[])
        workers = _run("workers", check_workers, alive=[], stale=[])
    else:
        # Both read the database: say why instead of failing the same way twice.
        migrations = {"status": FAILING, "error": "database unreachable", "unapplied": []}
        workers = {"status": FAILING, "error": "database unreachable", "alive": [], "stale": []}
    broker = _run("broker", check_broker)
    return Readiness(checks={"database": database, "migrations": migrations, "workers": workers, "broker": broker})
