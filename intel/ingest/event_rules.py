"""The built-in event rules: trigger phrases per event type, and how a sentence's tense
and wording set an event's status. Analysts add their own rules in the admin
(``EventRule``); both kinds are applied by stage 8 (``events.py``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from intel.choices import EventStatus, EventType


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
        _p(r"\b(?:foray(?:s|ed)? into|enter(?:s|ed|ing)?\b(?! into (?:talks|an? )|talks)|entry into|"
           r"expan(?:d|ds|ded|ding|sion) (?:\w+ )?(?:into|in|to)|global expansion|"
           r"crack(?:s|ed|ing)? into|establish(?:es|ed|ing)? a presence in|launch(?:es|ed|ing)? (?:in|into)\b|"
           r"debut(?:s|ed)? in|arriv(?:e|es|ed) in|break(?:s|ing)? into|broke into|"
           r"bring(?:s|ing)? (?:its|their) \w+ to|brought (?:its|their) \w+ to|roll(?:s|ed|ing)? out in|"
           r"start(?:s|ed|ing)? (?:selling|operations|operating)(?: (?:its|their) \w+)? in|set(?:s|ting)? up (?:shop|operations) in|"
           r"mov(?:e|es|ed|ing) into)\b"),
        EventStatus.ANNOUNCED, needs_market=True,
    ),
    Trigger(
        "market exit", EventType.MARKET_EXIT,
        _p(r"\b(?:exit(?:s|ed|ing)?|withdr(?:aw|aws|ew|awn|awing)(?: \w+ly)? from|pull(?:s|ed|ing)? out(?: \w+ly)? (?:of|from)|"
           r"leav(?:e|es|ing) the \w*\s*market|quit(?:s|ting)? the \w*\s*market|"
           r"shut(?:s|ting)? (?:down )?(?:its |their |all )?(?:\w+ )?(?:operations|stores|shops|plants?|factor(?:y|ies)|"
           r"offices?|labs?|branches|business)|"
           r"clos(?:e|es|ed|ing) (?:down )?(?:all )?(?:its |their |the )?(?:\d+ )?(?:\w+ )?(?:stores|shops|plants?|"
           r"factor(?:y|ies)|offices?|labs?|branches|operations)|"
           r"(?:to )?shut down|stop(?:s|ped|ping)? selling|(?:suspend|halt)(?:s|ed|ing)? (?:its |their )?(?:\w+ )?(?:\w+ )?"
           r"(?:services|flights|routes|operations)|wind(?:s|ing)? down|retreat(?:s|ed)? from)\b"),
        EventStatus.ANNOUNCED, needs_market=True,
    ),
    Trigger(
        "closure", EventType.MARKET_EXIT,
        _p(r"\b(?:(?:is|are|was|were|will be) to (?:shut|close)|to shut down|(?:shut|shuts|shutting|closing|closes|"
           r"closed) down|(?:shut|shuts|shutting|closing|closes|closed) (?:all |the )?(?:its |their )?(?:\d[\d,]* )?"
           r"(?:\w+ )?(?:stores|shops|plants|factories|labs?|offices|branches)|(?:labs?|plants?|factor(?:y|ies)|stores|"
           r"shops|offices|branches) (?:will |would |are to |is to )?(?:close|closes|shut))\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "partnership", EventType.PARTNERSHIP,
        _p(r"\b(?:in talks with|partner(?:s|ed|ing|ship)? with|team(?:s|ed)? up with|deal with|agreement with|"
           r"alliance with|collaborat\w+ with|distribution deal|carrier deal|tie-up with|joint venture|"
           r"(?:struck|strike|strikes|signed|signs|sign) (?:a|an) (?:\w+ )?(?:deal|agreement|contract)|"
           r"agreed to supply|deal to supply|supply deal|licensing deal|join(?:s|ed|ing)? forces|"
           r"work(?:s|ed|ing)? together|cooperat(?:e|es|ed|ing|ion) with)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "regulatory action", EventType.REGULATORY_ACTION,
        _p(r"\b(?:sanction(?:s|ed)?|ban(?:s|ned)?|fined|fines? (?:of|worth|totall?ing)|penalt(?:y|ies)|export controls?|"
           r"controls imposed|blacklist(?:s|ed)?|entity list|antitrust probe|lift(?:s|ed|ing)? (?:a |the |its )?\w*\s*ban|"
           r"block(?:s|ed|ing)? (?:the |a |its )?(?:\w+ )?(?:takeover|deal|merger|acquisition|bid|site|access)|"
           r"approv(?:ed|es|al) (?:of|for) (?:the )?(?:\w+ )?(?:takeover|deal|merger|acquisition))\b"),
        EventStatus.ANNOUNCED, roles="targets",
    ),
    Trigger(
        "product launch", EventType.PRODUCT_LAUNCH,
        _p(r"\b(?:launch(?:es|ed|ing)?|unveil(?:s|ed|ing)?|introduc(?:es|ed|ing)|releas(?:es|ed|ing)|"
           r"roll(?:s|ed|ing)? out|show(?:s|ed)? off|debut(?:s|ed)?) (?:its|the|a|an|new|their)\b|"
           r"\b(?:go|goes|going|went|gone) on sale\b|\bavailable from\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "pricing", EventType.PRICING,
        _p(r"\b(?:price cuts?|cut(?:s|ting)? (?:its |their |the )?(?:\w+ )?(?:prices|fares|rates|charges|tariffs)|"
           r"slash(?:es|ed)? (?:its |their )?(?:\w+ )?(?:prices|fares)|rais(?:es|ed|ing) (?:its |their )?prices|"
           r"lower(?:s|ed|ing)? (?:the |its |their )?prices?|discounts? on|"
           r"price (?:hike|war)|disruptive pricing|aggressive pricing|free (?:of charge|calls|calling))\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "financing", EventType.FINANCING,
        _p(r"\b(?:IPO|initial public offering|funding round|rais(?:es|ed|ing) (?:\$|£|€|US\$)|went public|goes public|"
           r"go public|listing on|stock market (?:debut|listing|flotation)|flotation|share (?:offer|issue|sale)|"
           r"rais(?:e|es|ed|ing) (?:more than |about |up to |around |over |some )?(?:\$|£|€|US\$|\d)|"
           r"on the stock (?:market|exchange))\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "acquisition", EventType.ACQUISITION,
        _p(r"\b(?:acquir(?:e|es|ed|ing)|acquisition of|buy(?:s|ing)? (?:out )?(?!back)|bought|takeover|"
           r"tak(?:e|es|ing) over(?! from| as)|took over(?! from| as| after)|merg(?:e|es|ed|er|ing) with|"
           r"stake in|bid for|offer for|snap(?:s|ped)? up|purchase of|"
           r"(?:sell(?:s|ing)?|sold) (?:its |their |a |the )?(?:[\w&]+ ){0,5}?(?:stakes?|units?|arms?|divisions?|"
           r"business(?:es)?|subsidiar(?:y|ies)|operations?)|sale of (?:its|the) \w+)"),
        EventStatus.ANNOUNCED, roles="actor-target",
    ),
    Trigger(
        "leadership change", EventType.LEADERSHIP_CHANGE,
        _p(r"\b(?:appoint(?:s|ed|ment)|nam(?:es|ed) (?:\w+ ){0,5}(?:as )?(?:its |the )?(?:new |next )?(?:ceo|chief|chairman|president)|"
           r"step(?:s|ped|ping)? down|resign(?:s|ed|ation)?|successor|succeed(?:s|ed)?|"
           r"t(?:akes|ake|ook) over (?:from|as)|replac(?:es|ed|ing) \w+ (?:\w+ )?as|"
           r"(?:leave|leaves|leaving|left) the (?:company|firm|group|board)|parting company with|(?:his|her) departure|"
           r"nam(?:es|ed) (?:\w+ ){0,4}to (?:run|lead|head)|"
           r"hir(?:es|ed) \w+ \w* ?as)\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "market position", EventType.MARKET_POSITION,
        _p(r"\b(?:(?:the )?top \w*\s*(?:brand|vendor|maker|player|seller)|(?:second|third|fourth|fifth)[- ]largest|"
           r"largest|biggest|market leader|leading (?:brand|vendor|player)|no\. ?\d+ (?:brand|vendor|player)|"
           r"number (?:one|two|three) (?:brand|vendor|player)|market share of|\d+(?:\.\d+)? ?(?:%|per ?cent) "
           r"(?:market )?share|best-selling|top(?:s|ped) the|number one spot|overtak(?:e|es|ing|en))\b"),
        EventStatus.COMPLETED, needs_market=True, confidence=0.65,
    ),
    Trigger(
        "legal", EventType.LEGAL,
        _p(r"\b(?:lawsuit|su(?:es|ed) \w+|patent (?:infringement|dispute)|court ruling|litigation|"
           r"copyright (?:case|ruling|infringement)|won (?:a|the|its) (?:\w+ )?(?:case|ruling))\b"),
        EventStatus.ANNOUNCED,
    ),
    Trigger(
        "other", EventType.OTHER,
        _p(r"\b(?:cut(?:s|ting)? (?:about |some |around |up to |more than |nearly )?(?:\d[\d,.]* )?(?:\w+ )?jobs|"
           r"job cuts|lay(?:s|ing)? off|"
           r"layoffs|restructur(?:e|es|ed|ing)|bankruptcy|renam(?:e|es|ed|ing)|"
           r"build(?:s|ing)? (?:a |its )?(?:new |second |third )?(?:\w+ )?(?:plant|factory))\b"),
        EventStatus.ANNOUNCED,
    ),
)  # fmt: skip


def builtin_triggers_in(text: str, *, of_type: str | None = None) -> list[tuple[Trigger, tuple[int, int]]]:
    """Each built-in trigger (of the event type ``of_type``, or of any) that fires in ``text``,
    with the span of its first match."""
    fired = []
    for trigger in BUILTIN_TRIGGERS:
        if of_type is not None and trigger.type != of_type:
            continue
        match = trigger.pattern.search(text)
        if match is not None:
            fired.append((trigger, match.span()))
    return fired


# Wording that sets the status, checked in this order.
STATUS_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EventStatus.DENIED, _p(r"\b(?:den(?:y|ies|ied)|no plans? to|not planning to|no intention|rul(?:es|ed) out|"
                            r"dismiss(?:es|ed) (?:reports|speculation))\b")),
    (EventStatus.CANCELLED, _p(r"\b(?:cancel(?:s|led|ed)|scrap(?:s|ped)|abandon(?:s|ed)|call(?:s|ed) off|shelv(?:es|ed)|"
                               r"pull(?:s|ed)? the plug|walk(?:s|ed) away|withdr(?:ew|awn|aws) (?:its|the|a) "
                               r"(?:\w+ )?(?:bid|offer|application)|block(?:s|ed)|collaps(?:es|ed)|suspend(?:s|ed)|"
                               r"halt(?:s|ed)|drop(?:s|ped) (?:its|the) (?:\w+ )?(?:bid|plan|offer))\b")),
    (EventStatus.RUMOURED, _p(r"\b(?:reportedly|rumou?r(?:s|ed)?|sources (?:say|said)|speculat\w+|is said to)\b")),
    (EventStatus.IN_PROGRESS, _p(r"\b(?:in talks|negotiat\w+|are facing|is facing|considering|exploring|in the process of|"
                                 r"is (?:now )?(?:entering|expanding)|underway)\b")),
    (EventStatus.PLANNED, _p(r"\b(?:plans? to|planning to|will|geared up|gearing up|hopes? to|we hope|aims? to|aiming to|"
                             r"intends? to|set to|expected to|going to|prepar(?:es|ing) to|before the company can|"
                             r"could|would|is to|are to)\b")),
    (EventStatus.COMPLETED, _p(r"\b(?:has|have|had) (?:\w+ )?(?:\w+ed|come|become|been|begun|gone|done|won)\b|"
                               r"\b(?:cracked|entered|expanded|launched|acquired|completed|became|bought|exited|"
                               r"withdrew|signed|sealed|unveiled|appointed|named|lifted|fined|banned|cut|struck|"
                               r"closed|sold|raised|won)\b")),
)  # fmt: skip


def status_of(sentence: str, default: str) -> str:
    return _cue_status(sentence) or default


@lru_cache(maxsize=4096)
def _cue_status(sentence: str) -> str | None:
    """The status the sentence's wording sets, if any: the first cue found in it (the
    same for every trigger in the sentence, hence the cache)."""
    return next((status for status, cue in STATUS_CUES if cue.search(sentence)), None)
