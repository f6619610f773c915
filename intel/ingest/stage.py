"""The contract every ingestion stage keeps.

A stage is a module of this package (``normalise``, ``parse``, ``dedupe``, …) with:

* ``NAME``: how errors and logs name it ("deduplicate", "new entities").
* ``READS`` and ``ADDS``: the ``ArticleContext`` fields it reads and the fields it
  sets or adds to. A stage reads only what a stage before it added (or the input)
  and changes nothing it does not declare; ``tests/test_ingest_stage_contract.py``
  runs real articles through the pipeline and holds every stage to its ``ADDS``.
* ``run(batch, env)``: does its work for the whole batch at once, so that its
  database writes are bulk statements whatever the batch size.

What the runner (``pipeline._run_stage``) promises a stage, so that no stage repeats it:

* ``batch`` holds only the articles with work left: not ``ArticleContext.done``
  (stored before, or stored now but not in English), in input order. It may be empty.
* The stages after ``BEFORE_STORING`` run in one transaction with the rest of the
  batch: a stage writes its own tables and never commits.
* ``env`` (``IngestEnv``) is the batch's shared state: the acting user, the fetch
  allowance, the gazetteer stage 4 matched with.

What a stage promises the runner:

* Input a person can fix (an empty text, a page that cannot be fetched) raises
  ``IngestError`` with a message for that person; the runner names the stage.
* A database refusal (``DatabaseError``) is left to propagate: the runner turns it
  into an ``IngestError`` so that a caller may retry the batch's items one by one.
* Anything else is a bug and propagates as it is: it must never reach a person as
  bad input.
"""

from __future__ import annotations

from typing import Protocol

from .context import ArticleContext, IngestEnv


class Stage(Protocol):
    """An ingestion stage: a module with these names (see this module's docstring)."""

    NAME: str
    READS: tuple[str, ...]
    ADDS: tuple[str, ...]

    def run(self, batch: list[ArticleContext], env: IngestEnv) -> None: ...
