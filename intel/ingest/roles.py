"""A person's job title and company, as the text around their name gives them.

Pure text analysis (no database): stage 5 calls ``role_of`` for each person it
finds, with the article's company names, and proposes a ``Role`` where it returns
one. The phrasings news uses, each read here:

* before the name: "Acme chief executive Jane Doe", "Acme's chief operating officer
  Jane Doe", "Acme Inc. chairman and chief executive Jane Doe", "the company's
  chief executive Jane Doe", "a Acme spokesman, Jane Doe";
* after it: "Jane Doe, the chief executive of Acme", "Jane Doe, Acme's director of
  product", "Jane Doe, head of new media at Acme", "Jane Doe, its chief";
* with "as": "Acme named Jane Doe as its new chief executive", "Jane Doe steps down
  as Acme chairman";
* a title with no company beside it ("Chief executive Jane Doe said", "Jane Doe,
  group chief executive, said") belongs to the company named last before it.

A title is a run of title words (modifiers such as "senior", "operating",
"commercial", then "of" and lower-case words) holding at least one head word
("chief", "officer", "president", "director", "boss", "spokesman"…).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADS = frozenset(
    """
    chief executive officer president chairman chairwoman chair director head boss founder co-founder cofounder
    manager spokesman spokeswoman spokesperson secretary minister patriarch owner ceo cfo coo cto cmo cio vp svp
    evp md partner governor commissioner chancellor adviser advisor controller treasurer
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
MODIFIERS = frozenset(
    """
    senior vice deputy general managing operating financial finance content technology technical marketing sales
    commercial regional global group co non-executive independent lead former new newly-appointed acting interim
    incoming outgoing then product planning media business country executive joint principal corporate digital
    strategy communications operations investor relations research engineering legal human resources retail
    trade foreign
    """.split()  # noqa: SIM905 - a paragraph of words reads better than a column
)
PUBLIC_OFFICES = frozenset({"minister", "secretary", "governor", "commissioner", "chancellor", "trade", "foreign"})
NOT_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sir", "lord", "lady", "prof"})
_ANAPHOR = re.compile(
    r"(?:\b(?:the|this|that) (?:company|firm|group|carmaker|bank|airline|maker|retailer|insurer|labs?)(?:'s|’s)|"
    r"\bits|\btheir)\s*$",
    re.IGNORECASE,
)
_LEGAL = re.compile(r"^\s*(?:'s|’s|'|’)?\s*(?:,?\s*(?:Inc|Corp|Co|Ltd|Plc|PLC|LLC|AG|SA|NV)\.?)?\s*(?:'s|’s)?\s*$")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*|,|&")


@dataclass(frozen=True)
class CompanyName:
    start: int
    end: int
    record: int


def _clean(word: str) -> str:
    return word.lower().strip(".,'’")


def _title_span(words: list[re.Match[str]]) -> tuple[int, int] | None:
    """The longest run of title words at the end of ``words`` that holds a head word:
    (index of its first word, index after its last word), or None."""
    end = len(words)
    while end and _clean(words[end - 1].group()) in NOT_TITLES:
        end -= 1
    i = end
    has_head = False
    while i:
        word = _clean(words[i - 1].group())
        if word in HEADS:
            has_head = True
        elif word in MODIFIERS or (word in {"and", "&"} and has_head and i - 1 > 0):
            pass
        else:
            break
        i -= 1
    while i < end and _clean(words[i].group()) in {"and", "&"}:
        i += 1
    return (i, end) if has_head and i < end else None


def _title_text(words: list[re.Match[str]], span: tuple[int, int]) -> str:
    return " ".join(_clean(w.group()) for w in words[span[0] : span[1]])


def _company_ending_at(companies: list[CompanyName], offset: int, text: str) -> CompanyName | None:
    """A company whose name ends right before ``offset`` (a possessive or legal form between)."""
    for company in reversed(companies):
        if company.end <= offset and _LEGAL.match(text[company.end : offset]):
            return company
    return None


def _last_before(companies: list[CompanyName], offset: int) -> CompanyName | None:
    before = [c for c in companies if c.end <= offset]
    return before[-1] if before else None


def role_of(
    text: str, start: int, end: int, sentence: tuple[int, int], companies: list[CompanyName]
) -> tuple[str, int | None] | None:
    """(title, company record or None) for the person named at [start, end), or None
    if the text gives no title. ``companies`` are the article's company names in order."""
    return _before(text, start, end, sentence, companies) or _after(text, end, sentence, companies)


def _before(
    text: str, start: int, end: int, sentence: tuple[int, int], companies: list[CompanyName]
) -> tuple[str, int | None] | None:
    window_start = max(sentence[0], start - 120)
    lead = text[window_start:start].rstrip()
    comma = lead.endswith(",")  # "a Acme spokesman, Jane Doe"
    if comma:
        lead = lead[:-1]
    words = list(_WORD.finditer(lead))
    span = _title_span(words)
    if span is None:
        return None
    title = _title_text(words, span)
    title_start = window_start + words[span[0]].start()
    company = _company_ending_at(companies, title_start, text)
    if company is not None:
        return title, company.record
    if comma:
        return None  # "…, chief executive, Jane Doe": too loose without a company
    if _ANAPHOR.search(text[window_start:title_start]):
        last = _last_before(companies, title_start)
        return title, last.record if last else None
    after = _after(text, end, sentence, companies, default_owner=False)
    if after is not None and after[1] is not None:
        return title, after[1]
    return title, _owner_by_default(title, companies, title_start)


_AFTER_LEAD = re.compile(r"^\s*,\s+(?:the\s+|a\s+|an\s+|its\s+|their\s+)?", re.IGNORECASE)
_SPACE_AND_THE = re.compile(r"\s*(?:(?i:the) )?")
_AS = re.compile(r"^\s+(?:\w+\s+){0,3}?as\s+(?:the\s+|its\s+|their\s+|a\s+)?(?:new\s+|next\s+)?", re.IGNORECASE)


def _after(
    text: str, end: int, sentence: tuple[int, int], companies: list[CompanyName], default_owner: bool = True
) -> tuple[str, int | None] | None:
    """The title and company after the name; with ``default_owner``, a title with no
    company beside it goes to the one named last before (``_owner_by_default``)."""
    tail = text[end : sentence[1]]
    lead = _AFTER_LEAD.match(tail) or _AS.match(tail)
    if lead is None:
        return None
    at = end + lead.end()
    owner = next((c for c in companies if c.start == at), None)
    if owner is not None:
        at = owner.end
        possessive = re.match(r"(?:'s|’s|')?\s*", text[at : at + 4])
        at += possessive.end() if possessive else 0
    words = list(_WORD.finditer(text[at : min(sentence[1], at + 100)]))
    # The title runs to "of"/"at"/"for" + company, or to a comma or the clause's end.
    taken: list[re.Match[str]] = []
    company = owner
    for i, word in enumerate(words):
        raw = word.group()
        lowered = _clean(raw)
        if raw == ",":
            break
        if lowered in {"at", "of", "for", "with"} and taken:
            rest = _SPACE_AND_THE.match(text, at + word.end()).end()  # type: ignore[union-attr]  # always matches
            found = next((c for c in companies if c.start == rest), None)
            if found is not None:
                company = company or found
                break
            if lowered == "of" and i + 1 < len(words) and words[i + 1].group()[:1].islower():
                taken.append(word)  # "director of product"
                continue
            break
        if lowered in HEADS or lowered in MODIFIERS or lowered == "and":
            taken.append(word)
            continue
        if raw[:1].islower() and taken and any(_clean(w.group()) == "of" for w in taken):
            taken.append(word)  # "director of value-added services"
            continue
        break
    while taken and _clean(taken[-1].group()) in {"and", "of"}:
        taken.pop()
    if not taken or not any(_clean(w.group()) in HEADS for w in taken):
        return None
    title = " ".join(_clean(w.group()) for w in taken)
    if company is None and default_owner:
        return title, _owner_by_default(title, companies, end)
    return title, company.record if company else None


def _owner_by_default(title: str, companies: list[CompanyName], offset: int) -> int | None:
    """A corporate title with no company beside it belongs to the company named last
    before it; a public office ("trade minister") to none."""
    if set(title.split()) & PUBLIC_OFFICES:
        return None
    last = _last_before(companies, offset)
    return last.record if last else None
