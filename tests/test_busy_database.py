"""A database too busy to answer (SQLite's "database is locked" after its timeout) is a
503 with Retry-After, for the API's ingest and for any page, never a 500; nothing is
stored, and the same request works once the other writer is done."""

from __future__ import annotations

import sqlite3

import pytest
from django.db import connection

from intel.models import Article

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def locked_database():
    """Another writer holds SQLite's write lock; Django's connection waits 0.2 s for it."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock: PostgreSQL locks rows, not the database")
    options = connection.settings_dict.setdefault("OPTIONS", {})
    saved = options.get("timeout")
    connection.close()
    options["timeout"] = 0.2
    other = sqlite3.connect(connection.settings_dict["NAME"], timeout=1)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield other
    finally:
        other.rollback()
        other.close()
        connection.close()
        if saved is None:
            options.pop("timeout", None)
        else:
            options["timeout"] = saved


def test_an_ingest_while_another_writer_holds_the_database_is_a_503(analyst_api, locked_database):
    response = analyst_api.post("/api/v1/ingest/", {"text": "Brightwater Corp will enter India next year."})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "busy" in response.json()["message"]
    locked_database.rollback()
    assert Article.objects.count() == 0
    again = analyst_api.post("/api/v1/ingest/", {"text": "Brightwater Corp will enter India next year."})
    assert again.status_code == 201


def test_an_admin_write_while_the_database_is_locked_is_a_503(staff_client, locked_database):
    response = staff_client.post("/admin/intel/source/add/", {"name": "Daily Solar Wire", "kind": "news_site",
                                                               "reliability": "F"})  # fmt: skip
    assert response.status_code == 503 and response["Retry-After"] == "5"
