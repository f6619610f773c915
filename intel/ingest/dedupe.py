"""Stage 2, deduplicate: store the article once.

Reads ``ctx.body``, ``ctx.url``, ``ctx.title``, ``ctx.published`` and
``ctx.source_name``. Looks the article up by normalised URL and content hash:
if it is already stored, sets ``ctx.article`` to it and ``ctx.duplicate_of_existing``
(later stages then do nothing for it). Otherwise creates the ``Article`` (and its
``Source`` by name) and sets ``ctx.article``/``ctx.created``; a near-duplicate
(word-shingle Jaccard similarity of 0.6 or more with a stored article, as
MinHash estimates it, see ``minhash.py``) is stored with ``duplicate_of`` set
and ``ctx.near_duplicate_of``. The article is stored with ``ctx.language``;
once ``ctx.article`` is set, an article not in English is ``ctx.done`` (stored,
flagged by its language, and nothing extracted from it).

Two processes ingesting the same article at once create one article: the unique
constraints decide, and the loser finds the winner's row. Two items of one batch
with the same link or text (an outlet's feed and an aggregator's listing one
story) are one article: the second is a copy of the first, stored once.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
from django.db import IntegrityError, connections, transaction
from django.db.models import Q
from django.utils import timezone

from intel.choices import ArticleStatus, DatePrecision
from intel.models import Article, ArticleBands, Source, content_hash_of
from intel.sql_arrays import bigint_array
from intel.urlnorm import normalise_url

from .bulk import copy_rows
from .context import ArticleContext, IngestEnv
from .minhash import BANDS, NEAR_DUPLICATE_JACCARD, bands_of, estimated_jaccard, shingle_hashes, signature

NAME = "deduplicate"
READS = ("body", "url", "title", "published", "source_name", "language")
ADDS = ("url", "article", "created", "duplicate_of_existing", "near_duplicate_of")
# Candidates sharing the most bands are checked; a true near-duplicate shares many.
CANDIDATES_CHECKED = 10
BAND_FIELDS = tuple(f"band_{band}" for band in range(BANDS))


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    for ctx in batch:
        ctx.url = normalise_url(ctx.url)
    hashes = [content_hash_of(ctx.body) for ctx in batch]
    existing = _find_existing(batch, hashes)
    sources = _sources_by_name({ctx.source_name for ctx in batch if ctx.source_name})
    fresh: list[tuple[ArticleContext, Article]] = []
    seen_in_batch: dict[str, ArticleContext] = {}
    # Copies of an article earlier in this batch (an outlet's feed and an aggregator's
    # listing the same story): they get its article once it is stored.
    copies: list[tuple[ArticleContext, ArticleContext]] = []
    for ctx, content_hash in zip(batch, hashes, strict=True):
        found = existing.get(("hash", content_hash)) or (existing.get(("url", ctx.url)) if ctx.url else None)
        twin = seen_in_batch.get(content_hash) or (seen_in_batch.get(ctx.url) if ctx.url else None)
        if found is not None or twin is not None:
            ctx.duplicate_of_existing = True
            if found is not None:
                ctx.article = found
            else:
                assert twin is not None
                copies.append((ctx, twin))
            continue
        fresh.append((ctx, _new_article(ctx, content_hash, sources.get(ctx.source_name.casefold()))))
        seen_in_batch[content_hash] = ctx
        if ctx.url:
            seen_in_batch[ctx.url] = ctx
    if fresh:
        _store(fresh)
    for ctx, original in copies:
        ctx.article = original.article


def _store(fresh: list[tuple[ArticleContext, Article]]) -> None:
    """Store the batch's new articles (and their bands), linking near-duplicates."""
    signatures = _link_near_duplicates(fresh)
    articles = [article for _, article in fresh]
    try:
        with transaction.atomic():
            Article.objects.bulk_create(articles)
        for ctx, article in fresh:
            ctx.article, ctx.created = article, True
    except IntegrityError:
        # Another process stored one of them meanwhile: go one by one, and let the
        # unique constraints tell which ones it was.
        for ctx, article in fresh:
            article.pk = None
            try:
                with transaction.atomic():
                    article.save()
                ctx.article, ctx.created = article, True
            except IntegrityError:
                ctx.article = Article.objects.filter(
                    Q(content_hash=article.content_hash) | (Q(url=article.url) if article.url else Q(pk__in=[]))
                ).first()
                ctx.duplicate_of_existing = True
    _store_bands(fresh, signatures)


def _find_existing(batch: list[ArticleContext], hashes: list[str]) -> dict[tuple[str, str], Article]:
    urls = [ctx.url for ctx in batch if ctx.url]
    found: dict[tuple[str, str], Article] = {}
    if not hashes:
        return found
    for article in (
        Article.objects.filter(Q(content_hash__in=hashes) | Q(url__in=urls))
        .order_by()  # a lookup: the newest-first order of lists is a sort for nothing here
        .only("id", "content_hash", "url", "title", "language")
    ):
        found[("hash", article.content_hash)] = article
        if article.url:
            found[("url", article.url)] = article
    return found


def _sources_by_name(names: set[str]) -> dict[str, Source]:
    """The named publishers, created when new (matched by name, ignoring case)."""
    found = Source.named(names)
    for name in names:
        if name.casefold() not in found:
            found[name.casefold()] = Source.find_or_create(name)
    return found


def _new_article(ctx: ArticleContext, content_hash: str, source: Source | None) -> Article:
    published = ctx.published
    return Article(
        source=source,
        url=ctx.url,
        title=ctx.title,
        body=ctx.body,
        content_hash=content_hash,
        published_on=published.date if published else None,
        published_precision=published.precision if published else DatePrecision.DAY,
        retrieved_at=timezone.now(),
        language=ctx.language,
        # All later stages run in this transaction: if one fails, the article goes too,
        # so it can be stored as processed from the start.
        status=ArticleStatus.PROCESSED,
    )


def _link_near_duplicates(fresh: list[tuple[ArticleContext, Article]]) -> dict[int, list[int]]:
    """Set ``duplicate_of`` on near-duplicates and ``minhash`` on every new article;
    return each article's band values (by position)."""
    signatures: dict[int, list[int]] = {}
    own: dict[int, np.ndarray] = {}
    for i, (ctx, article) in enumerate(fresh):
        own[i] = signature(shingle_hashes(ctx.body))
        signatures[i] = bands_of(own[i])
        article.minhash = own[i].tobytes() if len(own[i]) else None
    wanted: list[set[int]] = [set() for _ in range(BANDS)]  # each band's values
    for values in signatures.values():
        for band, value in enumerate(values):
            wanted[band].add(value)
    if not any(wanted):
        return signatures
    holders: dict[tuple[int, int], list[int]] = {}
    for article_id, *values in _articles_sharing_a_band(wanted):
        for band, value in enumerate(values):
            if value in wanted[band]:
                holders.setdefault((band, value), []).append(article_id)
    if not holders:
        return signatures
    # Each article's candidates, most shared bands first; the best few are checked
    # with the similarity their stored signatures estimate (no text is read).
    ranked: dict[int, list[int]] = {}
    for i, values_ in signatures.items():
        counts = Counter(pk for key in enumerate(values_) for pk in holders.get(key, ()))
        ranked[i] = [pk for pk, _ in counts.most_common(CANDIDATES_CHECKED)]
    needed = {pk for pks in ranked.values() for pk in pks}
    stored = {
        pk: (np.frombuffer(bytes(minhash), dtype=np.uint64) if minhash else None, duplicate_of)
        for pk, minhash, duplicate_of in Article.objects.filter(pk__in=needed)
        .order_by()
        .values_list("pk", "minhash", "duplicate_of_id")
    }
    originals: dict[int, int] = {}
    for i, (_, article) in enumerate(fresh):
        best: tuple[float, int] | None = None
        for pk in ranked.get(i, []):
            candidate = stored.get(pk)
            if candidate is None or candidate[0] is None:
                continue
            similarity = estimated_jaccard(own[i], candidate[0])
            if similarity >= NEAR_DUPLICATE_JACCARD and (best is None or similarity > best[0]):
                best = (similarity, pk)
        if best is not None:
            original_pk = best[1]
            # Point at the original story, never at another copy of it.
            article.duplicate_of_id = stored[original_pk][1] or original_pk
            article.status = ArticleStatus.DUPLICATE
            originals[i] = original_pk
    if originals:
        found = Article.objects.only("id", "title", "url").in_bulk(set(originals.values()))
        for i, pk in originals.items():
            fresh[i][0].near_duplicate_of = found[pk]
    return signatures


def _articles_sharing_a_band(wanted: list[set[int]]) -> list[tuple[int, ...]]:
    """(article, band values…) of the stored articles with, in some band, one of that band's values."""
    connection = connections[ArticleBands.objects.db]
    if connection.vendor != "postgresql":
        condition = Q()
        for field, values in zip(BAND_FIELDS, wanted, strict=True):
            condition |= Q(**{f"{field}__in": values})
        return list(ArticleBands.objects.filter(condition).values_list("article_id", *BAND_FIELDS))
    # 200 values a band for a batch of 200: each band's as one array parameter, not
    # an IN list of 200 that Django compiles, psycopg splices into the text and
    # PostgreSQL parses. The database reads each band's index and ORs the results.
    quote = connection.ops.quote_name
    condition_sql = " OR ".join(f"{quote(field)} = ANY(%s::bigint[])" for field in BAND_FIELDS)
    columns = ", ".join(quote(field) for field in ("article_id", *BAND_FIELDS))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {quote(ArticleBands._meta.db_table)} WHERE {condition_sql}",  # noqa: S608 - a model's table and fields
            [bigint_array(values) for values in wanted],
        )
        return cursor.fetchall()


def _store_bands(fresh: list[tuple[ArticleContext, Article]], signatures: dict[int, list[int]]) -> None:
    # One row per article, its sixteen bands as columns: written without building
    # a model instance for each row, and no keys reserved (the article's is the key).
    rows = [(article.pk, *signatures[i]) for i, (ctx, article) in enumerate(fresh) if ctx.created and signatures.get(i)]
    copy_rows(ArticleBands, ("article", *BAND_FIELDS), rows, returning_ids=False)
