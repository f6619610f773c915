"""Helpers for tests that start real processes (servers, workers)."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from kombu import Connection
    from redis import Redis

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "condition"
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def database_url_for_children() -> str:
    """A DATABASE_URL pointing child processes at the database the tests use."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def child_env(**overrides: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.update(overrides)
    return env


def start(argv: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def processes_with_env(key: str, value: str) -> list[int]:
    """PIDs of live processes whose environment has ``key=value`` (to find leftovers)."""
    needle = f"{key}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                status = (entry / "status").read_text()
                if "State:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


PYTHON = sys.executable


# Schemes of the brokers the real-worker tests run on (tests/conftest.py skips them otherwise).
REAL_BROKERS = ("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")
# The fanout exchange workers bind their remote-control queues (``<name>.celery.pidbox``)
# to; every Celery app on the broker shares it, so it is no test's own.
PIDBOX_EXCHANGE = "celery.pidbox"


# Queues the real-worker tests made (own_queue), deleted once the session ends:
# a broker shared with other runs must not keep a queue per test.
_TEST_QUEUES: list[str] = []


def own_queue() -> str:
    """A queue of a test's own, so that no other worker on the broker takes its tasks."""
    name = f"test-{uuid.uuid4().hex[:12]}"
    _TEST_QUEUES.append(name)
    return name


def delete_test_queues() -> None:
    """Delete from the broker every queue ``own_queue`` named, its exchange, and what its workers left.

    Redis keeps bindings in keys of its own, and a message a killed worker held in its
    "unacked" hash. RabbitMQ returns such messages to their queue (deleted here); what
    it keeps is the remote-control exchange every worker binds its pidbox queue to.
    """
    from django.conf import settings
    from kombu import Connection

    if not _TEST_QUEUES or not settings.CELERY_BROKER_URL.startswith(REAL_BROKERS):
        return  # no real broker: the tests that would make a queue were skipped

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=5) as broker:
        channel = broker.default_channel
        for name in _TEST_QUEUES:
            # A queue never declared (its test skipped early) or already gone: nothing to do.
            with contextlib.suppress(Exception):
                channel.queue_delete(name)
            with contextlib.suppress(Exception):
                channel.exchange_delete(name)  # Celery declares an exchange named after the queue
        if broker.transport.driver_type == "redis":
            _forget_redis_leftovers(channel.client)
        elif broker.transport.driver_type == "amqp":
            _delete_unused_exchange(broker, PIDBOX_EXCHANGE)
    _TEST_QUEUES.clear()


def _ours(value: bytes | str) -> bool:
    """Whether a queue name or binding names one of the tests' queues (workers' names include it too)."""
    text = value.decode(errors="replace") if isinstance(value, bytes) else value
    return any(name in text for name in _TEST_QUEUES)


def _forget_redis_leftovers(redis: Redis) -> None:
    """What kombu's Redis transport keeps of the tests' queues besides the queues themselves."""
    for name in _TEST_QUEUES:  # kombu's Redis transport keeps the bindings in keys of their own
        redis.delete(name, f"_kombu.binding.{name}", f"_kombu.binding_permanent.{name}")
    # Messages a killed worker held (acks late) wait in kombu's "unacked" hash.
    for tag, payload in redis.hscan_iter("unacked"):
        if any(f'"{name}"'.encode() in payload for name in _TEST_QUEUES):
            redis.hdel("unacked", tag)
            redis.zrem("unacked_index", tag)
    # A worker stopped cleanly unbinds its pidbox queue; a killed one's binding stays.
    bindings = f"_kombu.binding.{PIDBOX_EXCHANGE}"
    stale = [member for member in redis.smembers(bindings) if _ours(member)]
    if stale:
        redis.srem(bindings, *stale)
        if not redis.exists(bindings):  # nobody else's either: its expiry entry goes too
            redis.zrem("_kombu.binding_deadlines", PIDBOX_EXCHANGE)


def _delete_unused_exchange(broker: Connection, name: str) -> None:
    """Delete an exchange shared by every Celery app on the broker, unless a queue is still bound to it.

    Bound means some worker (of another test run, on a broker shared with it) is alive and
    uses it; RabbitMQ then refuses the delete and closes the channel, hence a channel of its own.
    """
    channel = broker.channel()
    try:
        with contextlib.suppress(Exception):  # refused: in use
            channel.exchange_delete(name, if_unused=True)
    finally:
        with contextlib.suppress(Exception):
            channel.close()
