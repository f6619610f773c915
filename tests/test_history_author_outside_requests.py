"""Who made a change is kept outside web requests too: a queued API ingest, the
``ingest`` command with ``--by`` and a direct call with ``by=`` write history rows
naming that user (events are stored in bulk, companies one by one)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from intel.ingest.pipeline import ingest_article
from intel.jobs import queue_ingest
from intel.models import Company, Event

pytestmark = pytest.mark.django_db

TEXT = "Brightwater Corp will enter India next year with its solar panels, the company said on Monday."


def _authors(model) -> set[str | None]:
    return {row.history_user.username if row.history_user else None for row in model.history.all()}


def test_a_direct_call_with_by_names_the_user(staff_user):
    ingest_article(text=TEXT, by=staff_user)
    assert _authors(Event) == {staff_user.username}
    assert _authors(Company) == {staff_user.username}


def test_the_command_records_who_ran_it(staff_user, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(TEXT, encoding="utf-8")
    call_command("ingest", str(path), "--by", staff_user.username)
    assert _authors(Event) == {staff_user.username}
    with pytest.raises(CommandError, match="No such user"):
        call_command("ingest", str(path), "--by", "nobody-here")


def test_a_queued_api_ingest_names_the_user_who_queued_it(staff_user):
    from intel.jobs import run_ingest_job

    job = queue_ingest(params={"text": TEXT}, by=staff_user)
    run_ingest_job(job.pk)
    assert _authors(Event) == {staff_user.username}


def test_without_by_nobody_is_named():
    ingest_article(text=TEXT)
    assert _authors(Event) == {None}
