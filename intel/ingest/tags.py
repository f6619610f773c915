"""Stage 9, tags: thematic tags from the rules analysts edit (``TagRule``).

Reads ``ctx.body``. For each enabled rule whose pattern matches (any, all,
literal, regex or fuzzy; see ``intel/matching.py``) adds an ``ArticleTag``,
proposed, with the rule's confidence and the reason: the rule's name and the
words that fired it, with their offsets. Rejected tags are not proposed again.
Adds ``ctx.tags``.
"""

from __future__ import annotations

from intel.choices import Method, ReviewStatus
from intel.matching import find_matches
from intel.models import ArticleTag, TagRule
from intel.review import without_rejected

from .bulk import create_instances
from .context import ArticleContext, IngestEnv

NAME = "tags"
MAX_REASONS = 3


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    todo = [ctx for ctx in batch if not ctx.done]
    if not todo:
        return
    rules = list(TagRule.objects.filter(enabled=True).select_related("tag"))
    tags: list[ArticleTag] = []
    for ctx in todo:
        by_tag: dict[int, ArticleTag] = {}
        for rule in rules:
            # The reason shows the first few matches: no need to find them all.
            matches = find_matches(
                ctx.body,
                algorithm=rule.algorithm,
                pattern=rule.match,
                case_sensitive=rule.case_sensitive,
                limit=MAX_REASONS + 1,
            )
            if not matches:
                continue
            shown = "; ".join(f"“{m.text}” at {m.start}" for m in matches[:MAX_REASONS])
            more = " and more" if len(matches) > MAX_REASONS else ""
            reason = f"rule “{rule.name}”: {shown}{more}"
            existing = by_tag.get(rule.tag_id)
            if existing is not None:
                existing.reason = f"{existing.reason} | {reason}"[:500]
                existing.confidence = max(existing.confidence, rule.confidence)
                continue
            by_tag[rule.tag_id] = ArticleTag(
                article=ctx.article,
                tag=rule.tag,
                reason=reason[:500],
                review_status=ReviewStatus.PROPOSED,
                method=Method.RULE,
                method_detail=f"rule:{rule.name}"[:200],
                confidence=rule.confidence,
            )
        ctx.tags = list(by_tag.values())
        tags.extend(ctx.tags)
    tags = without_rejected(tags)
    kept = {id(t) for t in tags}
    for ctx in todo:
        ctx.tags = [t for t in ctx.tags if id(t) in kept]
    create_instances(tags)
