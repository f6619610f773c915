"""A STIX 2.1 bundle of companies, markets, events and relationships, for OpenCTI and MISP.

Mapping (STIX has no "business event", so the closest standard objects are used
and everything rivalscope-specific travels in ``x_rivalscope_*`` properties):

- company → ``identity`` (``identity_class: organization``), aliases as ``x_rivalscope_aliases``;
- a regulatory action's regulator (a source of kind regulator) → ``identity``
  (``identity_class: government``);
- market → ``location`` (``country`` for countries; ``region`` for regions and segments);
- event → ``report`` naming its companies and markets in ``object_refs``, its type
  and status as ``labels``, its sources as ``external_references``;
- relationship → ``relationship`` between two identities (``relationship_type``
  is the kind, e.g. ``subsidiary-of``).

Identifiers are UUIDv5 of the row's primary key under a fixed namespace, so the
same record exported twice has the same STIX id and an importer updates it
instead of duplicating it. Objects are built and checked with the OASIS
``stix2`` library.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import stix2
from django.db.models import Prefetch

from intel.choices import MarketKind
from intel.models import Company, Event, EventParticipant, Evidence, Market, Relationship, Source

NAMESPACE = uuid.UUID("8c7a1e3e-5b7c-4c55-9d0b-6e0f3b1f3c11")
MAX_EVENTS = 5000


def stix_id(kind: str, model: str, pk: int) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{model}:{pk}')}"


def _midnight(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


def export_bundle(*, companies: Iterable[Company] | None = None, limit: int = MAX_EVENTS) -> stix2.Bundle:
    """The bundle for the given companies (all when ``None``) and their events and relationships."""
    company_qs = Company.objects.prefetch_related("aliases")
    if companies is not None:
        company_qs = company_qs.filter(pk__in=[c.pk for c in companies])
    company_list = list(company_qs)
    company_ids = {c.pk for c in company_list}

    events = Event.objects.prefetch_related(
        Prefetch("participants", queryset=EventParticipant.objects.all()),
        "markets",
        "regulators",
        Prefetch("evidence", queryset=Evidence.objects.select_related("article__source")),
    ).order_by("-id")
    relationships = Relationship.objects.all()
    if companies is not None:
        events = events.filter(participants__company__in=company_ids).distinct()
        relationships = relationships.filter(subject__in=company_ids, object__in=company_ids)
    event_list = list(events[:limit])

    # Companies that take part in the chosen events are exported too, so every reference resolves.
    extra = {p.company_id for e in event_list for p in e.participants.all()} - company_ids
    if extra:
        company_list += list(Company.objects.prefetch_related("aliases").filter(pk__in=extra))
    market_ids = {m.pk for e in event_list for m in e.markets.all()}
    markets = list(Market.objects.filter(pk__in=market_ids))

    # A source has no timestamps: a regulator's identity is as old as its first event here.
    regulators: dict[int, tuple[Source, datetime]] = {}
    for event in event_list:
        for regulator in event.regulators.all():
            seen = regulators.get(regulator.pk)
            if seen is None or event.created_at < seen[1]:
                regulators[regulator.pk] = (regulator, event.created_at)
    objects: list[Any] = [_identity(c) for c in company_list]
    objects += [_government(source, created) for source, created in regulators.values()]
    objects += [_location(m) for m in markets]
    objects += [r for r in (_report(e) for e in event_list) if r is not None]
    exported = {c.pk for c in company_list}
    objects += [_relationship(r) for r in relationships if r.subject_id in exported and r.object_id in exported]
    return stix2.Bundle(objects=objects, allow_custom=True)


def _identity(company: Company) -> stix2.Identity:
    return stix2.Identity(
        id=stix_id("identity", "company", company.pk),
        name=company.name,
        identity_class="organization",
        description=company.description or None,
        created=company.created_at,
        modified=max(company.updated_at, company.created_at),
        external_references=(
            [{"source_name": "wikidata", "external_id": company.wikidata_id}] if company.wikidata_id else None
        ),
        custom_properties={
            "x_rivalscope_id": company.pk,
            "x_rivalscope_aliases": [a.text for a in company.aliases.all()],
            "x_rivalscope_review_status": company.review_status,
        },
        allow_custom=True,
    )


def _government(source: Source, created: datetime) -> stix2.Identity:
    return stix2.Identity(
        id=stix_id("identity", "source", source.pk),
        name=source.name,
        identity_class="government",
        created=created,
        modified=created,
        custom_properties={"x_rivalscope_id": source.pk, "x_rivalscope_kind": source.kind},
        allow_custom=True,
    )


def _location(market: Market) -> stix2.Location:
    where = (
        {"country": market.iso_code}
        if market.kind == MarketKind.COUNTRY and market.iso_code
        else {"region": market.slug}
    )
    return stix2.Location(
        id=stix_id("location", "market", market.pk),
        name=market.name,
        custom_properties={"x_rivalscope_id": market.pk, "x_rivalscope_kind": market.kind},
        allow_custom=True,
        **where,
    )


def _report(event: Event) -> stix2.Report | None:
    refs = [stix_id("identity", "company", p.company_id) for p in event.participants.all()]
    refs += [stix_id("identity", "source", r.pk) for r in event.regulators.all()]
    refs += [stix_id("location", "market", m.pk) for m in event.markets.all()]
    if not refs:
        return None  # a STIX report must refer to something
    evidence = list(event.evidence.all())
    references = []
    for item in evidence:
        article = item.article
        reference = {
            "source_name": article.source.name if article.source_id else "article",
            "description": item.text[:500],
        }
        if article.url:
            reference["url"] = article.url
        references.append(reference)
    published = min((e.article.retrieved_at for e in evidence), default=event.created_at)
    return stix2.Report(
        id=stix_id("report", "event", event.pk),
        name=event.summary,
        published=published,
        created=event.created_at,
        modified=max(event.updated_at, event.created_at),
        report_types=["x-rivalscope-event"],
        labels=[event.type, event.status],
        object_refs=list(dict.fromkeys(refs)),
        external_references=references or None,
        custom_properties=_present(
            {
                "x_rivalscope_id": event.pk,
                "x_rivalscope_event_type": event.type,
                "x_rivalscope_status": event.status,
                "x_rivalscope_time_start": event.time_start.isoformat() if event.time_start else None,
                "x_rivalscope_time_end": event.time_end.isoformat() if event.time_end else None,
                "x_rivalscope_review_status": event.review_status,
                "x_rivalscope_participants": [
                    {"company": stix_id("identity", "company", p.company_id), "role": p.role}
                    for p in event.participants.all()
                ],
            }
        ),
        allow_custom=True,
    )


def _present(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in properties.items() if value is not None}


def _relationship(relationship: Relationship) -> stix2.Relationship:
    return stix2.Relationship(
        id=stix_id("relationship", "relationship", relationship.pk),
        source_ref=stix_id("identity", "company", relationship.subject_id),
        target_ref=stix_id("identity", "company", relationship.object_id),
        relationship_type=f"{relationship.kind}-of",
        description=relationship.description or None,
        start_time=_midnight(relationship.valid_from),
        # STIX wants stop after start; a relationship valid for one day ends at its end.
        stop_time=_midnight(relationship.valid_to + timedelta(days=1)) if relationship.valid_to else None,
        custom_properties={
            "x_rivalscope_id": relationship.pk,
            "x_rivalscope_review_status": relationship.review_status,
        },
        allow_custom=True,
    )
