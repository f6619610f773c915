"""Stage 5, new entities: propose the companies, people and products the database does
not know, and find the outlets and regulators the article names.

Reads ``ctx.body``, ``ctx.sentences``, ``ctx.hits`` (known names, stage 4) and
``ctx.doc`` (the trained pipeline's parse, stage 1b). What each name the
model finds is, and whether to propose it, is decided by ``names.analyse`` (pure
text analysis; read its docstring). This stage stores what it decides:

* new companies, people and products are created *proposed* (``method=discovered``)
  with a confidence; a name a person rejected before is not proposed again;
* a known name the model also finds here is marked as supported by this article
  (``Hit.supported``): a proposal from another article counts for events only then;
* a known market inside a longer name ("New Mexico", "Air China") is dropped;
* outlets are sources cited by the article; regulators are sources of kind regulator;
* a person's later mentions by surname ("Doe said") link to the person, and a title
  with a company ("Jane Doe, the chief executive of Acme") becomes a proposed ``Role``.

Adds to ``ctx.hits`` (their mentions), ``ctx.proposed``, ``ctx.roles``, ``ctx.cited``,
``ctx.regulators``. The mentions, known and new, are stored by the next stage
(``mentions.py``), once the article's list of names is complete.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower

from intel.choices import Method, ReviewStatus, SourceKind
from intel.models import Article, Company, Person, Product, Role, Source
from intel.models.slugs import assign_unique_slugs, unique_slug
from intel.text import whole_word_pattern

from .bulk import copy_rows
from .context import ArticleContext, CitedSource, Hit, IngestEnv, Proposal
from .names import NEWS_OUTLETS, Finding, KnownName, analyse, name_key
from .rejected import unrejected
from .roles import CompanyName, role_of

NAME = "new entities"
READS = ("body", "sentences", "hits", "doc", "article")
ADDS = ("hits", "proposed", "roles", "cited", "regulators")

_CITE_BEFORE = re.compile(
    r"(?:interview with|interviewed by|told|according to|reported by|speaking to|spoke to|talking to|"
    r"statement to|quoted by|cited by|reports? from|report by)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CITE_AFTER = re.compile(r"^\s+(?:reported|reports|news agency|said in a report|first reported)\b")
_MODELS: dict[str, type[Any]] = {"company": Company, "person": Person, "product": Product}


def run(batch: list[ArticleContext], env: IngestEnv) -> None:
    if not batch:
        return
    found: list[tuple[ArticleContext, list[Finding]]] = []
    for ctx in batch:
        doc = ctx.doc
        assert doc is not None, "stage 1b parses every English article not stored before"
        known = [KnownName(h.start, h.end, h.kind, h.target_id, h.proposal) for h in ctx.hits]
        headings = [(s.start, s.end) for s in ctx.sentences if s.heading]
        analysis = analyse(doc, known, headings)
        for i in analysis.supported:
            ctx.hits[i].supported = True
        if analysis.dropped:
            ctx.hits = [h for i, h in enumerate(ctx.hits) if i not in analysis.dropped]
        findings = []
        for finding in analysis.findings:
            if finding.kind == "company" and any(
                _CITE_BEFORE.search(ctx.body[max(0, a - 40) : a]) or _CITE_AFTER.match(ctx.body[b : b + 40])
                for a, b in finding.spans
            ):
                finding.kind = "source"  # "according to Acme Research", "Acme News reported": an outlet
            findings.append(finding)
        found.append((ctx, findings))
    records, created = _create_records(found, env)
    for ctx, findings in found:
        for finding in findings:
            record = records.get((finding.kind, name_key(finding.name)))
            if record is None:
                continue
            if finding.kind == "source":
                for start, end in finding.spans:
                    interview = "interview" in ctx.body[max(0, start - 60) : start]
                    ctx.cited.append(CitedSource(record, start, end, interview))
                continue
            if finding.kind == "regulator":
                ctx.regulators += [CitedSource(record, start, end, False) for start, end in finding.spans]
                continue
            if (finding.kind, name_key(finding.name)) in created:
                # Reported once, by the first article of the batch that proposed it.
                created.discard((finding.kind, name_key(finding.name)))
                ctx.proposed.append(Proposal(finding.kind, record))
            for start, end in _all_occurrences(ctx, finding):
                ctx.add_hit(
                    Hit(start, end, ctx.body[start:end], finding.kind, record.pk, Method.DISCOVERED, finding.confidence)
                )
        _surnames(ctx)
        _propose_roles(ctx)
    _link_cited_sources(batch)
    _store_roles(batch, env)


@lru_cache(maxsize=4096)
def _name_pattern(surface: str) -> re.Pattern[str]:
    """A name as a whole word, possessive included (cached: the same names come back article after article)."""
    return whole_word_pattern(surface, case_sensitive=True)


def name_starts(body: str, surface: str) -> list[int]:
    """Where ``surface`` occurs in ``body`` as a whole word (a possessive allowed)."""
    return [m.start() for m in _name_pattern(surface).finditer(body)]


def _all_occurrences(ctx: ArticleContext, finding: Finding) -> list[tuple[int, int]]:
    """Where the name occurs: where the model found it, and wherever else it is written
    whole and no other name is ("Acme" at a sentence's start, which the model missed)."""
    spans = set(finding.spans)
    taken = [(h.start, h.end) for h in ctx.hits] + list(spans)
    for start in name_starts(ctx.body, finding.name):
        end = start + len(finding.name)
        if not any(a < end and start < b for a, b in taken):
            spans.add((start, end))
    return sorted(spans)


def _surnames(ctx: ArticleContext) -> None:
    """A person named in full, then by surname ("Jane Doe … Doe said"): the same person."""
    people = {}
    for hit in ctx.hits:
        if hit.kind == "person" and " " in hit.text:
            people.setdefault(hit.text.split()[-1], hit)
    for surname, hit in people.items():
        if len(surname) < 3 or not surname[:1].isupper():
            continue
        taken = [(h.start, h.end) for h in ctx.hits]
        for start in name_starts(ctx.body, surname):
            end = start + len(surname)
            if not any(a < end and start < b for a, b in taken):
                ctx.add_hit(Hit(start, end, surname, "person", hit.target_id, hit.method, min(hit.confidence, 0.6)))


def _create_records(
    found: list[tuple[ArticleContext, list[Finding]]], env: IngestEnv
) -> tuple[dict[tuple[str, str], Any], set[tuple[str, str]]]:
    """Find or create (proposed) every finding's record, in bulk: the records by (kind,
    name key), and the keys of those this batch created."""
    wanted: dict[tuple[str, str], Finding] = {}
    for _, findings in found:
        for finding in findings:
            key = (finding.kind, name_key(finding.name))
            if key not in wanted or wanted[key].confidence < finding.confidence:
                wanted[key] = finding
    records: dict[tuple[str, str], Any] = {}
    # Outlets and regulators: matched by name, created plainly (an outlet is a fact, not a guess).
    for kind in ("source", "regulator"):
        names = [f.name for (k, _), f in wanted.items() if k == kind]
        if not names:
            continue
        existing = Source.named(names)
        for name in names:
            source = existing.get(name.casefold())
            if source is None:
                if kind == "regulator":
                    source_kind = SourceKind.REGULATOR
                elif name.casefold() in NEWS_OUTLETS:
                    source_kind = SourceKind.NEWS_AGENCY
                else:
                    source_kind = SourceKind.OTHER
                source = existing[name.casefold()] = Source.find_or_create(name, kind=source_kind)
            records[(kind, name_key(name))] = source
    created: set[tuple[str, str]] = set()
    for kind in ("company", "person"):
        _find_or_propose(kind, wanted, records, created, env, makers={})
    makers = {key[1]: record for key, record in records.items() if key[0] == "company"}
    _find_or_propose("product", wanted, records, created, env, makers=makers)
    return records, created


def _find_or_propose(
    kind: str, wanted: dict[tuple[str, str], Finding], records: dict[tuple[str, str], Any],
    created: set[tuple[str, str]], env: IngestEnv, *, makers: dict[str, Any],
) -> None:  # fmt: skip
    model = _MODELS[kind]
    findings = [f for (k, _), f in wanted.items() if k == kind]
    if not findings:
        return
    lowered = {f.name.lower() for f in findings}
    # Newest first, so that where two records share a name the one stored first is
    # linked (the last one written here), as in the gazetteer.
    for record in model.objects.alias(lower_name=Lower("name")).filter(lower_name__in=lowered).order_by("-pk"):
        key = (kind, name_key(record.name))
        if record.review_status != ReviewStatus.REJECTED:
            records[key] = record
        else:
            records.setdefault(key, None)
    new = []
    for finding in findings:
        key = (kind, name_key(finding.name))
        if key in records:
            continue
        fields: dict[str, Any] = {}
        if kind == "product":
            if finding.maker_id is not None:
                fields["maker_id"] = finding.maker_id
            elif (maker := makers.get(name_key(finding.maker))) is not None:
                fields["maker"] = maker
            else:
                continue
        new.append(
            model(
                name=finding.name,
                review_status=ReviewStatus.PROPOSED,
                method=Method.DISCOVERED,
                method_detail=f"discovery: {finding.reason}"[:200],
                confidence=round(finding.confidence, 2),
                **fields,
            )
        )
    new = unrejected(model, new, model.proposal_fingerprint, env)
    assign_unique_slugs(model, new)
    try:
        with transaction.atomic():
            model.objects.bulk_create(new)
    except IntegrityError:
        # Another ingest proposed some of these names at the same moment (the unique
        # slug made our insert wait for its commit, then fail): take its records, and
        # create the rest one by one.
        new = _create_one_by_one(model, new, records, kind)
    for obj in new:
        records[(kind, name_key(obj.name))] = obj
        created.add((kind, name_key(obj.name)))
    for key in [k for k, v in records.items() if v is None]:
        del records[key]


def _create_one_by_one(model: type[Any], new: list[Any], records: dict[tuple[str, str], Any], kind: str) -> list[Any]:
    """Create each proposal unless a record of its name exists by now (then link that)."""
    created = []
    for obj in new:
        for _ in range(3):
            existing = (
                model.objects.alias(lower_name=Lower("name"))
                .filter(lower_name=obj.name.lower())
                .exclude(review_status=ReviewStatus.REJECTED)
                .order_by("pk")
                .first()
            )
            if existing is not None:
                records[(kind, name_key(obj.name))] = existing
                break
            obj.pk, obj.slug = None, unique_slug(model, obj.name)
            try:
                with transaction.atomic():
                    obj.save()
            except IntegrityError:
                continue
            created.append(obj)
            break
    return created


def _propose_roles(ctx: ArticleContext) -> None:
    """A title the text gives a person, with the company it names, becomes a proposed ``Role``."""
    companies = [CompanyName(h.start, h.end, h.target_id) for h in ctx.hits if h.kind == "company"]
    done: set[int] = set()
    for hit in ctx.hits:
        if hit.kind != "person" or hit.target_id in done or " " not in hit.text:
            continue
        sentence = ctx.sentences[ctx.sentence_at(hit.start)] if ctx.sentences else None
        bounds = (sentence.start, sentence.end) if sentence else (0, len(ctx.body))
        found = role_of(ctx.body, hit.start, hit.end, bounds, companies)
        if found is None or found[1] is None:
            continue
        title, company_id = found
        done.add(hit.target_id)
        ctx.roles.append(
            Role(
                person_id=hit.target_id,
                company_id=company_id,
                title=title,
                review_status=ReviewStatus.PROPOSED,
                method=Method.DISCOVERED,
                method_detail="discovery: a title and company the text gives",
                confidence=0.7,
            )
        )


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
