"""Ingestion: a news article becomes tagged, sourced, reviewable records.

Read this file top to bottom to follow an article from text to records. The CLI
(``manage.py ingest``), the admin's "Ingest article" page, the API and the feed
monitor all call ``ingest_article`` (or ``ingest_articles`` for a batch).

Each stage is a module with a docstring saying what it reads from the
``ArticleContext`` and what it adds (``READS``, ``ADDS``), under the contract in
``stage.py``: the runner below gives it only the articles with work left, and a
bug in it is raised as a bug, never reported as bad input. The pipeline is the
list ``STAGES``; read any one stage after this file without opening another. The
stages that store run in one transaction: if any fails, nothing of the article is
stored, and the ``IngestError`` says which stage and why. The two before them
(``BEFORE_STORING``) hold no lock while they wait on the network or the model.

Every article is stored, with its language (stages 1 and 2); stages 3 to 9
extract from English articles only, since their rules, names and triggers are
English: an article in another language is ``ArticleContext.done`` once stored,
as is one stored before, and its result reports the article alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import DatabaseError, transaction

from intel.models.base import acting_as

from . import (
    dedupe,
    events,
    known_entities,
    mentions,
    new_entities,
    nlp,
    normalise,
    parse,
    quotes,
    sentences,
    tags,
    times,
)
from .context import ArticleContext, IngestEnv, IngestInput
from .dates import PublishedDate
from .errors import IngestError
from .result import IngestResult
from .stage import Stage

logger = logging.getLogger(__name__)

# Outside the transaction: fetching and the model take the time, and hold no lock.
BEFORE_STORING: tuple[Stage, ...] = (
    normalise,  # 1. input → clean text, title, URL, date, language (fetches a URL safely)
    parse,  # 1b. the trained pipeline's parse of each English article (spaCy)
)
STORING: tuple[Stage, ...] = (
    dedupe,  # 2. the same article again creates nothing; near-duplicates are linked; not English: done
    sentences,  # 3. sentence spans (spaCy)
    known_entities,  # 4. known names and aliases (Aho-Corasick)
    new_entities,  # 5. proposed companies, people, products; cited outlets and regulators
    mentions,  # 5b. every name found, known or new, stored as a mention
    times,  # 6. "next year" → 2019
    quotes,  # 7. quotes with speakers and outlets
    events,  # 8. typed events with participants, markets, status, time; evidence: sentences and quotes
    tags,  # 9. thematic tags from rules
)
STAGES = BEFORE_STORING + STORING


def ingest_article(
    *,
    text: str | None = None,
    html: str | None = None,
    raw: bytes | None = None,
    filename: str = "",
    fetch_url: str = "",
    url: str = "",
    title: str = "",
    published: date | str | PublishedDate | None = None,
    source: str = "",
    by: Any = None,
    allowed_networks: list[str] | None = None,
) -> IngestResult:
    """Ingest one article given as text, HTML, a file's bytes or a URL to fetch."""
    item = IngestInput(
        text=text, html=html, raw=raw, filename=filename, fetch_url=fetch_url, url=url,
        title=title, published=published, source=source,
    )  # fmt: skip
    return ingest_articles([item], by=by, allowed_networks=allowed_networks)[0]


def ingest_articles(
    items: Sequence[IngestInput], *, by: Any = None, allowed_networks: list[str] | None = None
) -> list[IngestResult]:
    """Ingest a batch in one transaction: all articles are stored, or none.

    Stages work on the whole batch so that database writes are bulk inserts,
    whatever the batch size. Raises ``IngestError`` naming the stage that failed.
    """
    env = IngestEnv(user=by, fetch_allowed_networks=allowed_networks)
    batch = [ArticleContext(input=item) for item in items]
    # Normalising may fetch URLs, and the model reads every article: both before the
    # transaction opens, so that no database lock is held meanwhile. So is loading the
    # sentence splitter, on a process's first batch.
    _run_stage(normalise, batch, env)
    nlp.sentence_tokenizer()
    with acting_as(by):
        _run_stage(parse, batch, env)
        with transaction.atomic():
            for stage in STORING:
                _run_stage(stage, batch, env)
    return [IngestResult.from_context(ctx) for ctx in batch]


def _run_stage(stage: Stage, batch: list[ArticleContext], env: IngestEnv) -> None:
    """Run ``stage`` on the articles with work left, under the contract in ``stage.py``."""
    try:
        stage.run([ctx for ctx in batch if not ctx.done], env)
    except IngestError as exc:
        exc.stage = stage.NAME
        raise
    except DatabaseError as exc:
        # The database refused a write (a constraint, a lock, a lost connection): the
        # batch is undone, and a caller may try its items one by one.
        logger.exception("ingestion stage %s failed", stage.NAME)
        raise IngestError(f"{type(exc).__name__}: {exc}", stage=stage.NAME) from exc
    except Exception:
        # Anything else is a bug, not the article's fault: it is logged and raised as
        # it is, so that the API answers 500 and a worker's task fails, instead of the
        # item being reported as bad input.
        logger.exception("ingestion stage %s raised an unexpected error", stage.NAME)
        raise
