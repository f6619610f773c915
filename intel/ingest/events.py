"""Stage 7, events: typed events with participants, markets, status, time and evidence.

Reads ``ctx.sentences``, ``ctx.hits`` (companies and markets found in stages 4–5)
and ``ctx.times``. For each sentence, each built-in trigger (``event_rules.py``)
and each enabled ``EventRule`` that matches proposes an event:

* participants: the company before the trigger acts ("Xiaomi … foray into"); with
  no company there, "it", "they" or "the company" mean the company named last
  before the sentence; sanctions make every named company a target;
* markets: the sentence's markets, or for "the market"/"there", the market named
  last before the sentence; triggers that need a market are dropped without one;
* time: the sentence's first resolved time phrase; status: from its wording.

An event that matches one already known (same type, same main company, a shared
market, overlapping time) gains an ``Evidence`` row instead of a twin; a
proposal a person rejected is not made again. Adds ``ctx.events``.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Exists, F, Max, OuterRef, Value
from django.utils import timezone

from intel.choices import MAIN_ROLES, EventType, MarketKind, Method, ParticipantRole, ReviewStatus, main_company_of
from intel.matching import RuleTimedOut, find_matches, rule_regex_timeout
from intel.models import Article, Company, Event, EventParticipant, EventRule, Evidence, Market, Source
from intel.models.rules import MatchAlgorithm, record_rule_timeouts

from .bulk import copy_rows, many_ids, record_history, unrejected
from .context import ArticleContext, EventOutcome, Hit, IngestEnv, Sentence
from .event_rules import Trigger, builtin_triggers_in, status_of
from .modality import CLAUSE_DEPS, DEALS, clause_verb, status_from_parse, token_at
from .timex import TimeExpression, resolve_range_overlap

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

NAME = "events"
READS = ("body", "sentences", "hits", "doc", "times", "article", "published", "near_duplicate_of")
ADDS = ("events",)

_PRONOUN_SUBJECT = re.compile(r"\b(?:it|they|the company|the firm|the group|the brand|he|she|we)\b", re.IGNORECASE)
_REPORTING_TIME = re.compile(
    r"\b(?:said|says|told|announced|reported|added|stated|confirmed)\b(?:\s+\w+){0,2}\s*(?:on|late|early)?\s*$",
    re.IGNORECASE,
)
_WORLDWIDE = re.compile(r"\b(?:world's|world’s|worldwide|global(?:ly)?|around the world)\b", re.IGNORECASE)
_MARKET_ANAPHORA = re.compile(r"\b(?:the|that|this) (?:\w+ )?market\b|\bthere\b", re.IGNORECASE)


@dataclass
class Draft:
    ctx: ArticleContext
    sentence: Sentence
    trigger: Trigger
    actor: int | None
    partners: list[int]
    targets: list[int]
    markets: list[int]
    status: str
    time_start: date | None
    time_end: date | None
    precision: str
    phrase: str
    confidence: float
    rule_label: str
    regulators: list[int] = field(default_factory=list)  # a regulatory action's public bodies (Source keys)
    summary: str = ""
    known: Known | None = None  # the event this draft is evidence for, when not a new one
    event_id: int | None = None
    stored: dict[str, object] | None = None  # a new event's stored fields

    @property
    def main_company(self) -> int | None:
        return main_company_of(
            [(ParticipantRole.ACTOR, self.actor)] * bool(self.actor)
            + [(ParticipantRole.TARGET, c) for c in self.targets]
            + [(ParticipantRole.PARTNER, c) for c in self.partners]
        )


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


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def _draft(
    ctx: ArticleContext, sentence: Sentence, trigger: Trigger, span: tuple[int, int], rule_label: str,
    world: int | None = None,  # the "World" region's key, for "the world's largest"
) -> Draft | None:  # fmt: skip
    text = ctx.body[sentence.start : sentence.end]
    trigger_at = sentence.start + span[0]
    # Companies this article names or supports; a proposal made from another article
    # and not confirmed is never an event's participant on that article's word.
    companies = [h for h in ctx.hits_in(sentence.start, sentence.end, "company") if h.trusted]
    markets = _unique([h.target_id for h in ctx.hits_in(sentence.start, sentence.end, "market")])
    confidence = trigger.confidence
    if not markets and trigger.needs_market and _MARKET_ANAPHORA.search(text):
        previous = ctx.last_hit_before(sentence.start, "market")
        if previous is not None:
            markets, confidence = [previous.target_id], confidence - 0.1
    if trigger.needs_market and not markets and world is not None and _WORLDWIDE.search(text):
        markets = [world]  # "the world's best-selling", "a global expansion"
    if trigger.needs_market and not markets:
        return None

    actor: int | None = None
    partners: list[int] = []
    targets: list[int] = []
    before = [h for h in companies if h.start < trigger_at]
    after = [h for h in companies if h.start >= trigger_at]
    if trigger.roles == "targets":
        targets = _unique([h.target_id for h in companies])
    else:
        parsed = grammatical_subject(ctx, trigger_at, companies) if ctx.doc is not None else None
        subject: Hit | None = parsed if parsed is not None else (before[0] if before else None)
        if parsed is None and _pronoun_subject(ctx, sentence, trigger_at):
            previous = _last_trusted_company_before(ctx, sentence.start)
            if previous is not None or subject is None:
                subject = previous
                confidence -= 0.1
        if subject is None and after and trigger.roles == "actor":
            subject = after[0]
        actor = subject.target_id if subject else None
        others = _unique([h.target_id for h in companies if h.target_id != actor])
        if trigger.roles == "actor-target":
            targets = others
        else:
            partners = others
    regulators = (
        _unique([r.source.pk for r in ctx.regulators if sentence.start <= r.start < sentence.end])
        if trigger.type == EventType.REGULATORY_ACTION
        else []
    )
    if actor is None and not targets:
        # An event is something a company does, or a government does to a market: a
        # regulatory action without a company needs a government in its sentence.
        if trigger.type != EventType.REGULATORY_ACTION:
            return None
        if not regulators and not _GOVERNMENT.search(text) and not _market_acts(ctx, trigger_at, markets):
            return None

    first = _time_near(ctx, sentence, trigger_at)
    return Draft(
        ctx=ctx,
        sentence=sentence,
        trigger=trigger,
        actor=actor,
        partners=partners,
        targets=targets,
        markets=markets,
        status=_status(ctx, trigger_at, trigger, text),
        time_start=first.date_start if first else None,
        time_end=first.date_end if first else None,
        precision=first.precision if first else "",
        phrase=first.phrase if first else "",
        confidence=round(max(0.1, min(confidence, 0.95)), 2),
        rule_label=rule_label,
        regulators=regulators,
    )


def _time_near(ctx: ArticleContext, sentence: Sentence, trigger_at: int) -> TimeExpression | None:
    """The sentence's resolved time phrase nearest the trigger; one that dates the
    reporting ("told analysts on Monday", "said on Friday") only if there is no other."""
    times = [t for t in ctx.times if t.start >= sentence.start and t.end <= sentence.end and t.date_start]
    if ctx.doc is not None:
        times = [t for t in times if _dates_the_clause(ctx.doc, t.start, trigger_at)]
    return min(
        times,
        key=lambda t: (bool(_REPORTING_TIME.search(ctx.body[max(sentence.start, t.start - 30) : t.start])),
                       abs(t.start - trigger_at)),
        default=None,
    )  # fmt: skip


def _dates_the_clause(doc: Doc, time_at: int, trigger_at: int) -> bool:
    """Whether the time phrase at ``time_at`` may date the trigger's event: not when it
    sits in an adverbial or relative clause that does not hold the trigger ("after its
    founder met regulators on Monday", "which was set for Thursday")."""
    time_token, trigger = token_at(doc, time_at), token_at(doc, trigger_at)
    if time_token is None or trigger is None:
        return True
    verb = clause_verb(time_token)
    return verb.dep_ not in {"advcl", "relcl"} or verb is clause_verb(trigger) or trigger in verb.subtree


# How many sentences after an undated event's may date it.
_FOLLOW_UP_SENTENCES = 8
# A later sentence's "the deal", "a final agreement": the deal its article reported before.
_DEAL_ANAPHORA = re.compile(
    r"\b(?:the|this|a final) (?:\w+ )?(?:deal|takeover|merger|acquisition|purchase|agreement|transaction)\b",
    re.IGNORECASE,
)


def date_from_follow_ups(ctx: ArticleContext, drafts: list[Draft]) -> None:
    """Give an event its sentence does not date the time of a later sentence about the
    same event: news states the event first and its date after ("Acme is to shut its
    lab. … The lab will close on 1 February."). A later sentence is about it when a
    trigger of the same type fires there (or, for a deal, it speaks of "the deal") and it
    names no company or names the event's main company; the nearest such sentence within
    a few decides."""
    index = {s.start: i for i, s in enumerate(ctx.sentences)}
    for draft in drafts:
        if draft.time_start is not None or draft.main_company is None:
            continue
        at = index.get(draft.sentence.start)
        if at is None:
            continue
        for sentence in ctx.sentences[at + 1 : at + 1 + _FOLLOW_UP_SENTENCES]:
            if sentence.heading:
                continue
            text = ctx.body[sentence.start : sentence.end]
            same = [span for t, span in builtin_triggers_in(text) if t.type == draft.trigger.type]
            anaphora = _DEAL_ANAPHORA.search(text) if draft.trigger.type in DEALS else None
            if anaphora is not None:
                same.append(anaphora.span())
            if not same:
                continue
            named = {h.target_id for h in ctx.hits_in(sentence.start, sentence.end, "company")}
            if named and draft.main_company not in named:
                continue
            found = _time_near(ctx, sentence, sentence.start + same[0][0])
            if found is not None:
                draft.time_start, draft.time_end = found.date_start, found.date_end
                draft.precision, draft.phrase = found.precision, found.phrase
                break


def _status(ctx: ArticleContext, trigger_at: int, trigger: Trigger, text: str) -> str:
    """From the clause's grammar (``modality``), else the sentence's cue words, else the trigger's default."""
    parsed = status_from_parse(ctx.doc, trigger_at, trigger.type, text) if ctx.doc is not None else None
    return parsed or status_of(text, trigger.default_status)


_GOVERNMENT = re.compile(
    r"\b(?:government|ministry|minister|regulators?|authorit(?:y|ies)|parliament|congress|court|commission|"
    r"president|officials?|state council|beijing|washington|brussels)\b",
    re.IGNORECASE,
)


def _market_acts(ctx: ArticleContext, trigger_at: int, markets: list[int]) -> bool:
    """Whether a country named in the sentence is the trigger's subject ("China bans …")."""
    if ctx.doc is None or not markets:
        return False
    token = token_at(ctx.doc, trigger_at)
    if token is None:
        return False
    verb = token if token.pos_ == "VERB" else token.head
    subjects = [c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}]
    return any(c.ent_type_ in {"GPE", "NORP"} for s in subjects for c in s.subtree)


def _last_trusted_company_before(ctx: ArticleContext, offset: int) -> Hit | None:
    for hit in reversed(ctx.hits_in(0, offset, "company")):
        if hit.trusted:
            return hit
    return None


_SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}


def _clause_subjects(doc: Doc, offset: int) -> list[Token]:
    """The subjects (a passive clause's agent first) of the clause holding the word at
    ``offset``, climbing from a subordinate clause to the one that has them; [] when the
    clause is passive without an agent or no subject is found."""
    token = token_at(doc, offset)
    if token is None:
        return []
    for _ in range(6):
        agents = [c for c in token.children if c.dep_ == "agent"]
        subjects = [c for c in token.children if c.dep_ in _SUBJECT_DEPS and c.dep_ != "nsubjpass"]
        if agents or subjects:
            return agents + subjects
        if any(c.dep_ == "nsubjpass" for c in token.children):
            return []
        if token.head is token or token.dep_ not in CLAUSE_DEPS:
            break
        token = token.head
    return []


def grammatical_subject(ctx: ArticleContext, offset: int, companies: list[Hit]) -> Hit | None:
    """The company that is the grammatical subject of the clause holding the word at
    ``offset`` (the trigger), from the parse: "Acme, which bought Bolt last year,
    agreed to buy Cargo" makes Acme the subject of "buy". A passive clause's agent
    ("was bought by Acme") is the actor. None if the subject names no company (a
    pronoun, a person, a government)."""
    assert ctx.doc is not None
    for child in _clause_subjects(ctx.doc, offset):
        found = _company_in(child, companies)
        if found is not None:
            return found
    return None


def _pronoun_subject(ctx: ArticleContext, sentence: Sentence, trigger_at: int) -> bool:
    """Whether the trigger's subject is "it", "they", "the company"…: from the parse where
    there is one ("It is thought jobs will go when the labs close" has "labs" as the
    subject of "close"), else from the words before the trigger."""
    if ctx.doc is None:
        return _PRONOUN_SUBJECT.search(ctx.body[sentence.start : trigger_at]) is not None
    for subject in _clause_subjects(ctx.doc, trigger_at):
        words = ctx.body[subject.left_edge.idx : subject.idx + len(subject)]
        if _PRONOUN_SUBJECT.fullmatch(words.strip()):
            return True
    return False


def _company_in(token: object, companies: list[Hit]) -> Hit | None:
    subtree = list(token.subtree)  # type: ignore[attr-defined]
    start, end = subtree[0].idx, subtree[-1].idx + len(subtree[-1])
    inside = [h for h in companies if start <= h.start and h.end <= end]
    return inside[0] if inside else None


def _time_label(draft: Draft) -> str:
    if not draft.time_start:
        return ""
    if draft.precision == "year":
        return str(draft.time_start.year)
    if draft.precision == "quarter":
        return f"Q{(draft.time_start.month - 1) // 3 + 1} {draft.time_start.year}"
    if draft.precision == "month":
        return draft.time_start.strftime("%B %Y")
    return draft.time_start.isoformat()


def _summarise(drafts: list[Draft]) -> None:
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
        detail = ", ".join(part for part in (d.status.replace("_", " "), _time_label(d)) if part)
        kind = labels.get(d.trigger.type, d.trigger.type).split(" (")[0].lower()
        with_whom = ", ".join(companies.get(pk, "") for pk in d.partners + d.targets)
        summary = f"{who}: {kind}"
        if with_whom:
            summary += f" ({'with' if d.partners else 'against' if d.trigger.roles == 'targets' else 'of'} {with_whom})"
        if where and where != who:
            summary += f" – {where}"
        d.summary = f"{summary} ({detail})"[:500]


def _fingerprint(d: Draft) -> str:
    return Event.fingerprint_for(d.trigger.type, d.main_company, d.markets, d.time_start, d.time_end)


@dataclass
class Known:
    """An event to match drafts against: stored already, or proposed earlier in this batch."""

    pk: int | None
    type: str
    time_start: date | None
    time_end: date | None
    markets: set[int]
    main: int | None
    first: Draft | None = None  # for an event proposed earlier in this batch: the draft that proposed it
    published: date | None = None  # when the latest article reporting it was published


def _published(d: Draft) -> date | None:
    return d.ctx.published.date if d.ctx is not None and d.ctx.published else None


def _same_event(known: Known, d: Draft) -> bool:
    """Whether a draft reports a known event: same type and main company, a shared market
    where both name one, and compatible times. Where either time is unresolved, the
    articles must have been published within ``RIVALSCOPE_EVENT_MATCH_MONTHS`` of each
    other: a denial of plans one year must not absorb a plan reported two years later."""
    if known.type != d.trigger.type or known.main != d.main_company:
        return False
    if d.main_company is None:
        # Without a company, an event is known by its market alone.
        if not (known.markets & set(d.markets)):
            return False
    elif known.markets and d.markets and not (known.markets & set(d.markets)):
        return False
    if (known.time_start or known.time_end) and (d.time_start or d.time_end):
        return resolve_range_overlap((known.time_start, known.time_end), (d.time_start, d.time_end))
    published = _published(d)
    if known.published is None or published is None:
        return True
    window = settings.RIVALSCOPE_EVENT_MATCH_MONTHS
    months = abs((published.year - known.published.year) * 12 + published.month - known.published.month)
    return months <= window


def _known_events(drafts: list[Draft]) -> list[Known]:
    """Candidate events for the drafts, as plain values (three queries, no model instances).

    A draft can only match an event of its type with the same main company (see
    ``_same_event``), so only those are read: the events of its type where its main
    company takes part as actor, target or partner; for a draft without a company,
    the events of its type in one of its markets that have no such participant.
    (Reading every event of any draft's type for any draft's company read several
    times as many, more as the database grew, and whether an event whose only
    participant is a regulator was a candidate depended on the batch's other drafts.)
    A draft with neither company nor market is matched only within its batch.
    """
    pairs: set[tuple[str, int, bool]] = set()  # (type, company or market, whether a market)
    for d in drafts:
        if d.main_company:
            pairs.add((d.trigger.type, d.main_company, False))
        else:
            pairs.update((d.trigger.type, market, True) for market in d.markets)
    # The database finds the rows by the types and companies (or markets) as plain
    # lists, which it can look up by index; the pairs, an OR it could not, are kept
    # here. One part for each kind of draft, joined by UNION, so that each part reads
    # only its own link table. An event listed twice is one key of ``known`` below.
    candidates = Event.objects.exclude(review_status=ReviewStatus.REJECTED).order_by()
    fields = ("pk", "type", "time_start", "time_end", "link", "by_market")
    parts = []
    if by_company := [(type_, pk) for type_, pk, market in pairs if not market]:
        in_main_role = candidates.filter(  # one filter() call: all about the same participant row
            type__in={type_ for type_, _ in by_company},
            participants__company_id__in=many_ids({pk for _, pk in by_company}, Event),
            participants__role__in=MAIN_ROLES,
        )
        parts.append(in_main_role.annotate(link=F("participants__company_id"), by_market=Value(False)))
    if by_market := [(type_, pk) for type_, pk, market in pairs if market]:
        has_main = EventParticipant.objects.filter(event=OuterRef("pk"), role__in=MAIN_ROLES)
        in_market = candidates.filter(
            type__in={type_ for type_, _ in by_market}, markets__id__in={pk for _, pk in by_market}
        ).filter(~Exists(has_main))
        parts.append(in_market.annotate(link=F("markets__id"), by_market=Value(True)))
    if not parts:
        return []
    rows = parts[0].values_list(*fields)
    if len(parts) > 1:
        rows = rows.union(parts[1].values_list(*fields))
    known: dict[int, Known] = {}
    # Newest first: matching takes the first that fits.
    for pk, type_, start, end, link, market in rows.order_by("-time_start", "-pk"):
        if (type_, link, market) in pairs and pk not in known:
            known[pk] = Known(pk, type_, start, end, set(), None)
    if not known:
        return []
    for event_id, market_id in Event.markets.through.objects.filter(event_id__in=many_ids(known, Event)).values_list(
        "event_id", "market_id"
    ):
        known[event_id].markets.add(market_id)
    roles: dict[int, list[tuple[int, str, int]]] = {}
    # No ordering: the participants' default order joins the events to sort by their
    # time; the rows are put back in the order they were stored (by key) here.
    for pk, event_id, company_id, role in (
        EventParticipant.objects.filter(event_id__in=many_ids(known, Event))
        .order_by()
        .values_list("pk", "event_id", "company_id", "role")
    ):
        roles.setdefault(event_id, []).append((pk, role, company_id))
    for event_id, rows_ in roles.items():
        known[event_id].main = main_company_of((role, company) for _, role, company in sorted(rows_))
    for event_id, latest in (
        Evidence.objects.filter(event_id__in=many_ids(known, Event))
        .order_by()
        .values("event_id")
        .annotate(latest=Max("article__published_on"))
        .values_list("event_id", "latest")
    ):
        known[event_id].published = latest
    return list(known.values())


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    if not batch:
        return
    analyst = AnalystTriggers()
    world = Market.objects.filter(name="World", kind=MarketKind.REGION).values_list("pk", flat=True).first()
    drafts: list[Draft] = []
    for ctx in batch:
        found: list[Draft] = []
        for sentence in ctx.sentences:
            if sentence.heading:
                continue
            # No company, no market and no "it"/"the company": no event can be built here.
            text = ctx.body[sentence.start : sentence.end]
            if not ctx.has_hit_in(sentence.start, sentence.end) and not _PRONOUN_SUBJECT.search(text):
                continue
            fired = [(t, span, f"builtin:{t.name}") for t, span in builtin_triggers_in(text)]
            fired += analyst.fired_in(text, ctx.article)  # type: ignore[arg-type]  # stored by stage 2
            for trigger, span, label in fired:
                draft = _draft(ctx, sentence, trigger, span, label, world)
                if draft is not None:
                    found.append(draft)
        found = analyst.keep(found, ctx.article)  # type: ignore[arg-type]
        date_from_follow_ups(ctx, found)
        drafts.extend(found)
    record_rule_timeouts(analyst.timed_out)
    if not drafts:
        return
    _summarise(drafts)
    drafts = unrejected(Event, drafts, _fingerprint, env)
    # Known events and the ones proposed earlier in this batch, by type and main company.
    index: dict[tuple[str, int | None], list[Known]] = {}
    for known in _known_events(drafts):
        index.setdefault((known.type, known.main), []).append(known)
    fresh: list[Draft] = []
    for d in drafts:
        same_kind = index.get((d.trigger.type, d.main_company), [])
        match = next((k for k in same_kind if _same_event(k, d)), None)
        if match is not None:
            d.known = match
            continue
        fresh.append(d)
        index.setdefault((d.trigger.type, d.main_company), []).append(
            Known(
                None, d.trigger.type, d.time_start, d.time_end, set(d.markets), d.main_company, first=d,
                published=_published(d),
            )
        )  # fmt: skip
    _store(drafts, fresh)


EVENT_FIELDS = (
    "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase", "confidence",
    "review_status", "method", "method_detail", "created_at", "updated_at",
)  # fmt: skip


def _store(drafts: list[Draft], fresh: list[Draft]) -> None:
    now = timezone.now()
    # Plain rows, no Event instance per draft (building one costs more than storing
    # it): IngestResult.events makes them when a caller asks.
    rows = [
        (d.trigger.type, d.status, d.summary, d.time_start, d.time_end, d.precision, d.phrase[:200], d.confidence,
         ReviewStatus.PROPOSED.value, Method.RULE.value, d.rule_label[:200], now, now)
        for d in fresh
    ]  # fmt: skip
    ids = copy_rows(Event, EVENT_FIELDS, rows)
    for d, pk, row in zip(fresh, ids, rows, strict=True):
        d.event_id = pk
        d.stored = dict(zip(EVENT_FIELDS, row, strict=True))
    for d in drafts:
        if d.known is not None:
            # The same as an event stored before, or as one proposed earlier in this batch.
            first = d.known.first
            d.event_id, d.stored = (d.known.pk, None) if first is None else (first.event_id, first.stored)
    record_history(Event, ids)
    # The linking rows are plain tuples: building a model instance per row costs
    # more than writing it. Participants keep their history like any bulk change.
    participants: list[tuple[int, int, str]] = []
    market_links: list[tuple[int, int]] = []
    regulator_links: list[tuple[int, int]] = []
    for d in fresh:
        event_id = d.event_id
        if d.actor:
            participants.append((event_id, d.actor, ParticipantRole.ACTOR.value))
        participants += [(event_id, pk, ParticipantRole.PARTNER.value) for pk in d.partners]
        participants += [(event_id, pk, ParticipantRole.TARGET.value) for pk in d.targets]
        market_links += [(event_id, pk) for pk in d.markets]
        regulator_links += [(event_id, pk) for pk in d.regulators]
    ids = copy_rows(EventParticipant, ("event", "company", "role"), participants)
    record_history(EventParticipant, ids)
    copy_rows(Event.markets.through, ("event", "market"), market_links, returning_ids=False)
    copy_rows(Event.regulators.through, ("event", "source"), regulator_links, returning_ids=False)
    # Each article here is new, so none of its evidence rows can exist already.
    evidence: dict[tuple[int, int, int, int], tuple[object, ...]] = {}
    new_ids = {id(d) for d in fresh}
    for d in drafts:
        assert d.event_id is not None and d.ctx.article is not None
        key = (d.event_id, d.ctx.article.pk, d.sentence.start, d.sentence.end)
        if key not in evidence:
            evidence[key] = (*key, d.ctx.body[d.sentence.start : d.sentence.end], now)
            time = (d.known.time_start, d.known.time_end) if d.known is not None else (d.time_start, d.time_end)
            d.ctx.events.append(
                EventOutcome(
                    d.event_id, id(d) in new_ids, d.sentence.start, d.sentence.end, d.main_company, *time,
                    stored=d.stored,
                )
            )  # fmt: skip
    copy_rows(
        Evidence, ("event", "article", "start", "end", "text", "created_at"), list(evidence.values()),
        returning_ids=False,
    )  # fmt: skip
