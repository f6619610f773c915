"""Stage 5, new entities: propose companies, people and products the database does not know,
find the outlets the article cites, and store every mention.

Reads ``ctx.body``, ``ctx.sentences`` (spaCy's sentence spans) and ``ctx.hits``
(known entities). Finds runs of capitalised words that are not known names (one
regular expression over the text; spaCy's English stop-word lexicon tells
function words from names), then classifies each name by its context:

* a **cited source**: "in an interview with Reuters", "according to Bloomberg";
* a **person**: two or more capitalised words after a job title ("senior vice
  president Wang Xiang") or before "said"/"stated"; the title and its company
  ("the company's", "Xiaomi's") become a proposed ``Role``;
* a **product**: a name after its maker in a list that ends in a product noun
  ("the Apple iPhones, Google Pixel lineup and Samsung Galaxy Note and Galaxy S
  series devices");
* a **company**: any other name seen at least once away from the start of a
  sentence.

Precision first: words that only ever start a sentence, months, weekdays, job
titles, demonyms and headings are never proposed; a name a person rejected
before is not proposed again (``RejectedProposal``). New records are created
*proposed* with a confidence and ``method=discovered``. Adds to ``ctx.hits``
(their mentions), ``ctx.proposed``, ``ctx.roles``, ``ctx.cited``; stores all
mentions of the article (known and new) in one bulk insert (``ctx.mentions``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from django.db.models.functions import Lower
from spacy.lang.en.stop_words import STOP_WORDS

from intel.choices import Method, ReviewStatus, SourceKind
from intel.models import Article, Company, Mention, Person, Product, Role, Source
from intel.models.slugs import assign_unique_slugs

from .bulk import copy_rows, create_instances, unrejected
from .context import ArticleContext, CitedSource, Hit, IngestEnv, StoredMention
from .gazetteer import get_gazetteer, is_word_char

NAME = "new entities"

MONTHS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
}  # fmt: skip
WEEKDAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
TITLE_WORDS = {
    "senior", "executive", "vice", "president", "chief", "officer", "ceo", "cfo", "cto", "coo", "cmo", "chairman",
    "chairwoman", "chair", "founder", "co-founder", "cofounder", "director", "head", "general", "manager", "managing",
    "spokesperson", "spokesman", "spokeswoman", "analyst", "partner", "secretary", "minister", "chief-executive",
    "global", "regional", "country", "sales", "marketing", "operations", "product", "international", "deputy", "svp",
    "evp", "vp", "gm", "md", "mr", "mrs", "ms", "dr",
}  # fmt: skip
OTHER_CAPS = {"I", "OK", "AM", "PM", "TV", "AI", "CEO", "CFO", "CTO", "COO", "IPO", "GDP", "Q1", "Q2", "Q3", "Q4"}
PRODUCT_NOUNS = {
    "lineup", "line-up", "series", "device", "devices", "phone", "phones", "smartphone", "smartphones", "handset",
    "handsets", "range", "model", "models", "tablet", "tablets", "laptop", "laptops", "flagship", "flagships",
    "family", "brand", "watch", "watches", "earbuds", "console", "consoles",
}  # fmt: skip
KNOWN_AGENCIES = {
    "reuters", "associated press", "ap", "afp", "agence france-presse", "bloomberg", "xinhua", "kyodo", "yonhap",
    "dpa", "ansa", "efe", "pti", "tass", "anadolu",
}  # fmt: skip

_CITE_BEFORE = re.compile(
    r"(?:interview with|interviewed by|told|according to|reported by|speaking to|spoke to|talking to|"
    r"statement to|quoted by|cited by|reports? from|report by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CITE_AFTER = re.compile(r"^\s+(?:reported|reports|news agency|said in a report|first reported)\b")
_SAID_AFTER = re.compile(r"^,?\s+(?:said|says|stated|states|told|added|explained|noted|wrote|commented|claimed)\b")
_SAID_BEFORE = re.compile(r"\b(?:said|says|stated|according to)\s+$")
_APPOSITIVE_TITLE = re.compile(
    r"^,\s+(?:the\s+|a\s+|its\s+)?(?:[\w-]+\s+){0,3}(?:ceo|chief|president|founder|chairman|director|head|"
    r"spokes(?:person|man|woman)|analyst|minister|manager)\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(r"^(?:[A-Z]|\d{1,4}|[A-Z]\d{1,3}|\d{1,3}[A-Za-z]{1,3})$")
_CAMEL_LOWER = re.compile(r"^[a-z]{1,3}[A-Z][\w-]*$")
_CAPITALISED = re.compile(r"^[A-Z][\w&'-]*$")
_OPENING_QUOTES = {'"', "“", "‘", "'", "(", ":", "—", "–"}
_COMPANY_OWNER = re.compile(r"(?:(?P<anaphor>the company's|its|their)|(?P<name>[A-Z][\w&-]+)(?:'s|’s))\s+$")


class Word(NamedTuple):
    """A word of a candidate name and its offset in the body (a named tuple: cheap to make)."""

    text: str
    idx: int

    @property
    def is_title(self) -> bool:
        return self.text.istitle()


@dataclass
class Occurrence:
    start: int
    end: int
    tokens: list[Word]
    initial: bool
    sentence: int


@dataclass
class Candidate:
    surface: str
    occurrences: list[Occurrence] = field(default_factory=list)
    kind: str = ""  # company | person | product | source
    maker: str = ""  # for products: the maker's surface
    confidence: float = 0.55
    reason: str = ""

    @property
    def only_initial(self) -> bool:
        """Whether every occurrence starts a sentence: no evidence of a name by itself."""
        return all(occ.initial for occ in self.occurrences)


_NAME_WORD = r"(?:[A-Z][\w&-]*|[a-z]{1,3}[A-Z][\w-]*)"
_NEXT_WORD = r"(?:[A-Z][\w&-]*|[a-z]{1,3}[A-Z][\w-]*|\d{1,4}[A-Za-z]{0,3})"
# Runs of capitalised words (and "iPhone"-style names, and "Galaxy S", "Pixel 3"):
# one regular expression over the whole text instead of a Python loop per token.
# This is the specification; ``_RUN`` finds the same runs faster (the tests compare them).
RUN_SPECIFICATION = re.compile(rf"(?<![\w&-]){_NAME_WORD}(?: {_NEXT_WORD})*(?![\w&-])")
# The same runs, each found from its first capital letter. A pattern that starts with
# a character class lets the regex engine skip from capital to capital in C; one that
# starts with a lookbehind tries it at every character (40 → 16 µs an article). The
# lookbehinds after the capital tell a word's start ("Xiaomi") from an "iPhone"-style
# word's capital after one to three lower-case letters, where the run starts earlier.
_FIRST_WORD = (
    r"[A-Z](?:(?<![\w&-].)[\w&-]*"
    r"|(?:(?<=(?<![\w&-])[a-z].)|(?<=(?<![\w&-])[a-z]{2}.)|(?<=(?<![\w&-])[a-z]{3}.))[\w-]*)"
)
_RUN = re.compile(rf"{_FIRST_WORD}(?: {_NEXT_WORD})*(?![\w&-])")


def run_spans(body: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every match of ``RUN_SPECIFICATION`` in ``body``, in order."""
    for match in _RUN.finditer(body):
        yield _run_start(body, match.start()), match.end()


def _run_start(body: str, capital: int) -> int:
    """Where the run whose first capital is at ``capital`` starts: there, or for an
    "iPhone"-style word, at the one to three lower-case letters before it (the pattern
    admits no more, and a character that is not one before them)."""
    start = capital
    while start and "a" <= body[start - 1] <= "z":
        start -= 1
    return start


@lru_cache(maxsize=65536)
def _name_like(word: str) -> bool:
    # Cached: the same capitalised words come back in article after article.
    if word in OTHER_CAPS or word in MONTHS or word in WEEKDAYS:
        return False
    if _CAMEL_LOWER.match(word):
        return True
    if not word[:1].isupper():
        return False
    # Capitalised function words ("The", "However", "It") start sentences, not names.
    if word.lower() in STOP_WORDS and not word.isupper():
        return False
    return not (word.isupper() and len(word) < 2)


def _runs(ctx: ArticleContext, demonyms: frozenset[str]) -> list[Occurrence]:
    sentence_starts = [s.start for s in ctx.sentences]
    sentence_count = len(sentence_starts)
    heading_sentences = {i for i, s in enumerate(ctx.sentences) if s.heading}
    body = ctx.body
    hits = ctx.hits  # sorted, and they do not overlap
    hit_count = len(hits)
    next_hit = 0  # the first hit that ends after the word at hand (words come in order)

    runs: list[list[Word]] = []
    # ``run_spans``, inlined: a generator's resumption per run was a fifth of the time.
    for match in _RUN.finditer(body):
        offset = _run_start(body, match.start())
        current: list[Word] = []
        for text in body[offset : match.end()].split(" "):
            idx = offset
            offset += len(text) + 1
            while next_hit < hit_count and hits[next_hit].end <= idx:
                next_hit += 1
            known = next_hit < hit_count and hits[next_hit].start <= idx
            if known or not (_name_like(text) or (current and _CONTINUATION.match(text))):
                if current:
                    runs.append(current)
                current = []
                continue
            current.append(Word(text, idx))
        if current:
            runs.append(current)

    occurrences = []
    sentence = 0  # the sentence of the run at hand (runs come in order)
    for run in runs:
        # Trim job titles and demonyms from the front: "Chinese OnePlus" is OnePlus.
        # What is left starts with neither, if anything is left.
        while run and (run[0].text.lower() in TITLE_WORDS or run[0].text in demonyms):
            run = run[1:]
        while run and run[-1].text.lower() in TITLE_WORDS:
            run = run[:-1]
        if not run:
            continue
        start, end = run[0].idx, run[-1].idx + len(run[-1].text)
        # As ``ctx.sentence_at(start)``, walking forward.
        while sentence + 1 < sentence_count and sentence_starts[sentence + 1] <= start:
            sentence += 1
        if sentence in heading_sentences:
            continue
        initial = start == sentence_starts[sentence] if sentence_count else False
        if not initial and start:
            before = body[max(0, start - 3) : start].rstrip()
            initial = before[-1:] in _OPENING_QUOTES if before else False
        occurrences.append(Occurrence(start, end, run, initial, sentence))
    return occurrences


def _sentence_text_before(ctx: ArticleContext, occurrence: Occurrence) -> str:
    sentence = ctx.sentences[occurrence.sentence]
    return ctx.body[sentence.start : occurrence.start]


def _text_after(ctx: ArticleContext, occurrence: Occurrence, length: int = 80) -> str:
    return ctx.body[occurrence.end : occurrence.end + length]


def _title_before(ctx: ArticleContext, occurrence: Occurrence) -> str:
    """The job title right before a name ("senior vice president"), or ""."""
    words = _sentence_text_before(ctx, occurrence).split()
    title: list[str] = []
    for word in reversed(words):
        bare = word.strip(",").lower()
        if bare in TITLE_WORDS and not word.endswith(","):
            title.insert(0, bare)
        else:
            break
    return " ".join(title)


def _classify(ctx: ArticleContext, candidates: dict[str, Candidate], source_names: set[str]) -> None:
    for candidate in candidates.values():
        # "Costs reported a rise" starts a sentence with a common word: a sentence
        # start followed by "reported" names an outlet only when the same word is
        # also written as a name elsewhere in the article (or is a known outlet).
        only_initial = candidate.only_initial
        known_outlet = candidate.surface.casefold() in source_names
        for occ in candidate.occurrences:
            before = _sentence_text_before(ctx, occ)
            after = _text_after(ctx, occ)
            if known_outlet or _CITE_BEFORE.search(before) or (not only_initial and _CITE_AFTER.match(after)):
                candidate.kind, candidate.reason = "source", "cited as the outlet"
                break
            words = len(occ.tokens)
            if words >= 2 and all(t.is_title for t in occ.tokens):
                if _title_before(ctx, occ):
                    candidate.kind, candidate.confidence = "person", 0.8
                    candidate.reason = "a name after a job title"
                    break
                if _SAID_AFTER.match(after) or _SAID_BEFORE.search(before) or _APPOSITIVE_TITLE.match(after):
                    candidate.kind, candidate.confidence = "person", 0.75
                    candidate.reason = "a name that speaks or holds a title"
                    break


def _split_products(ctx: ArticleContext, candidates: dict[str, Candidate]) -> list[Candidate]:
    """Lists like "the Apple iPhones, Google Pixel lineup and Samsung Galaxy Note and Galaxy S series"."""
    products: list[Candidate] = []
    ordered = sorted(
        ((occ, cand) for cand in candidates.values() if not cand.kind for occ in cand.occurrences),
        key=lambda pair: pair[0].start,
    )
    # Group runs joined by ",", "and", "or" (optionally "the") within a sentence.
    groups: list[list[tuple[Occurrence, Candidate]]] = []
    for occ, cand in ordered:
        if groups:
            last_occ = groups[-1][-1][0]
            gap = ctx.body[last_occ.end : occ.start]
            if last_occ.sentence == occ.sentence and re.fullmatch(r"\s*(?:,|and|or|&)?\s*(?:and\s+)?(?:the\s+)?", gap):
                groups[-1].append((occ, cand))
                continue
        groups.append([(occ, cand)])
    for group in groups:
        last_occ = group[-1][0]
        following = re.match(r"\s*([\w-]+)", ctx.body[last_occ.end : last_occ.end + 30])
        noun_after = bool(following and following.group(1).lower() in PRODUCT_NOUNS)
        product_heads: dict[str, str] = {}  # first word of a product name -> maker
        for occ, cand in group:
            tokens = occ.tokens
            camel_tail = len(tokens) >= 2 and bool(_CAMEL_LOWER.match(tokens[1].text))
            if tokens[0].text in product_heads:
                maker, name_tokens = product_heads[tokens[0].text], tokens
            elif len(tokens) >= 2 and (noun_after or camel_tail):
                maker, name_tokens = tokens[0].text, tokens[1:]
            else:
                continue
            name = " ".join(t.text for t in name_tokens)
            if _CAMEL_LOWER.match(name_tokens[-1].text) and name.endswith("s") and len(name) > 4:
                name = name[:-1]  # "iPhones" is the iPhone
            product_heads[name_tokens[0].text] = maker
            cand.kind = "split"
            product_start = name_tokens[0].idx
            product = Candidate(
                surface=name,
                occurrences=[Occurrence(product_start, occ.end, list(name_tokens), False, occ.sentence)],
                kind="product",
                maker=maker,
                confidence=0.7,
                reason=f"named after its maker {maker}",
            )
            products.append(product)
            if maker != tokens[0].text:
                continue
            maker_occ = Occurrence(tokens[0].idx, tokens[0].idx + len(tokens[0].text), [tokens[0]], False, occ.sentence)
            maker_cand = candidates.setdefault(maker, Candidate(surface=maker))
            maker_cand.occurrences.append(maker_occ)
            maker_cand.confidence = max(maker_cand.confidence, 0.75)
            maker_cand.reason = maker_cand.reason or "the maker of a named product"
    return products


def _companies(ctx: ArticleContext, candidates: dict[str, Candidate]) -> list[Candidate]:
    companies = []
    for cand in candidates.values():
        if cand.kind:
            continue
        if cand.only_initial:
            continue  # a word that only ever starts a sentence is no evidence of a name
        cand.kind = "company"
        if len(cand.occurrences) >= 2:
            cand.confidence += 0.1
        if cand.surface.isupper() and 2 <= len(cand.surface) <= 6:
            cand.confidence += 0.05
        if any(ctx.body[o.end : o.end + 2] in {"'s", "’s"} for o in cand.occurrences):
            cand.confidence += 0.1
        cand.confidence = min(cand.confidence, 0.9)
        cand.reason = cand.reason or "a capitalised name used as a company"
        companies.append(cand)
    return companies


def _gather(ctx: ArticleContext, demonyms: frozenset[str]) -> dict[str, Candidate]:
    candidates: dict[str, Candidate] = {}
    for occ in _runs(ctx, demonyms):
        surface = ctx.body[occ.start : occ.end]
        candidates.setdefault(surface, Candidate(surface=surface)).occurrences.append(occ)
    return candidates


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    todo = [ctx for ctx in batch if not ctx.done]
    if not todo:
        return
    # Stage 4's gazetteer: the demonyms are all this stage reads of it.
    gazetteer = env.gazetteer or get_gazetteer()
    source_names = {name.casefold() for name in Source.objects.order_by().values_list("name", flat=True)}
    found: list[tuple[ArticleContext, list[Candidate]]] = []
    for ctx in todo:
        candidates = _gather(ctx, gazetteer.demonyms)
        _classify(ctx, candidates, source_names)
        products = _split_products(ctx, candidates)
        companies = _companies(ctx, candidates)
        people = [c for c in candidates.values() if c.kind == "person"]
        sources = [c for c in candidates.values() if c.kind == "source"]
        found.append((ctx, companies + people + products + sources))
    records = _create_records(found, env)
    for ctx, cands in found:
        for cand in cands:
            if cand.kind == "source":
                source = records.get(("source", cand.surface.casefold()))
                if source is not None:
                    for occ in cand.occurrences:
                        ctx.cited.append(
                            CitedSource(source, occ.start, occ.end, "interview" in _sentence_text_before(ctx, occ))
                        )
                continue
            record = records.get((cand.kind, cand.surface.casefold()))
            if record is None:
                continue
            if getattr(record, "_rivalscope_new", False):
                ctx.proposed.append((cand.kind, record))
                record._rivalscope_new = False
            for occ in _all_occurrences(ctx, cand):
                ctx.hits.append(
                    Hit(
                        occ[0],
                        occ[1],
                        ctx.body[occ[0] : occ[1]],
                        cand.kind,
                        record.pk,
                        Method.DISCOVERED,
                        cand.confidence,
                    )
                )
        ctx.sort_hits()
        _propose_roles(ctx, found_people=[c for c in cands if c.kind == "person"], records=records)
    _link_cited_sources(todo)
    _store_roles(todo, env)
    _store_mentions(todo, env)


@lru_cache(maxsize=4096)
def _name_pattern(surface: str) -> re.Pattern[str]:
    """What ``name_starts`` finds, as a regular expression (kept as its specification, for the tests)."""
    return re.compile(rf"(?<!\w){re.escape(surface)}(?:'s|’s)?(?!\w)")


def name_starts(body: str, surface: str) -> list[int]:
    """Where ``_name_pattern(surface).finditer(body)`` matches: the name as a whole word,
    possessive allowed. With ``str.find`` and two character tests instead of compiling a
    pattern per new name (each is a new name: the cache never hits)."""
    starts: list[int] = []
    if not surface:
        return [m.start() for m in _name_pattern(surface).finditer(body)]
    size, length = len(surface), len(body)
    at = body.find(surface)
    while at != -1:
        end = at + size
        if at == 0 or not is_word_char(body[at - 1]):
            # The possessive first, as the pattern's greedy (?:'s|’s)? tries it first.
            if body.startswith(("'s", "’s"), end) and (end + 2 == length or not is_word_char(body[end + 2])):
                starts.append(at)
                at = body.find(surface, end + 2)
                continue
            if end == length or not is_word_char(body[end]):
                starts.append(at)
                at = body.find(surface, end)
                continue
        at = body.find(surface, at + 1)
    return starts


def _all_occurrences(ctx: ArticleContext, cand: Candidate) -> list[tuple[int, int]]:
    """Where the name occurs, sentence starts included now that it is known to be a name."""
    spans = {(o.start, o.end) for o in cand.occurrences}
    taken = [(h.start, h.end) for h in ctx.hits]
    for start in name_starts(ctx.body, cand.surface):
        end = start + len(cand.surface)
        if not any(a < end and start < b for a, b in taken):
            spans.add((start, end))
    return sorted(spans)


def _create_records(found: list[tuple[ArticleContext, list[Candidate]]], env: IngestEnv) -> dict[tuple[str, str], Any]:
    """Find or create (proposed) every candidate's record, in bulk."""
    wanted: dict[tuple[str, str], Candidate] = {}
    for _, cands in found:
        for cand in cands:
            key = (cand.kind, cand.surface.casefold())
            if key not in wanted or wanted[key].confidence < cand.confidence:
                wanted[key] = cand
    records: dict[tuple[str, str], Any] = {}
    # Sources: matched by name, created plainly (an outlet is a fact, not a guess).
    source_names = [c.surface for (kind, _), c in wanted.items() if kind == "source"]
    if source_names:
        records.update((("source", key), source) for key, source in Source.named(source_names).items())
        for name in source_names:
            if ("source", name.casefold()) not in records:
                kind = SourceKind.NEWS_AGENCY if name.casefold() in KNOWN_AGENCIES else SourceKind.OTHER
                records[("source", name.casefold())] = Source.objects.create(name=name, kind=kind)
    for kind, model in (("company", Company), ("person", Person)):
        _find_or_propose(model, kind, wanted, records, env, makers={})
    makers = {key[1]: records[("company", key[1])] for key in records if key[0] == "company"}
    _find_or_propose(Product, "product", wanted, records, env, makers=makers)
    return records


def _find_or_propose(
    model: type[Any], kind: str, wanted: dict[tuple[str, str], Candidate], records: dict[tuple[str, str], Any],
    env: IngestEnv, *, makers: dict[str, Any],
) -> None:  # fmt: skip
    cands = [c for (k, _), c in wanted.items() if k == kind]
    if not cands:
        return
    lowered = {cand.surface.lower() for cand in cands}
    # Newest first, so that where two records share a name the one stored first is
    # linked (the last one written here), as in the gazetteer; the models' name order
    # left such ties to the collation, and cost a sort.
    for record in model.objects.alias(lower_name=Lower("name")).filter(lower_name__in=lowered).order_by("-pk"):
        if record.review_status != ReviewStatus.REJECTED:
            records[(kind, record.name.casefold())] = record
        else:
            records.setdefault((kind, record.name.casefold()), None)
    new = []
    for cand in cands:
        key = (kind, cand.surface.casefold())
        if key in records:
            continue
        fields: dict[str, Any] = {}
        if kind == "product":
            maker = makers.get(cand.maker.casefold())
            if maker is None:
                continue
            fields["maker"] = maker
        new.append(
            model(
                name=cand.surface,
                review_status=ReviewStatus.PROPOSED,
                method=Method.DISCOVERED,
                method_detail=f"discovery: {cand.reason}"[:200],
                confidence=round(cand.confidence, 2),
                **fields,
            )
        )
    new = unrejected(model, new, model.proposal_fingerprint, env)
    assign_unique_slugs(model, new)
    create_instances(new)
    for obj in new:
        obj._rivalscope_new = True
        records[(kind, obj.name.casefold())] = obj
    for key in [k for k, v in records.items() if v is None]:
        del records[key]


def _propose_roles(ctx: ArticleContext, *, found_people: list[Candidate], records: dict[tuple[str, str], Any]) -> None:
    for cand in found_people:
        person = records.get(("person", cand.surface.casefold()))
        if person is None:
            continue
        for occ in cand.occurrences:
            title = _title_before(ctx, occ)
            if not title:
                continue
            words = _sentence_text_before(ctx, occ).split()
            owner_text = " ".join(words[: len(words) - len(title.split())]) + " "
            owner = _COMPANY_OWNER.search(owner_text)
            company_id = None
            if owner and owner.group("name"):
                hit = next(
                    (h for h in ctx.hits if h.kind == "company" and h.text.startswith(owner.group("name"))), None
                )
                company_id = hit.target_id if hit else None
            elif owner:
                hit = ctx.last_hit_before(occ.start, "company")
                company_id = hit.target_id if hit else None
            if company_id is None:
                continue
            ctx.roles.append(
                Role(
                    person=person,
                    company_id=company_id,
                    title=title,
                    review_status=ReviewStatus.PROPOSED,
                    method=Method.DISCOVERED,
                    method_detail="discovery: job title before a name",
                    confidence=0.7,
                )
            )
            break


def _link_cited_sources(batch: list[ArticleContext]) -> None:
    through = Article.cited_sources.through
    rows = {(ctx.article.pk, cited.source.pk) for ctx in batch if ctx.article is not None for cited in ctx.cited}
    # Every article here was stored by this batch (stage 2), so none of its links
    # exists yet: plain rows, without instances or ON CONFLICT.
    copy_rows(through, ("article", "source"), sorted(rows), returning_ids=False)


def _store_roles(batch: list[ArticleContext], env: IngestEnv) -> None:
    roles = [role for ctx in batch for role in ctx.roles]
    if not roles:
        return
    existing = set(
        Role.objects.filter(person_id__in={r.person_id for r in roles})
        .order_by()
        .values_list("person_id", "company_id", "title")
    )
    fresh, seen = [], set()
    for role in unrejected(Role, roles, Role.proposal_fingerprint, env):
        key = (role.person_id, role.company_id, role.title)
        if key in existing or key in seen:
            continue
        seen.add(key)
        fresh.append(role)
    Role.objects.bulk_create(fresh)
    for ctx in batch:
        ctx.roles = [r for r in ctx.roles if r.pk]


MENTION_FIELDS = (
    "article", "start", "end", "text", "method", "confidence", "review_status", "method_detail",
    "company", "market", "person", "product",
)  # fmt: skip
_TARGET_SLOTS = {"company": 0, "market": 1, "person": 2, "product": 3}


def _store_mentions(batch: list[ArticleContext], env: IngestEnv) -> None:
    pending: list[tuple[ArticleContext, Hit]] = []
    for ctx in batch:
        seen = set()
        for hit in ctx.hits:
            key = (hit.start, hit.end, hit.kind, hit.target_id)
            if key not in seen:
                seen.add(key)
                pending.append((ctx, hit))
    pending = unrejected(
        Mention,
        pending,
        lambda pair: Mention.fingerprint_for(
            pair[0].article.content_hash,  # type: ignore[union-attr]
            pair[1].start, pair[1].end, pair[1].kind, pair[1].target_id,
        ),
        env,
    )  # fmt: skip
    rows = []
    for ctx, hit in pending:
        targets: list[int | None] = [None, None, None, None]
        targets[_TARGET_SLOTS[hit.kind]] = hit.target_id
        rows.append(
            (ctx.article.pk, hit.start, hit.end, hit.text[:300], hit.method, hit.confidence,  # type: ignore[union-attr]
             ReviewStatus.PROPOSED.value, "", *targets)
        )  # fmt: skip
    ids = copy_rows(Mention, MENTION_FIELDS, rows)
    for pk, (ctx, hit) in zip(ids, pending, strict=True):
        ctx.mentions.append(
            StoredMention(pk, hit.kind, hit.target_id, hit.text[:300], hit.start, hit.end, hit.method, hit.confidence)
        )
