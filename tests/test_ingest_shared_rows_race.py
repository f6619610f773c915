"""Two ingests introducing the same new publisher or company at the same moment: the
unique slug makes one insert wait for the other's commit and fail; the loser then
uses the winner's row, and its article is stored (PostgreSQL, two connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from intel.choices import Method, ReviewStatus
from intel.ingest.pipeline import ingest_article
from intel.models import Article, Company, Source

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TEXT = "Brightwater Corp will enter India next year with its solar panels, the company said on Monday."


def _hold_open_while(create, other) -> None:
    """Create a row in a transaction held open until ``other`` has started (and is
    waiting on the row's unique slug), then commit."""
    started = threading.Event()
    outcome: list[object] = []

    def run_other() -> None:
        try:
            started.set()
            outcome.append(other())
        except Exception as exc:  # the test reports it
            outcome.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run_other)
    with transaction.atomic():
        create()
        thread.start()
        started.wait(10)
        # The other ingest now runs up to the insert that waits for this commit.
        thread.join(timeout=3)
    thread.join(timeout=60)
    assert outcome and not isinstance(outcome[0], Exception), outcome


def test_a_publisher_created_meanwhile_is_used_not_duplicated():
    _hold_open_while(
        lambda: Source.objects.create(name="Daily Solar Wire"),
        lambda: ingest_article(text=TEXT, source="Daily Solar Wire"),
    )
    assert Source.objects.filter(name="Daily Solar Wire").count() == 1
    assert Article.objects.get().source.name == "Daily Solar Wire"


def test_a_company_proposed_meanwhile_is_used_not_duplicated():
    _hold_open_while(
        lambda: Company.objects.create(
            name="Brightwater", review_status=ReviewStatus.PROPOSED, method=Method.DISCOVERED, confidence=0.5
        ),
        lambda: ingest_article(text=TEXT),
    )
    assert Company.objects.filter(name="Brightwater").count() == 1
    assert Article.objects.count() == 1
