"""Known names are found as whole words, longest first, with possessives and case rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from intel.ingest import gazetteer_cache, gazetteer_loader
from intel.ingest.gazetteer import Entry, Gazetteer
from intel.ingest.gazetteer_cache import current_version, get_gazetteer
from intel.ingest.known_entities import demonym_means_market
from intel.models import CompanyAlias, Market
from tests.factories import CompanyFactory, ProductFactory

ROOT = Path(__file__).resolve().parent.parent


def gaz(*entries: Entry) -> Gazetteer:
    return Gazetteer(list(entries))


def company(pk: int, name: str, *, case_sensitive: bool = True, primary: bool = True) -> Entry:
    return Entry("company", pk, name, case_sensitive, False, primary)


def texts(g: Gazetteer, text: str) -> list[str]:
    return [text[m.start : m.end] for m in g.find(text)]


def test_the_automaton_needs_no_django():
    code = "import sys, intel.ingest.gazetteer; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_whole_words_only():
    g = gaz(company(1, "ZTE"), company(2, "Mi", case_sensitive=True))
    assert texts(g, "ZTEX and AZTE are not ZTE; Mining is not Mi.") == ["ZTE", "Mi"]


def test_possessive_matches():
    assert texts(gaz(company(1, "Xiaomi")), "Xiaomi's plan and Xiaomi’s plan") == ["Xiaomi", "Xiaomi"]


def test_longest_match_wins():
    g = gaz(Entry("product", 1, "Galaxy", True, False, True), Entry("product", 2, "Galaxy Note", True, False, True))
    matches = g.find("the Galaxy Note and the Galaxy S")
    assert [(m.entry.target_id, m.end - m.start) for m in matches] == [(2, 11), (1, 6)]


def test_case_sensitive_aliases_match_only_as_written():
    g = gaz(Entry("market", 7, "US", True, False, False), company(3, "apple inc", case_sensitive=False, primary=False))
    assert texts(g, "us and US; Apple Inc and APPLE INC") == ["US", "Apple Inc", "APPLE INC"]


def test_product_plurals_match_the_product():
    g = gaz(Entry("product", 1, "iPhone", True, False, True), company(2, "Apple"))
    assert texts(g, "Apple iPhones and iPhoneX") == ["Apple", "iPhones"]


def test_ambiguous_names_are_flagged():
    g = gaz(company(1, "Apple"), Entry("product", 2, "Apple", True, False, True))
    (match,) = g.find("Apple")
    assert match.ambiguous and match.entry.kind == "company"


@pytest.mark.parametrize(
    ("text", "means_market"),
    [
        ("Xiaomi did the same with the Indian market.", True),
        ("the Indian and Chinese markets", True),
        ("some European markets", True),
        ("the Indian smartphone market", True),
        ("Chinese technology companies", False),
        ("another Chinese market cracked into", False),
    ],
)
def test_demonyms_name_a_market_only_where_they_mean_it(text, means_market):
    word = next(w for w in ("Indian", "Chinese", "European") if w in text)
    start = text.index(word)
    match = type("M", (), {"start": start, "end": start + len(word)})()
    assert demonym_means_market(text, match) is means_market


@pytest.mark.django_db
def test_reference_markets_and_their_aliases_are_in_the_gazetteer():
    g = get_gazetteer()
    text = "The U.S. and USA and America and United States; the EU; South Asia; Greater China."
    found = {(text[m.start : m.end], m.entry.target_id) for m in g.find(text)}
    us = Market.objects.get(iso_code="US").pk
    assert {("U.S.", us), ("USA", us), ("America", us), ("United States", us)} <= found
    assert {"EU", "South Asia", "Greater China"} <= {t for t, _ in found}


@pytest.mark.django_db
def test_the_automaton_is_cached_and_rebuilt_only_when_names_change(django_assert_num_queries):
    first = get_gazetteer()
    with django_assert_num_queries(1):  # only the version check
        assert get_gazetteer() is first
    company = CompanyFactory(name="Transsion")
    updated = get_gazetteer()
    assert updated is not first
    assert updated.base is first.base  # a name was only added: the large automaton is kept
    assert [m.entry.target_id for m in updated.find("Transsion sells phones")] == [company.pk]
    version = current_version()
    company.watched = True
    company.save(update_fields=["watched"])  # not a name: nothing to do
    assert current_version() == version
    CompanyAlias.objects.create(company=company, text="Tecno maker")
    assert current_version() != version
    ProductFactory(name="Tecno Spark")
    assert any(m.entry.kind == "product" for m in get_gazetteer().find("the Tecno Spark"))


@pytest.mark.django_db
def test_a_renamed_or_rejected_name_rebuilds_the_whole_automaton():
    company = CompanyFactory(name="Transsion")
    before = get_gazetteer()
    assert before.find("Transsion")
    company.name = "Transsion Holdings"
    company.save()
    after = get_gazetteer()
    assert after.base is not before.base
    assert not after.find("Transsion sells")  # the old name no longer matches
    company.review_status = "rejected"
    company.save(update_fields=["review_status"])
    assert not get_gazetteer().find("Transsion Holdings sells")


@pytest.mark.django_db
def test_names_added_and_base_names_merge_longest_first():
    CompanyFactory(name="Galaxy")
    get_gazetteer()
    ProductFactory(name="Galaxy Note")  # added after the build: in the small automaton
    matches = get_gazetteer().find("the Galaxy Note is here; Galaxy sells")
    assert [(m.entry.kind, m.entry.surface) for m in matches] == [("product", "Galaxy Note"), ("company", "Galaxy")]


@pytest.mark.django_db
def test_names_added_batch_after_batch_are_read_once_and_kept_in_few_automatons(monkeypatch):
    read: list[int] = []
    load = gazetteer_loader.load_entries

    def counting_load(*args, **kwargs):
        entries, keys = load(*args, **kwargs)
        read.append(len(entries))
        return entries, keys

    monkeypatch.setattr(gazetteer_cache, "load_entries", counting_load)
    first = get_gazetteer()
    read.clear()
    names = []
    for step, size in enumerate([1, 1, 2, 1, 4, 1, 1]):
        names += [CompanyFactory(name=f"Newco Step{step} N{i}").name for i in range(size)]
        g = get_gazetteer()
        assert g.base is first.base  # only names were added: the large automaton is kept
        # Every name added so far matches, whichever small automaton holds it.
        text = "; ".join(names)
        assert [text[m.start : m.end] for m in g.find(text)] == names
    assert read == [1, 1, 2, 1, 4, 1, 1]  # each added name was read from the database once
    assert len(g.added) <= 3  # merged two by two as they grow: about log2(added) automatons


@pytest.mark.django_db
def test_a_name_committed_after_a_higher_key_was_read_is_still_found(monkeypatch):
    monkeypatch.setattr(gazetteer_loader, "_LOOKBACK", 0)  # as if the keys were far above the margin
    get_gazetteer()
    early = CompanyFactory(name="Early Bird")
    CompanyFactory(name="Later Bird", pk=early.pk + 2)
    assert len(get_gazetteer().find("Early Bird and Later Bird")) == 2
    # A key handed out before the ones read, whose transaction commits only now.
    CompanyFactory(name="Slow Bird", pk=early.pk + 1)
    assert [m.entry.target_id for m in get_gazetteer().find("Slow Bird")] == [early.pk + 1]


@pytest.mark.django_db
def test_one_name_in_two_small_automatons_is_ambiguous_with_the_company_first():
    get_gazetteer()
    for i in range(4):
        ProductFactory(name=f"Filler{i}")
    ProductFactory(name="Nova")
    get_gazetteer()  # the product's automaton
    company = CompanyFactory(name="Nova")
    g = get_gazetteer()  # the company's: one name, not merged with the five before
    assert len(g.added) == 2
    [match] = g.find("Nova rose")
    assert (match.entry.kind, match.entry.target_id, match.ambiguous) == ("company", company.pk, True)


@pytest.mark.django_db
def test_too_many_keys_skipped_start_a_full_build_afresh(monkeypatch):
    first = get_gazetteer()
    cache = gazetteer_cache._cached
    # Keys already skipped (reference markets of a kind not matched, keys of rolled-back
    # test transactions on PostgreSQL) stay under the limit; one more gap goes over it.
    limit = max(len(keys) for keys in cache.gaps.values())
    monkeypatch.setattr(gazetteer_cache, "_MAX_GAPS", limit)
    top = cache.highest["company"]
    CompanyFactory(name="Gapco", pk=top + 1)
    assert get_gazetteer().base is first.base  # no key skipped: names added as usual
    CompanyFactory(name="Gapco Two", pk=top + limit + 3)  # keys top + 2 … never committed
    rebuilt = get_gazetteer()
    assert rebuilt.base is not first.base
    assert len(rebuilt.find("Gapco and Gapco Two")) == 2
