"""Stage 2, deduplicate: store the article once.

Reads ``ctx.body``, ``ctx.url``, ``ctx.title``, ``ctx.published`` and
``ctx.source_name``. Looks the article up by normalised URL and content hash:
if it is already stored, sets ``ctx.article`` to it and ``ctx.duplicate_of_existing``
(later stages then do nothing for it). Otherwise creates the ``Article`` (and its
``Source`` by name) and sets ``ctx.article``/``ctx.created``; a near-duplicate
(SimHash within 3 bits of a stored article) is stored with ``duplicate_of`` set
and ``ctx.near_duplicate_of``.

Two processes ingesting the same article at once create one article: the unique
constraints decide, and the loser finds the winner's row.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from intel.choices import ArticleStatus, DatePrecision
from intel.models import Article, Source, content_hash_of
from intel.urlnorm import normalise_url

from .context import ArticleContext, IngestEnv
from .simhash import NEAR_DUPLICATE_BITS, bands, distance, simhash, to_signed

NAME = "deduplicate"


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    todo = [ctx for ctx in batch if not ctx.done]
    for ctx in todo:
        ctx.url = normalise_url(ctx.url)
    existing = _find_existing(todo)
    sources = _sources_by_name({ctx.source_name for ctx in todo if ctx.source_name})
    fresh: list[tuple[ArticleContext, Article]] = []
    seen_in_batch: dict[str, ArticleContext] = {}
    for ctx in todo:
        content_hash = content_hash_of(ctx.body)
        found = existing.get(("hash", content_hash)) or (existing.get(("url", ctx.url)) if ctx.url else None)
        twin = seen_in_batch.get(content_hash) or (seen_in_batch.get(ctx.url) if ctx.url else None)
        if found is not None or twin is not None:
            ctx.article = found if found is not None else twin.article  # type: ignore[union-attr]
            ctx.duplicate_of_existing = True
            continue
        fresh.append((ctx, _new_article(ctx, content_hash, sources.get(ctx.source_name.casefold()))))
        seen_in_batch[content_hash] = ctx
        if ctx.url:
            seen_in_batch[ctx.url] = ctx
    if not fresh:
        return
    _link_near_duplicates(fresh)
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


def _find_existing(batch: list[ArticleContext]) -> dict[tuple[str, str], Article]:
    hashes = [content_hash_of(ctx.body) for ctx in batch]
    urls = [ctx.url for ctx in batch if ctx.url]
    found: dict[tuple[str, str], Article] = {}
    if not hashes:
        return found
    for article in Article.objects.filter(Q(content_hash__in=hashes) | Q(url__in=urls)).only(
        "id", "content_hash", "url", "title"
    ):
        found[("hash", article.content_hash)] = article
        if article.url:
            found[("url", article.url)] = article
    return found


def _sources_by_name(names: set[str]) -> dict[str, Source]:
    """The named publishers, created when new (matched by name, ignoring case)."""
    if not names:
        return {}
    query = Q()
    for name in names:
        query |= Q(name__iexact=name)
    found = {source.name.casefold(): source for source in Source.objects.filter(query)}
    for name in names:
        if name.casefold() not in found:
            found[name.casefold()] = Source.objects.create(name=name)
    return found


def _new_article(ctx: ArticleContext, content_hash: str, source: Source | None) -> Article:
    value = simhash(ctx.body)
    band = bands(value)
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
        status=ArticleStatus.STORED,
        simhash=to_signed(value),
        simhash_band0=band[0],
        simhash_band1=band[1],
        simhash_band2=band[2],
        simhash_band3=band[3],
    )


def _link_near_duplicates(fresh: list[tuple[ArticleContext, Article]]) -> None:
    query = Q()
    for _, article in fresh:
        query |= (
            Q(simhash_band0=article.simhash_band0)
            | Q(simhash_band1=article.simhash_band1)
            | Q(simhash_band2=article.simhash_band2)
            | Q(simhash_band3=article.simhash_band3)
        )
    candidates = list(Article.objects.filter(query).only("id", "simhash", "duplicate_of_id", "title")[:1000])
    for ctx, article in fresh:
        best = None
        for candidate in candidates:
            if candidate.simhash is None:
                continue
            bits = distance(candidate.simhash, article.simhash)  # type: ignore[arg-type]
            if bits <= NEAR_DUPLICATE_BITS and (best is None or bits < best[0]):
                best = (bits, candidate)
        if best is not None:
            original = best[1]
            # Point at the original story, never at another copy of it.
            article.duplicate_of_id = original.duplicate_of_id or original.pk
            article.status = ArticleStatus.DUPLICATE
            ctx.near_duplicate_of = original
