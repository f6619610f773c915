"""Stage 5b, mentions: store every name found in the article as a ``Mention``.

Reads ``ctx.hits`` (known names from stage 4, new ones from stage 5) and ``ctx.article``.
It runs after stage 5 because only then is an article's list of names complete: a
name the model finds may replace a shorter known one, and a surname is linked to the
person named in full. Each distinct name found (span, kind, record) becomes a
proposed ``Mention``, unless a person rejected that mention before; the batch's
mentions are one bulk insert.

Adds ``ctx.mentions`` (``StoredMention`` records: no model instance per mention).
"""

from __future__ import annotations

from intel.choices import ReviewStatus
from intel.models import Mention

from .bulk import copy_rows
from .context import ArticleContext, Hit, IngestEnv, StoredMention
from .rejected import unrejected

NAME = "mentions"
READS = ("hits", "article")
ADDS = ("mentions",)

MENTION_FIELDS = (
    "article", "start", "end", "text", "method", "confidence", "review_status", "method_detail",
    "company", "market", "person", "product",
)  # fmt: skip
# A mention names one record: the column of its kind is set, the others are NULL.
_TARGET_SLOTS = {"company": 0, "market": 1, "person": 2, "product": 3}


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    pending: list[tuple[ArticleContext, Hit]] = []
    for ctx in batch:
        seen = set()
        for hit in ctx.hits:
            key = (hit.start, hit.end, hit.kind, hit.target_id)
            if key not in seen:
                seen.add(key)
                pending.append((ctx, hit))
    pending = unrejected(
        Mention,
        pending,
        lambda pair: Mention.fingerprint_for(
            pair[0].article.content_hash,  # type: ignore[union-attr]
            pair[1].start, pair[1].end, pair[1].kind, pair[1].target_id,
        ),
        env,
    )  # fmt: skip
    rows = []
    for ctx, hit in pending:
        targets: list[int | None] = [None, None, None, None]
        targets[_TARGET_SLOTS[hit.kind]] = hit.target_id
        rows.append(
            (ctx.article.pk, hit.start, hit.end, hit.text[:300], hit.method, hit.confidence,  # type: ignore[union-attr]
             ReviewStatus.PROPOSED.value, "", *targets)
        )  # fmt: skip
    ids = copy_rows(Mention, MENTION_FIELDS, rows)
    for pk, (ctx, hit) in zip(ids, pending, strict=True):
        ctx.mentions.append(
            StoredMention(pk, hit.kind, hit.target_id, hit.text[:300], hit.start, hit.end, hit.method, hit.confidence)
        )
