"""Where two records share a name (in any case), ingestion links the one whose name was
stored first, every time (not whichever the collation sorts first): in the gazetteer,
in stage 5's look-up of candidates, and for sources."""

from __future__ import annotations

import pytest

from intel.ingest import dedupe, new_entities
from intel.ingest.context import IngestEnv
from intel.ingest.gazetteer_cache import get_gazetteer
from intel.ingest.names import Finding
from intel.models import Company, CompanyAlias, Source

pytestmark = pytest.mark.django_db


def test_the_gazetteer_links_the_name_stored_first_and_says_it_is_ambiguous():
    first = Company.objects.create(name="Yco", slug="yco")
    second = Company.objects.create(name="Xco", slug="xco")
    CompanyAlias.objects.create(company=first, text="apex")  # sorted after "Apex" by text…
    CompanyAlias.objects.create(company=second, text="Apex")  # … but stored second
    [match] = get_gazetteer().find("APEX rises")
    assert (match.entry.target_id, match.ambiguous) == (first.pk, True)
    Company.objects.create(name="Apex", slug="apex")  # a primary name still wins over aliases
    [match] = get_gazetteer().find("Apex rises")
    assert match.entry.primary


def test_a_candidate_named_like_two_companies_is_linked_to_the_oldest():
    older = Company.objects.create(name="ACME", slug="acme-1")
    Company.objects.create(name="Acme", slug="acme-2")
    records: dict[tuple[str, str], object] = {}
    wanted = {("company", "acme"): Finding(kind="company", name="acme")}
    new_entities._find_or_propose("company", wanted, records, set(), IngestEnv(), makers={})
    assert records[("company", "acme")].pk == older.pk


def test_a_source_named_like_two_sources_is_the_oldest():
    older = Source.objects.create(name="REUTERS", slug="reuters-1")
    Source.objects.create(name="Reuters", slug="reuters-2")
    assert dedupe._sources_by_name({"Reuters"})["reuters"].pk == older.pk
