"""Every ingestion stage keeps the contract of ``intel/ingest/stage.py``: it declares
what it reads and adds, reads and changes nothing else on the article's context, writes
its own tables, and is given only the articles with work left."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.apps import apps
from django.db import connection

from intel.ingest import pipeline
from intel.ingest.context import ArticleContext, IngestInput
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

SEED = (Path(__file__).resolve().parent.parent / "sample_data" / "xiaomi-us-market.txt").read_text()
FIELDS = {f.name for f in dataclasses.fields(ArticleContext)}
GERMAN = (
    "Der chinesische Smartphone-Hersteller will im kommenden Jahr in den Vereinigten Staaten mit dem Verkauf "
    "seiner Geräte beginnen, sagte ein Vorstand. Die Gespräche mit den Netzbetreibern seien weit fortgeschritten."
)


def test_every_stage_declares_a_name_and_fields_the_context_has():
    for stage in pipeline.STAGES:
        assert stage.NAME and stage.ADDS, stage
        assert set(stage.READS) <= FIELDS, (stage.NAME, set(stage.READS) - FIELDS)
        assert set(stage.ADDS) <= FIELDS, (stage.NAME, set(stage.ADDS) - FIELDS)


class ReadsRecorded(ArticleContext):
    """An article's context that notes which public fields the stage running now reads."""

    reading: ClassVar[set[str] | None] = None  # the running stage's reads; None between stages

    def __getattribute__(self, name: str) -> Any:
        reading = ReadsRecorded.reading
        if reading is not None and name in FIELDS and not name.startswith("_"):
            reading.add(name)
        return super().__getattribute__(name)


def _row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    existing = set(connection.introspection.table_names())
    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)} & existing)
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables))  # noqa: S608
        return dict(zip(tables, cursor.fetchone(), strict=True))


# Sources are found by name, or created, by any stage that meets one: the publisher
# (stage 2), the outlets and regulators an article names (stage 5).
FOUND_OR_CREATED = {"intel_source", "intel_historicalsource"}


def _public_state(ctx: ArticleContext) -> dict[str, object]:
    """Each public field's value, lists and dicts copied so that a change in place shows.
    Fields starting with "_" are the context's own caches (sentence starts, hit index)."""
    state = {}
    for name in FIELDS - {n for n in FIELDS if n.startswith("_")}:
        value = getattr(ctx, name)
        state[name] = copy.copy(value) if isinstance(value, list | dict) else value
    return state


def test_each_stage_keeps_to_what_it_declares_and_sees_only_articles_with_work_left(monkeypatch):
    CompanyFactory(name="Xiaomi")
    changed: dict[str, set[str]] = {}
    read: dict[str, set[str]] = {}
    given: dict[str, list[bool]] = {}
    writers: dict[str, set[str]] = {}  # table → the stages that added rows to it
    run = pipeline._run_stage

    def watched(stage, batch, env):
        before = [_public_state(ctx) for ctx in batch]
        plain = stage.run

        def recording(todo, env):
            given.setdefault(stage.NAME, []).extend(ctx.done for ctx in todo)
            rows = _row_counts()
            ReadsRecorded.reading = read.setdefault(stage.NAME, set())
            try:
                plain(todo, env)
            finally:
                ReadsRecorded.reading = None
            for table, count in _row_counts().items():
                if count != rows[table]:
                    writers.setdefault(table, set()).add(stage.NAME)

        monkeypatch.setattr(stage, "run", recording)
        try:
            run(stage, batch, env)
        finally:
            monkeypatch.setattr(stage, "run", plain)
        for ctx, earlier in zip(batch, before, strict=True):
            now = _public_state(ctx)
            changed.setdefault(stage.NAME, set()).update(n for n in now if now[n] != earlier[n])

    monkeypatch.setattr(pipeline, "_run_stage", watched)
    monkeypatch.setattr(pipeline, "ArticleContext", ReadsRecorded)
    items = [
        IngestInput(text=SEED, published="2018-07-05", source="Reuters"),
        IngestInput(text=GERMAN, published="2018-07-05"),
    ]
    pipeline.ingest_articles(items)
    pipeline.ingest_articles(items)  # stored before: every stage after dedupe is given nothing

    for stage in pipeline.STAGES:
        undeclared = changed.get(stage.NAME, set()) - set(stage.ADDS)
        assert not undeclared, f"stage {stage.NAME!r} changed {sorted(undeclared)} without declaring them"
        # A stage may read what it adds (to add to a list, or to see what it added).
        unread = read.get(stage.NAME, set()) - set(stage.READS) - set(stage.ADDS)
        assert not unread, f"stage {stage.NAME!r} read {sorted(unread)} without declaring them"
        assert not any(given.get(stage.NAME, [])), f"stage {stage.NAME!r} was given an article already done"
    # Each stage writes its own tables: no two add rows to the same one.
    shared = {table: sorted(names) for table, names in writers.items() if len(names) > 1}
    assert not shared.keys() - FOUND_OR_CREATED, shared
    assert writers["intel_mention"] == {"mentions"}
    assert writers["intel_quote"] == {"quotes"}
    assert writers["intel_evidence"] == {"events"}
    # The English article went through every stage; what each adds was added.
    for name in ("doc", "sentences", "hits", "times", "events", "quotes", "mentions"):
        assert any(name in fields for fields in changed.values()), name
