"""The changes feed never skips a change whose transaction commits late.

History ids come from a sequence, so a transaction held open gets a smaller id than
changes committed after it started. A consumer that reads those later changes must
still receive the held one once it commits: on PostgreSQL the feed orders by
transaction and delivers only what no running transaction can precede; on SQLite
writers take turns, so ids are already in commit order. Real threads, real
connections, committed data.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, transaction

from intel import changes
from intel.models import Source

pytestmark = pytest.mark.django_db(transaction=True)


def read_to_end(cursor: str) -> tuple[list[changes.Change], str]:
    read: list[changes.Change] = []
    while True:
        page, cursor, more = changes.changes_after(cursor, limit=3)
        read += page
        if not more:
            return read, cursor


def read_until(cursor: str, wanted: int, timeout: float = 30) -> tuple[list[changes.Change], str]:
    """Read until ``wanted`` changes came (a transaction elsewhere on the server can hold
    the feed back a moment: it waits for every older transaction), then once more."""
    read: list[changes.Change] = []
    deadline = time.monotonic() + timeout
    while len(read) < wanted and time.monotonic() < deadline:
        page, cursor = read_to_end(cursor)
        read += page
        time.sleep(0.05)
    page, cursor = read_to_end(cursor)
    return read + page, cursor


def created_names(read: list[changes.Change]) -> list[str]:
    return [c.data["name"] for c in read if c.model == "intel.source" and c.action == "created"]


@pytest.mark.postgres
def test_a_change_committed_after_later_ones_were_read_is_still_delivered():
    cursor = changes.head_cursor()
    holding, release = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                Source.objects.create(name="Slowly Committed")
                holding.set()
                release.wait(30)
        except BaseException as error:  # reported by the test
            failure.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(30)
    Source.objects.create(name="Quickly Committed")  # a larger history id, committed first

    # While the slow transaction runs, its successor is held back, not delivered past it.
    read, cursor = read_to_end(cursor)
    assert "Quickly Committed" not in created_names(read)

    release.set()
    thread.join(30)
    assert not failure, failure
    later, cursor = read_until(cursor, 2)
    assert created_names(later) == ["Slowly Committed", "Quickly Committed"]
    assert read_to_end(cursor)[0] == []


def test_writers_racing_a_reader_lose_no_change_and_repeat_none():
    """Writers with transactions of random length, a reader polling all along: every
    change arrives exactly once."""
    start = changes.head_cursor()
    names = [f"Racer {w}-{i}" for w in range(4) for i in range(6)]
    failure: list[BaseException] = []
    writers_done = threading.Event()
    delivered: list[str] = []

    def writer(w: int) -> None:
        rng = random.Random(w)
        try:
            for i in range(6):
                with transaction.atomic():
                    Source.objects.create(name=f"Racer {w}-{i}")
                    time.sleep(rng.uniform(0, 0.15))
        except BaseException as error:  # reported by the test
            failure.append(error)
        finally:
            connection.close()

    def reader() -> None:
        cursor = start
        try:
            while True:
                finished = writers_done.is_set()
                if finished:
                    read, cursor = read_until(cursor, len(names) - len(delivered))
                else:
                    read, cursor = read_to_end(cursor)
                delivered.extend(created_names(read))
                if finished:
                    return
                time.sleep(0.02)
        except BaseException as error:  # reported by the test
            failure.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    polling = threading.Thread(target=reader)
    polling.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    writers_done.set()
    polling.join(60)

    assert not failure, failure
    assert sorted(delivered) == sorted(names)


def test_cursors_from_before_transactions_were_recorded_still_work():
    """A cursor of plain history ids (what the feed gave out before transactions were
    recorded) reads on from there, through the rows written since."""
    Source.objects.create(name="Before")
    Source.history.model.objects.update(history_txid=None)  # as rows written before the migration
    last = Source.history.model.objects.order_by("-history_id").values_list("history_id", flat=True).first()
    old_style = changes.encode_cursor({"intel.source": (0, last)})
    Source.objects.create(name="After")
    read, _ = read_until(old_style, 1)
    assert created_names(read) == ["After"]
