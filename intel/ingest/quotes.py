"""Stage 7, quotes: quoted speech, who said it, and the outlet it was said to.

Reads ``ctx.body``, ``ctx.sentences``, ``ctx.hits`` (people and companies),
``ctx.cited`` and ``ctx.regulators`` (outlets and public bodies found in stage 5).
For each quotation of four words or more:

* the speaker is the person named nearest a speech verb around the quote, or, for
  "He said" / "She stated", the person named last before it; else the organisation
  that says it ("Acme said"), by name only;
* the outlet is the one cited for an interview in that sentence or the two
  before it ("… in an interview with Reuters. He stated, "…"").

Adds ``ctx.quotes`` (stored, proposed: ``StoredQuote`` records; ``IngestResult.quotes``
makes the model instances when a caller asks). Which quotes support an event is
decided by the events stage, which stores every evidence row (``quote_evidence.py``).
"""

from __future__ import annotations

import re

from intel.choices import Method, ReviewStatus
from intel.models import Quote

from .bulk import copy_values
from .context import ArticleContext, Hit, IngestEnv, StoredQuote
from .rejected import unrejected

NAME = "quotes"
READS = ("body", "sentences", "hits", "cited", "regulators", "article")
ADDS = ("quotes",)
QUOTE_FIELDS = (
    "article", "text", "start", "end", "speaker", "speaker_name", "reported_via", "review_status", "method",
    "method_detail", "confidence",
)  # fmt: skip

_QUOTE = re.compile(r"[\"“]([^\"“”]{3,2000}?)[\"”]")
_PRONOUN_SPEAKER = re.compile(
    r"\b(?:he|she)\s+(?:\w+\s+)?(?:said|says|stated|states|added|told|explained|noted|claimed)\b", re.IGNORECASE
)
_SAYS = re.compile(r"\b(?:said|says|stated|states|added|told|explained|noted|claimed|according to)\b", re.IGNORECASE)


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    quotes: list[tuple[ArticleContext, StoredQuote]] = []
    for ctx in batch:
        for match in _QUOTE.finditer(ctx.body):
            words = match.group(1).split()
            if len(words) < 4:  # shorter ones are scare quotes ("a \"great\" deal")
                continue
            start, end = match.start(1), match.end(1)
            index = ctx.sentence_at(start)
            sentence = ctx.sentences[index] if ctx.sentences else None
            if sentence is None:
                continue
            # The attribution is around the quote: before it in its first sentence, and
            # after it up to the end of the sentence where it closes (", said Jane Doe.").
            closing = ctx.sentences[ctx.sentence_at(max(start, end - 1))]
            spans = [(sentence.start, match.start()), (match.end(), max(closing.end, match.end()))]
            speaker, name = _speaker(ctx, spans, start)
            outlet = next(
                (
                    c.source
                    for c in sorted(ctx.cited, key=lambda c: -c.start)
                    if c.interview and ctx.sentences[max(0, index - 2)].start <= c.start <= sentence.end
                ),
                None,
            )
            quote = StoredQuote(
                pk=0,
                text=match.group(1).strip(),
                start=start,
                end=end,
                speaker_id=speaker.target_id if speaker else None,
                speaker_name=speaker.text if speaker else name,
                reported_via=outlet,
                method_detail="quotes: quotation marks" + (", speaker by name" if speaker or name else ""),
                confidence=0.8 if speaker else 0.6 if name else 0.5,
            )
            quotes.append((ctx, quote))
    if not quotes:
        return
    quotes = unrejected(Quote, quotes, lambda pair: pair[1].instance(pair[0].article).proposal_fingerprint(), env)
    rows = [
        (ctx.article.pk, q.text, q.start, q.end, q.speaker_id, q.speaker_name,  # type: ignore[union-attr]
         q.reported_via.pk if q.reported_via else None, ReviewStatus.PROPOSED.value, Method.RULE.value,
         q.method_detail, q.confidence)
        for ctx, q in quotes
    ]  # fmt: skip
    for pk, (ctx, quote) in zip(copy_values(Quote, QUOTE_FIELDS, rows), quotes, strict=True):
        quote.pk = pk
        ctx.quotes.append(quote)


def _speaker(ctx: ArticleContext, spans: list[tuple[int, int]], quote_start: int) -> tuple[Hit | None, str]:
    """Who said a quote: the person named nearest a speech verb around it; for "he said",
    the person named last before it; else an organisation that says it ("Acme said").
    Returns the person's hit, or None and the organisation's name ("" if none)."""
    verbs = [m.start() + a for a, b in spans for m in _SAYS.finditer(ctx.body[a:b])]
    if not verbs:
        return None, ""
    people = [h for a, b in spans for h in ctx.hits_in(a, b, "person")]
    if people:
        return min(people, key=lambda h: min(abs(h.start - v) for v in verbs)), ""
    if any(_PRONOUN_SPEAKER.search(ctx.body[a:b]) for a, b in spans):
        return ctx.last_hit_before(quote_start, "person"), ""
    named = [(h.start, h.end, h.text) for a, b in spans for h in ctx.hits_in(a, b, "company")]
    named += [
        (c.start, c.end, c.source.name) for c in ctx.regulators + ctx.cited if any(a <= c.start < b for a, b in spans)
    ]
    nearest = min(
        ((min(min(abs(end - v), abs(start - v)) for v in verbs), name) for start, end, name in named), default=None
    )
    return None, (nearest[1] if nearest is not None and nearest[0] <= 25 else "")
