"""Stage 9, tags: thematic tags from the rules analysts edit (``TagRule``).

Reads ``ctx.body``. For each enabled rule whose pattern matches (any, all,
literal, regex or fuzzy; see ``intel/matching.py``) adds an ``ArticleTag``,
proposed, with the rule's confidence and the reason: the rule's name and the
words that fired it, with their offsets. Rejected tags are not proposed again.
A regular expression that runs out of time on an article (``RIVALSCOPE_RULE_REGEX_TIMEOUT``)
tags nothing there and is counted on its rule (``record_rule_timeouts``).
Adds ``ctx.tags`` (``StoredTag`` records; ``IngestResult.tags`` makes the model
instances when a caller asks).
"""

from __future__ import annotations

from intel.choices import Method, ReviewStatus
from intel.matching import RuleTimedOut, find_matches, rule_regex_timeout
from intel.models import Article, ArticleTag, TagRule
from intel.models.rules import record_rule_timeouts

from .bulk import copy_values
from .context import ArticleContext, IngestEnv, StoredTag
from .rejected import unrejected

NAME = "tags"
READS = ("body", "article")
ADDS = ("tags",)
MAX_REASONS = 3
TAG_FIELDS = ("article", "tag", "reason", "review_status", "method", "method_detail", "confidence")


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    if not batch:
        return
    rules = list(TagRule.objects.filter(enabled=True).select_related("tag"))
    timeout = rule_regex_timeout()
    timed_out: list[tuple[TagRule, Article]] = []
    drafts: list[tuple[ArticleContext, StoredTag]] = []
    for ctx in batch:
        by_tag: dict[int, StoredTag] = {}
        for rule in rules:
            try:
                # The reason shows the first few matches: no need to find them all.
                matches = find_matches(
                    ctx.body,
                    algorithm=rule.algorithm,
                    pattern=rule.match,
                    case_sensitive=rule.case_sensitive,
                    limit=MAX_REASONS + 1,
                    timeout=timeout,
                )
            except RuleTimedOut:
                timed_out.append((rule, ctx.article))  # type: ignore[arg-type]  # stored by stage 2
                continue
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
            by_tag[rule.tag_id] = StoredTag(0, rule.tag, reason[:500], rule.confidence, f"rule:{rule.name}"[:200])
        drafts += [(ctx, tag) for tag in by_tag.values()]
    record_rule_timeouts(timed_out)
    drafts = unrejected(
        ArticleTag, drafts, lambda draft: draft[1].instance(draft[0].article).proposal_fingerprint(), env
    )
    rows = [
        (ctx.article.pk, tag.tag.pk, tag.reason, ReviewStatus.PROPOSED.value, Method.RULE.value,  # type: ignore[union-attr]
         tag.method_detail, tag.confidence)
        for ctx, tag in drafts
    ]  # fmt: skip
    for pk, (ctx, tag) in zip(copy_values(ArticleTag, TAG_FIELDS, rows), drafts, strict=True):
        tag.pk = pk
        ctx.tags.append(tag)
