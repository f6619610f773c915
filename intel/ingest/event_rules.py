"""The built-in event rules: trigger phrases per event type, and how a sentence's tense
and wording set an event's status. Analysts add their own rules in the admin
(``EventRule``); both kinds are applied by stage 7 (``events.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from intel.choices import EventStatus, EventType

from .prefixscan import Text, automaton_of, first_to_match


@dataclass(frozen=True)
class Trigger:
    name: str
    type: str
    pattern: re.Pattern[str]
    default_status: str
    needs_market: bool = False
    # How the sentence's companies take part: "actor" (the first is the actor, the
    # rest partners), "targets" (all are targets: sanctions), "actor-target" (the
    # one before the trigger acts on the ones after: acquisitions).
    roles: str = "actor"
    confidence: float = 0.7


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


BUILTIN_TRIGGERS: tuple[Trigger, ...] = (
    Trigger(
        "market entry", EventType.MARKET_ENTRY,
        _p(r"\b(?:foray(?:s|ed)? into|enter(?:s|ed|ing)?\b(?! into talks)|entry into|expan(?:d|ds|ded|ding|sion) into|"
           r"crack(?:s|ed|ing)? into|establish(?:es|ed|ing)? a presence in|launch(?:es|ed|ing)? (?:in|into)\b|"
           r"debut(?:s|ed)? in|arriv(?:e|es|ed) in|break(?:s|ing)? into|broke into)\b"),
        EventStatus.ANNOUNCED, needs_market=True,
    ),
    Trigger(
        "market exit", EventType.MARKET_EXIT,
        _p(r"\b(?:exit(?:s|ed|ing)?|withdr(?:aw|aws|ew|awn|awing) from|pull(?:s|ed|ing)? out of|"
           r"leav(?:e|es|ing) the \w*\s*market|quit(?:s|ting)? the \w*\s*market)\b"),
        EventStatus.ANNOUNCED, needs_market=True,
    ),
    Trigger(
        "partnership", EventType.PARTNERSHIP,
        _p(r"\b(?:in talks with|partner(?:s|ed|ing|ship)? with|team(?:s|ed)? up with|deal with|agreement with|"
           r"alliance with|collaborat\w+ with|distribution deal|carrier deal|tie-up with|joint venture)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "regulatory action", EventType.REGULATORY_ACTION,
        _p(r"\b(?:sanction(?:s|ed)?|ban(?:s|ned)?|fined|fines? (?:of|worth|totall?ing)|penalt(?:y|ies)|export controls?|controls imposed|"
           r"blacklist(?:s|ed)?|entity list|antitrust probe)\b"),
        EventStatus.ANNOUNCED, roles="targets",
    ),
    Trigger(
        "product launch", EventType.PRODUCT_LAUNCH,
        _p(r"\b(?:launch(?:es|ed)?|unveil(?:s|ed)?|introduc(?:es|ed)|releas(?:es|ed)) (?:its|the|a|new)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "pricing", EventType.PRICING,
        _p(r"\b(?:price cuts?|cut(?:s|ting)? (?:its |their )?prices|slash(?:es|ed)? prices|rais(?:es|ed|ing) prices|"
           r"price (?:hike|war)|disruptive pricing|aggressive pricing)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "financing", EventType.FINANCING,
        _p(r"\b(?:IPO|initial public offering|funding round|rais(?:es|ed) \$|went public|goes public|listing on)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "acquisition", EventType.ACQUISITION,
        _p(r"\b(?:acquir(?:e|es|ed|ing)|acquisition of|buy(?:s|ing)? out|bought|takeover of|tak(?:e|es|ing) over)\b"),
        EventStatus.ANNOUNCED, roles="actor-target",
    ),
    Trigger(
        "leadership change", EventType.LEADERSHIP_CHANGE,
        _p(r"\b(?:appoint(?:s|ed)|nam(?:es|ed) \w+ (?:as )?(?:its )?(?:new )?(?:ceo|chief)|step(?:s|ped)? down|"
           r"resign(?:s|ed)|hir(?:es|ed) \w+ \w* ?as)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "market position", EventType.MARKET_POSITION,
        _p(r"\b(?:(?:the )?top \w*\s*(?:brand|vendor|maker|player|seller)|(?:second|third|fourth|fifth)[- ]largest|"
           r"largest|biggest|market leader|leading (?:brand|vendor|player)|no\. ?\d+ (?:brand|vendor|player)|"
           r"number (?:one|two|three) (?:brand|vendor|player)|market share of|\d+(?:\.\d+)? ?(?:%|per ?cent) "
           r"(?:market )?share)\b"),
        EventStatus.COMPLETED, needs_market=True, confidence=0.65,
    ),
    Trigger(
        "legal", EventType.LEGAL,
        _p(r"\b(?:lawsuit|su(?:es|ed) \w+|patent (?:infringement|dispute)|court ruling|litigation)\b"),
        EventStatus.ANNOUNCED,
    ),
)  # fmt: skip

# Words without which a trigger cannot match (its pattern needs one of them):
# a substring test is far cheaper than a regular-expression search.
KEYWORDS: dict[str, tuple[str, ...]] = {
    "market entry": (
        "foray",
        "enter",
        "entry",
        "expan",
        "crack",
        "establish",
        "launch",
        "debut",
        "arriv",
        "break",
        "broke",
    ),
    "market exit": ("exit", "withdr", "pull", "leav", "quit"),
    "partnership": ("talks", "partner", "team", "deal", "agreement", "alliance", "collaborat", "tie-up", "joint"),
    "regulatory action": ("sanction", "ban", "fine", "penalt", "control", "blacklist", "entity list", "antitrust"),
    "product launch": ("launch", "unveil", "introduc", "releas"),
    "pricing": ("price", "pricing"),
    "financing": ("ipo", "public offering", "funding", "raise", "went public", "goes public", "listing"),
    "acquisition": ("acqui", "buy", "bought", "takeover", "take over", "taking over", "takes over"),
    "leadership change": ("appoint", "name", "step", "resign", "hire"),
    "market position": ("top", "largest", "biggest", "leader", "leading", "no.", "number", "share"),
    "legal": ("lawsuit", "sue", "patent", "court", "litigation"),
}


@lru_cache(maxsize=1)
def _keyword_automaton() -> ahocorasick.Automaton:
    """Every keyword, with the triggers that need it: one pass in C finds them all
    (overlapping ones too), where a substring test per keyword and trigger cost 10 µs
    a sentence."""
    needed_by: dict[str, set[str]] = {}
    missing = {trigger.name for trigger in BUILTIN_TRIGGERS} - KEYWORDS.keys()
    if missing:
        raise KeyError(f"built-in triggers without keywords: {sorted(missing)}")
    for name, words in KEYWORDS.items():
        for word in words:
            needed_by.setdefault(word, set()).add(name)
    return automaton_of({word: frozenset(names) for word, names in needed_by.items()})


def builtin_triggers_in(text: str) -> list[tuple[Trigger, tuple[int, int]]]:
    """Each built-in trigger that fires in ``text``, with the span of its first match."""
    present: set[str] = set()
    for _, names in _keyword_automaton().iter(text.lower()):
        present |= names
    fired = []
    for trigger in BUILTIN_TRIGGERS:
        if trigger.name not in present:
            continue
        match = trigger.pattern.search(text)
        if match is not None:
            fired.append((trigger, match.span()))
    return fired


# Wording that sets the status, checked in this order.
STATUS_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EventStatus.DENIED, _p(r"\b(?:den(?:y|ies|ied)|no plans? to|rul(?:es|ed) out)\b")),
    (EventStatus.CANCELLED, _p(r"\b(?:cancel(?:s|led|ed)|scrap(?:s|ped)|abandon(?:s|ed)|call(?:s|ed) off|shelv(?:es|ed))\b")),
    (EventStatus.RUMOURED, _p(r"\b(?:reportedly|rumou?r(?:s|ed)?|sources (?:say|said)|speculat\w+|is said to)\b")),
    (EventStatus.IN_PROGRESS, _p(r"\b(?:in talks|negotiat\w+|are facing|is facing|considering|exploring|in the process of|"
                                 r"is (?:now )?(?:entering|expanding)|underway)\b")),
    (EventStatus.PLANNED, _p(r"\b(?:plans? to|planning to|will|geared up|gearing up|hopes? to|we hope|aims? to|aiming to|"
                             r"intends? to|set to|expected to|going to|prepar(?:es|ing) to|before the company can|"
                             r"could|would)\b")),
    (EventStatus.COMPLETED, _p(r"\b(?:has|have|had) (?:\w+ )?(?:\w+ed|come|become|been|begun|gone|done|won)\b|"
                               r"\b(?:cracked|entered|expanded|launched|acquired|completed|became|bought|exited|"
                               r"withdrew|signed)\b")),
)  # fmt: skip


_CUES = tuple(cue for _, cue in STATUS_CUES)


def status_of(sentence: str, default: str) -> str:
    return _cue_status(sentence) or default


@lru_cache(maxsize=4096)
def _cue_status(sentence: str) -> str | None:
    """The status the sentence's wording sets, if any (the same for every trigger in it).

    Each cue is tried only where one of its words starts, all found in one pass
    (``prefixscan.first_to_match``): six regular-expression scans of every sentence
    with an event were a tenth of stage 7.
    """
    found = first_to_match(_CUES, Text(sentence))
    return None if found is None else STATUS_CUES[found][0]
