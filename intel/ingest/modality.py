"""An event's status from the grammar of the clause that reports it (polarity and modality).

Pure text analysis on the trained pipeline's parse (no database). Stage 8 asks
``status_from_parse`` first and falls back on the sentence's cue words
(``event_rules.status_of``) where the parse says nothing.

From the trigger word, the clause's verb is found, then the verbs that govern it
("plans to buy", "denied reports it would exit", "abandoned its bid"):

* a governing verb of denial ("deny", "rule out") makes it *denied*; of giving up
  ("abandon", "scrap", "block", "call off", "pull the plug") *cancelled*; of
  intention ("plan", "aim", "intend", "hope", "expect", "prepare") *planned*; of
  negotiation ("negotiate", "be in talks") *in progress*; of agreement or
  decision ("agree", "decide", "announce", "sign") *announced*;
* a negated verb of intention ("is not planning to exit") is *denied*;
* the trigger word itself never cancels its event ("blocked access" is a regulator's
  action, "will suspend two routes" an exit);
* "reportedly", "reports say", "is said to", "is accused of" make it *rumoured*;
* otherwise its own form: "will"/"could" *planned*; "said it would" *announced*;
  "is to" *announced*; "is cutting" *in progress* (but "is parting company with",
  a change made at once, *announced*); a participle takes its governing verb's tense
  ("spent the day cutting prices"); a past form *completed*, except a
  deal (acquisition, partnership, financing), which is *announced* until the text
  says it was completed or closed ("following the completion of its takeover").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from intel.choices import EventStatus, EventType

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

DENY = frozenset({"deny", "dismiss", "refute"})  # a rejected bid stays announced: the bidder still bids
CANCEL = frozenset(
    {"abandon", "scrap", "cancel", "drop", "withdraw", "block", "halt", "suspend", "terminate", "shelve", "kill",
     "collapse", "ditch", "axe", "prohibit", "veto", "end"}
)  # fmt: skip
PLAN = frozenset(
    {"plan", "aim", "intend", "hope", "expect", "prepare", "want", "seek", "look", "target", "propose", "consider",
     "mull", "set", "eye", "weigh"}
)  # fmt: skip
TALKS = frozenset({"negotiate", "discuss", "explore"})
AGREE = frozenset(
    {"agree", "decide", "determine", "announce", "sign", "confirm", "approve", "vote", "seal", "strike"}
)
SAY = frozenset({"say", "tell", "state", "announce", "add", "report", "confirm"})
FUTURE_MODALS = frozenset({"will", "could", "may", "might", "shall", "should", "'ll", "can"})
DEALS = frozenset({EventType.ACQUISITION, EventType.PARTNERSHIP, EventType.FINANCING})
# Changes that happen at once: "is parting company with", "are joining forces" tell of
# one decided, not of one under way as "is cutting prices" does.
ONE_OFF = frozenset({EventType.ACQUISITION, EventType.PARTNERSHIP, EventType.LEADERSHIP_CHANGE})
# Nouns, and verbs in a past form, that say a deal is done when they govern its trigger
# ("following the completion of its takeover", "completed the purchase").
DONE_NOUNS = frozenset({"completion", "closing", "conclusion"})
DONE_VERBS = frozenset({"complete", "close", "finalise", "finalize", "conclude"})
_DONE = re.compile(r"\b(?:complet(?:ed|es|ion)|closed|finali[sz]ed|took effect|went through)\b", re.IGNORECASE)
_RUMOUR = re.compile(
    r"\b(?:reportedly|rumou?r(?:s|ed)?|reports? (?:say|said|suggest)|sources (?:say|said|close)|is said to|"
    r"(?:is|are|was|were|been) accused of|allegedly|"
    r"according to (?:people|sources|reports))\b",
    re.IGNORECASE,
)
# Dependencies through which a word's clause reaches the verb that governs it.
CLAUSE_DEPS = frozenset({"xcomp", "ccomp", "advcl", "conj", "acl", "relcl", "pcomp", "prep", "pobj", "dobj", "attr",
                         "acomp", "amod", "compound", "nmod", "npadvmod", "appos", "dep"})  # fmt: skip
_CLIMB = CLAUSE_DEPS | {"nsubj", "nsubjpass"}


def token_at(doc: Doc, offset: int) -> Token | None:
    """The token holding the character at ``offset`` (the trigger word's first)."""
    span = doc.char_span(offset, offset + 1, alignment_mode="expand")
    return span[0] if span is not None and len(span) else None


def clause_verb(token: Token) -> Token:
    """The verb of the clause holding ``token`` ("takeover" in "has abandoned its takeover" → "abandoned")."""
    for _ in range(5):
        if token.pos_ in {"VERB", "AUX"} or token.head is token:
            return token
        token = token.head
    return token


def _negated(verb: Token) -> bool:
    return any(child.dep_ == "neg" for child in verb.children)


def _governing_status(verb: Token, trigger: Token) -> str | None:
    """The status a verb or one that governs it sets. Up the chain, a denial or a
    giving-up outranks an intention ("denied reports that it plans to exit" is
    denied), which outranks talks and agreement."""
    found: list[str] = []
    token = verb
    for _ in range(4):
        lemma = token.lemma_.lower()
        particles = {c.lower_ for c in token.children if c.dep_ in {"prt", "dobj"}}
        auxiliaries = {c.lower_ for c in token.children if c.dep_ == "aux"}
        if lemma in DENY or (lemma == "rule" and "out" in particles) or (lemma in PLAN and _negated(token)):
            found.append(EventStatus.DENIED)  # also "is not planning to exit"
        elif token is not trigger and (
            lemma in CANCEL or (lemma == "call" and "off" in particles) or (lemma == "pull" and "plug" in particles)
        ):
            # Not the trigger word itself: "blocked access" is a regulator's action,
            # "to suspend two routes" an exit, not the cancelling of one.
            found.append(EventStatus.CANCELLED)
        elif auxiliaries & {"would", "could", "might"} and "have" in auxiliaries and token.tag_ == "VBN":
            found.append(EventStatus.CANCELLED)  # "a deal that would have forced it to buy": it did not happen
        elif lemma in PLAN:
            found.append(EventStatus.PLANNED)
        elif lemma in TALKS:
            found.append(EventStatus.IN_PROGRESS)
        elif lemma in AGREE and token is not verb:
            found.append(EventStatus.ANNOUNCED)
        if token.dep_ not in _CLIMB or token.head is token:
            break
        token = token.head
    for status in _PRIORITY:
        if status in found:
            return status
    return None


_PRIORITY = (
    EventStatus.DENIED, EventStatus.CANCELLED, EventStatus.PLANNED, EventStatus.IN_PROGRESS, EventStatus.ANNOUNCED,
)  # fmt: skip


def _done_by_its_governor(token: Token) -> bool:
    """Whether a word of completion governs the trigger within its clause ("following
    the completion of its takeover", "closed the acquisition")."""
    for _ in range(3):
        if token.head is token:
            return False
        token = token.head
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and lemma in DONE_NOUNS:
            return True
        if token.pos_ in {"VERB", "AUX"}:
            modal = any(c.lower_ in FUTURE_MODALS or c.lower_ in {"would", "to"} for c in token.children)
            return lemma in DONE_VERBS and token.tag_ in {"VBD", "VBN"} and not modal
    return False


def status_from_parse(doc: Doc, offset: int, event_type: str, sentence: str) -> str | None:
    """The status of the event whose trigger word starts at ``offset``, or None if the
    parse gives no sign (the caller then reads the sentence's cue words)."""
    token = token_at(doc, offset)
    if token is None:
        return None
    if _RUMOUR.search(sentence):
        return EventStatus.RUMOURED
    if _done_by_its_governor(token):
        return EventStatus.COMPLETED
    verb = clause_verb(token)
    auxiliaries = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    if verb.tag_ == "VBG" and not auxiliaries and verb.head is not verb and verb.head.pos_ == "VERB":
        verb = verb.head  # "spent its first day cutting prices": the tense is the governing verb's
    governed = _governing_status(verb, token)
    if governed is not None:
        return governed
    if _negated(verb):
        return EventStatus.CANCELLED if verb.tag_ in {"VBD", "VBN"} else EventStatus.DENIED
    auxiliaries = [c for c in verb.children if c.dep_ in {"aux", "auxpass"}]
    words = {a.lower_ for a in auxiliaries}
    if words & FUTURE_MODALS:
        return EventStatus.PLANNED
    if "would" in words:
        head = verb.head
        said = head is not verb and head.lemma_.lower() in SAY
        return EventStatus.ANNOUNCED if said else EventStatus.PLANNED
    if "to" in words and any(a.lemma_ == "be" for a in verb.head.children if a.dep_ in {"aux", "ROOT"}):
        return EventStatus.ANNOUNCED
    if verb.tag_ == "VBG" and any(a.lemma_ == "be" for a in auxiliaries):
        return EventStatus.ANNOUNCED if event_type in ONE_OFF else EventStatus.IN_PROGRESS
    past = verb.tag_ == "VBD" or (verb.tag_ == "VBN" and any(a.lemma_ == "have" for a in auxiliaries))
    if past:
        if event_type in DEALS and not _DONE.search(sentence):
            return EventStatus.ANNOUNCED
        return EventStatus.COMPLETED
    return None
