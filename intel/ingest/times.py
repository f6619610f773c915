"""Stage 6, time: find time phrases and resolve them against the publication date.

The stage only runs ``timex.find_time_expressions`` (the text analysis) over the batch;
the publication date it resolves against is the input's, parsed by ``dates.py``.
(Named ``times``, not ``time``, so as not to shadow the standard library's module.)

Reads ``ctx.body`` and ``ctx.published`` (date and precision). Adds ``ctx.times``:
``TimeExpression(start, end, phrase, date_start, date_end, precision, relative)``
(see ``timex.py``); "next year" in a July 2018 article is 2019-01-01..2019-12-31,
precision year. What cannot be resolved keeps its phrase with no dates.
Writes nothing.
"""

from __future__ import annotations

from .context import ArticleContext, IngestEnv
from .timex import find_time_expressions

NAME = "time"
READS = ("body", "published")
ADDS = ("times",)


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    for ctx in batch:
        published = ctx.published
        ctx.times = find_time_expressions(
            ctx.body,
            reference=published.date if published else None,
            reference_precision=published.precision if published else "day",
        )
