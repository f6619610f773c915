"""Stage 4, known entities: find every known company, market, person and product.

Reads ``ctx.body``. Adds ``ctx.hits``: one ``Hit`` per match of the gazetteer
(see ``gazetteer.py`` for the matching rules). A demonym becomes a market hit
only where it means the market: "the Indian market", "Indian and Chinese
markets", but not "Chinese technology companies" nor "another Chinese maker".
Writes nothing: every mention is stored by stage 5b (``mentions.py``).
"""

from __future__ import annotations

import re

from intel.choices import Method

from .context import ArticleContext, Hit, IngestEnv
from .gazetteer import Match
from .gazetteer_cache import get_gazetteer

NAME = "known entities"
READS = ("body",)
ADDS = ("hits",)

# After a demonym: more demonyms ("and Chinese"), an optional product word, then "market(s)".
_MARKET_AFTER = re.compile(
    r"^(?:\s*(?:,|and|or|&)\s*[A-Z][\w-]+)*\s+(?:(?:smartphone|phone|mobile|handset|consumer|domestic|home)\s+)?markets?\b"
)
_INDEFINITE_BEFORE = re.compile(r"\b(?:another|an?|any)\s+$", re.IGNORECASE)


def demonym_means_market(text: str, match: Match) -> bool:
    if _INDEFINITE_BEFORE.search(text[max(0, match.start - 10) : match.start]):
        return False
    return bool(_MARKET_AFTER.match(text[match.end : match.end + 80]))


def confidence_of(match: Match) -> float:
    if match.entry.proposal:
        # Another article proposed this name and nobody confirmed it: a lead, not a fact.
        return 0.4
    if match.ambiguous:
        return 0.5
    if match.entry.primary or match.entry.case_sensitive:
        return 0.95
    return 0.85


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    gazetteer = env.gazetteer = get_gazetteer()
    for ctx in batch:
        for match in gazetteer.find(ctx.body):
            if match.entry.demonym and not demonym_means_market(ctx.body, match):
                continue
            ctx.add_hit(
                Hit(
                    start=match.start,
                    end=match.end,
                    text=ctx.body[match.start : match.end],
                    kind=match.entry.kind,
                    target_id=match.entry.target_id,
                    method=Method.GAZETTEER,
                    confidence=confidence_of(match),
                    proposal=match.entry.proposal,
                )
            )
