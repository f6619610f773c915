"""Stage 1b, parse: the trained pipeline reads the batch's English articles, before
anything is stored.

Reads ``ctx.body`` and ``ctx.language`` (stage 1). Sets ``ctx.doc``, the parse
(tokens, tags, dependencies, named entities) that the stages after it read: names
(stage 5) and events (stage 8).

The model takes nearly all of an article's ingestion time (docs/benchmarks.md), so
it runs before the pipeline's transaction opens: a transaction holds SQLite's one
write lock, which every other writer (web requests, the other worker processes)
waits for, and on PostgreSQL an open transaction holds back the changes feed
(intel/changes.py). An article that stage 2 then finds stored already was parsed for
nothing; re-sent articles are rare, and the monitor skips the entries it has seen.
"""

from __future__ import annotations

from .context import ArticleContext, IngestEnv
from .errors import IngestError
from .nlp import model

NAME = "parse"
READS = ("body", "language")
ADDS = ("doc",)


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    todo = [ctx for ctx in batch if ctx.english]
    limit = model().max_length
    for ctx in todo:
        if len(ctx.body) > limit:
            # The parser and the entity recogniser need memory in proportion to the
            # text; spaCy refuses longer ones, and no news article comes near.
            raise IngestError(
                f"The article's text is {len(ctx.body):,} characters long; at most {limit:,} can be analysed. "
                "Split it into its articles.",
                field="text",
            )
    for ctx, doc in zip(todo, model().pipe(ctx.body for ctx in todo), strict=True):
        ctx.doc = doc
