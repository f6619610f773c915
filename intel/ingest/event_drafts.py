"""Events read from sentences: pure text analysis (no database) for the events stage.

``events.py`` hands each sentence and each trigger that fires in it (a built-in one
from ``event_rules.py`` or an analyst's ``EventRule``) to ``draft_event``, which reads
the sentence for a ``Draft``, an event not yet matched or stored:

* who takes part: the trigger's grammatical subject from the parse acts (a passive
  clause's agent; "Acme, which bought Bolt, agreed to buy Cargo" makes Acme the
  subject of "buy"), else the company before the trigger; "it", "they" or "the
  company" mean the company named last before the sentence; the other companies
  are partners or targets, and sanctions make every named company a target. Only
  names the article itself supports count (``Hit.trusted``);
* where: the sentence's markets; for "the market"/"there", the market named last
  before it; "the world's largest" means the World region. A trigger that needs a
  market is dropped without one;
* a regulatory action's actors are the public bodies the sentence names, and a
  government may act on a market; an event with neither a company nor a
  government is not made;
* when: the sentence's resolved time phrase nearest the trigger, but not one in an
  adverbial or relative clause that does not hold it, nor one that dates the
  reporting ("said on Friday") if there is another; an undated event takes the
  time of a later sentence about it (``date_from_follow_ups``);
* its status: from the clause's grammar (``modality.py``), else cue words, else the
  trigger's default.

Reads only the ``ArticleContext`` (its text, sentences, names, parse and time
phrases), so it imports without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from intel.choices import EventType, ParticipantRole, main_company_of

from .context import ArticleContext, Hit, Sentence
from .event_rules import Trigger, builtin_triggers_in, status_of
from .modality import CLAUSE_DEPS, DEALS, clause_verb, status_from_parse, token_at
from .timex import TimeExpression

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

    from .event_matching import Known

_PRONOUN_SUBJECT = re.compile(r"\b(?:it|they|the company|the firm|the group|the brand|he|she|we)\b", re.IGNORECASE)
_REPORTING_TIME = re.compile(
    r"\b(?:said|says|told|announced|reported|added|stated|confirmed)\b(?:\s+\w+){0,2}\s*(?:on|late|early)?\s*$",
    re.IGNORECASE,
)
_WORLDWIDE = re.compile(r"\b(?:world's|world’s|worldwide|global(?:ly)?|around the world)\b", re.IGNORECASE)
_MARKET_ANAPHORA = re.compile(r"\b(?:the|that|this) (?:\w+ )?market\b|\bthere\b", re.IGNORECASE)


@dataclass
class Draft:
    """An event a sentence reports, before it is matched with known events and stored."""

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
    summary: str = ""  # set by the stage, which reads the names of its records
    # Set by matching (``event_matching.py``) and storing (``event_store.py``):
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


def may_hold_event(ctx: ArticleContext, sentence: Sentence) -> bool:
    """Whether an event may be drafted from the sentence: not a heading, and it names a
    company or market or says "it", "the company"… (without any, no event is built)."""
    if sentence.heading:
        return False
    if ctx.has_hit_in(sentence.start, sentence.end):
        return True
    return _PRONOUN_SUBJECT.search(ctx.body[sentence.start : sentence.end]) is not None


def draft_event(
    ctx: ArticleContext, sentence: Sentence, trigger: Trigger, span: tuple[int, int], rule_label: str,
    world: int | None = None,  # the "World" region's key, for "the world's largest"
) -> Draft | None:  # fmt: skip
    """The event ``trigger`` (fired at ``span`` of the sentence's text) reports, read from
    the sentence; None when it lacks what such an event needs (a market, a company or a
    government)."""
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


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


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
            same = [span for _, span in builtin_triggers_in(text, of_type=draft.trigger.type)]
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
