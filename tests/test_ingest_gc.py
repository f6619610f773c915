"""The cyclic garbage collector is paused for a batch and the long-lived heap frozen once."""

from __future__ import annotations

import gc
from contextlib import contextmanager

import pytest

from intel.ingest import pipeline
from intel.ingest.context import ArticleContext, IngestInput
from intel.ingest.pipeline import ingest_articles

pytestmark = pytest.mark.django_db

TEXT = "Xiaomi plans to enter the US market next year, its senior vice president said."


def test_the_collector_is_paused_during_a_batch_and_enabled_after(monkeypatch):
    monkeypatch.setattr(pipeline, "_heap_frozen", True)  # not the test process's heap
    seen: list[bool] = []
    run_stage = pipeline._run_stage

    def spying(stage, batch, env):
        seen.append(gc.isenabled())
        run_stage(stage, batch, env)

    monkeypatch.setattr(pipeline, "_run_stage", spying)
    assert gc.isenabled()
    ingest_articles([IngestInput(text=TEXT)])
    assert seen[0] is True  # normalising (which may fetch) runs outside the pause
    assert not any(seen[1:])  # the stages in the transaction run with the collector paused
    assert gc.isenabled()


def test_a_batch_s_contexts_are_let_go_before_the_collector_resumes(monkeypatch):
    """Only the results outlive the pause: the collector has not the whole batch to scan."""
    monkeypatch.setattr(pipeline, "_heap_frozen", True)
    alive_at_resume: list[int] = []
    paused = pipeline._cyclic_gc_paused

    @contextmanager
    def watching():
        with paused():
            yield
            # Not collected first: a context still here is held, or in a reference cycle.
            alive_at_resume.append(sum(type(o) is ArticleContext for o in gc.get_objects()))

    monkeypatch.setattr(pipeline, "_cyclic_gc_paused", watching)
    # Earlier tests' garbage first (a context held by a failed ingest's traceback, in a
    # cycle with its frames): only this batch's contexts are counted at resume.
    gc.collect()
    results = ingest_articles([IngestInput(text=TEXT), IngestInput(text=TEXT + " Again.")])
    assert alive_at_resume == [0] and len(results) == 2 and all(r.article.pk for r in results)


def test_the_heap_is_frozen_after_the_first_batch_only(monkeypatch):
    monkeypatch.setattr(pipeline, "_heap_frozen", False)
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(1))
    ingest_articles([IngestInput(text=TEXT)])
    ingest_articles([IngestInput(text=TEXT + " Again.")])
    assert frozen == [1]
