"""Stage 8, events: typed events with participants, markets, status, time and evidence.

Reads ``ctx.sentences``, ``ctx.hits`` (companies and markets found in stages 4–5),
``ctx.doc``, ``ctx.times``, and ``ctx.quotes`` with ``ctx.roles`` (stages 7 and 5) for
the quotes that support an event. ``run`` below does four things in turn:

1. drafts: in each sentence, each built-in trigger (``event_rules.py``) and each
   enabled ``EventRule`` that fires proposes a ``Draft``, read from the sentence by
   ``event_drafts.py`` (pure text analysis: who acts, which markets, when, status);
2. summaries ("Acme: market entry – India (planned, 2019)") from the records' names;
   a proposal a person rejected is not made again;
3. matching (``event_matching.py``): a draft that reports an event already known
   (same type, same main company, a shared market, overlapping time) gives it
   evidence instead of a twin;
4. storing (``event_store.py``): the new events with their participants and links,
   and every evidence row: the sentences, and the quotes whose speakers work for an
   event's main company (``quote_evidence.py``).

Adds ``ctx.events``.
"""

from __future__ import annotations

import re
import time

from intel.choices import EventType, MarketKind
from intel.event_time import at_precision
from intel.matching import RuleTimedOut, find_matches, rule_regex_timeout
from intel.models import Article, Company, Event, EventRule, Market, Source
from intel.models.rules import MatchAlgorithm, record_rule_timeouts
from intel.sql_arrays import many_ids

from .context import ArticleContext, IngestEnv
from .event_drafts import Draft, date_from_follow_ups, draft_event, may_hold_event
from .event_matching import match_known_events
from .event_rules import Trigger, builtin_triggers_in
from .event_store import store_events
from .rejected import unrejected

NAME = "events"
READS = (
    "body", "sentences", "hits", "regulators", "doc", "times", "article", "published", "quotes", "roles",
)  # fmt: skip
ADDS = ("events",)


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    if not batch:
        return
    # 1. Drafts: each trigger that fires in a sentence, read from the sentence.
    analyst = AnalystTriggers()
    world = Market.objects.filter(name="World", kind=MarketKind.REGION).values_list("pk", flat=True).first()
    drafts: list[Draft] = []
    for ctx in batch:
        found: list[Draft] = []
        for sentence in ctx.sentences:
            if not may_hold_event(ctx, sentence):
                continue
            text = ctx.body[sentence.start : sentence.end]
            fired = [(t, span, f"builtin:{t.name}") for t, span in builtin_triggers_in(text)]
            fired += analyst.fired_in(text, ctx.article)  # type: ignore[arg-type]  # stored by stage 2
            for trigger, span, label in fired:
                draft = draft_event(ctx, sentence, trigger, span, label, world)
                if draft is not None:
                    found.append(draft)
        found = analyst.keep(found, ctx.article)  # type: ignore[arg-type]
        date_from_follow_ups(ctx, found)
        drafts.extend(found)
    record_rule_timeouts(analyst.timed_out)
    if not drafts:
        return
    # 2. Summaries, and no proposal a person rejected before.
    _summarise(drafts)
    drafts = unrejected(Event, drafts, _fingerprint, env)
    # 3. Drafts of events known already (or earlier in the batch) become their evidence.
    fresh = match_known_events(drafts)
    # 4. The new events, their participants and links, and all evidence, quotes' included.
    store_events(batch, drafts, fresh)


class AnalystTriggers:
    """The enabled ``EventRule``s, as triggers matched sentence by sentence.

    A rule's regular expression may run ``RIVALSCOPE_RULE_REGEX_TIMEOUT`` seconds on an
    article, its sentences together. Past that, the rule is skipped for the article
    (``keep`` drops what it fired there) and the timeout is recorded on the rule.
    """

    def __init__(self) -> None:
        self.rules = [
            (
                Trigger(
                    f"rule {rule.name}", rule.event_type, re.compile(r"$^"), rule.status,
                    needs_market=rule.requires_market, confidence=rule.confidence,
                ),
                rule,
            )
            for rule in EventRule.objects.filter(enabled=True)
        ]  # fmt: skip
        self.timeout = rule_regex_timeout()
        self.timed_out: list[tuple[EventRule, Article]] = []
        self._left: dict[tuple[int, int], float] = {}  # (rule, article) → seconds its regex has left there

    def fired_in(self, text: str, article: Article) -> list[tuple[Trigger, tuple[int, int], str]]:
        """Each rule that matches the sentence ``text`` of ``article``, with the span of its first match."""
        fired = []
        for trigger, rule in self.rules:
            key = (rule.pk, article.pk)
            left = self._left.get(key, self.timeout)
            if left < 0:  # timed out on this article: skipped there
                continue
            started = time.perf_counter()
            try:
                found = find_matches(
                    text, algorithm=rule.algorithm, pattern=rule.match, case_sensitive=rule.case_sensitive, limit=1,
                    timeout=left,
                )  # fmt: skip
            except RuleTimedOut:
                self._left[key] = -1.0
                self.timed_out.append((rule, article))
                continue
            if rule.algorithm == MatchAlgorithm.REGEX:  # only regular expressions run against the clock
                self._left[key] = max(left - (time.perf_counter() - started), 0.0)
            if found:
                fired.append((trigger, (found[0].start, found[0].end), f"rule:{rule.name}"))
        return fired

    def keep(self, drafts: list[Draft], article: Article) -> list[Draft]:
        """The drafts of ``article`` but those of rules that timed out on it."""
        skipped = {f"rule:{rule.name}" for rule, timed_out_on in self.timed_out if timed_out_on.pk == article.pk}
        return [d for d in drafts if d.rule_label not in skipped] if skipped else drafts


def _summarise(drafts: list[Draft]) -> None:
    """Each draft's one-line summary, with the names of its records (three queries for the batch)."""
    company_ids = {pk for d in drafts for pk in [d.actor, *d.partners, *d.targets] if pk}
    market_ids = {pk for d in drafts for pk in d.markets}
    companies = dict(Company.objects.filter(pk__in=many_ids(company_ids, Company)).order_by().values_list("pk", "name"))
    markets = dict(Market.objects.filter(pk__in=market_ids).order_by().values_list("pk", "name"))
    regulator_ids = {pk for d in drafts for pk in d.regulators}
    regulators = dict(Source.objects.filter(pk__in=regulator_ids).order_by().values_list("pk", "name"))
    labels = dict(EventType.choices)
    for d in drafts:
        who = (
            ", ".join(regulators.get(pk, "") for pk in d.regulators)
            or companies.get(d.main_company or 0)
            or ", ".join(markets.get(m, "") for m in d.markets)
        )
        where = ", ".join(markets.get(m, "") for m in d.markets)
        when = at_precision(d.time_start, d.precision, month_format="%B %Y") if d.time_start else ""
        detail = ", ".join(part for part in (d.status.replace("_", " "), when) if part)
        kind = labels.get(d.trigger.type, d.trigger.type).split(" (")[0].lower()
        with_whom = ", ".join(companies.get(pk, "") for pk in d.partners + d.targets)
        summary = f"{who}: {kind}"
        if with_whom:
            summary += f" ({'with' if d.partners else 'against' if d.trigger.roles == 'targets' else 'of'} {with_whom})"
        if where and where != who:
            summary += f" – {where}"
        d.summary = f"{summary} ({detail})"[:500]


def _fingerprint(d: Draft) -> str:
    """What a person's rejection of such an event is remembered by (``Event.fingerprint_for``)."""
    return Event.fingerprint_for(d.trigger.type, d.main_company, d.markets, d.time_start, d.time_end)
