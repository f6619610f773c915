"""Ingesting the seed article (July 2018) into a database holding only the reference markets."""

from __future__ import annotations

from datetime import date

import pytest

from intel.models import Company, Event, Person, Product, Quote, Role, Source
from intel.review import confirm_records
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    return ingest_seed().as_json()


def proposed(data, kind):
    return {p["name"] for p in data["proposed_entities"] if p["kind"] == kind}


def test_the_seven_companies_are_proposed(seeded):
    assert proposed(seeded, "company") == {"Xiaomi", "Apple", "Google", "Samsung", "ZTE", "Huawei", "OnePlus"}
    assert set(Company.objects.values_list("review_status", flat=True)) == {"proposed"}


def test_wang_xiang_is_proposed_as_senior_vice_president_of_xiaomi(seeded):
    assert proposed(seeded, "person") == {"Wang Xiang"}
    role = Role.objects.get()
    assert (role.person.name, role.title, role.company.name) == ("Wang Xiang", "senior vice president", "Xiaomi")


def test_products_are_proposed_with_their_makers(seeded):
    makers = dict(Product.objects.values_list("name", "maker__name"))
    assert makers == {"iPhone": "Apple", "Pixel": "Google", "Galaxy Note": "Samsung", "Galaxy S": "Samsung"}


def test_markets_are_mentioned(seeded):
    markets = {m["target"] for m in seeded["mentions"] if m["kind"] == "market"}
    assert {"United States", "China", "India", "Europe"} <= markets


def test_reuters_is_a_cited_source_not_a_company(seeded):
    assert [s["name"] for s in seeded["cited_sources"]] == ["Reuters"]
    assert Source.objects.get(name="Reuters").kind == "news_agency"
    assert not Company.objects.filter(name="Reuters").exists()


def test_no_proposals_for_sentence_starts_months_headings_or_demonyms(seeded):
    names = {p.get("name") for p in seeded["proposed_entities"]}
    for word in (
        "Challenging",
        "Going",
        "Eventually",
        "Recently",
        "Undoubtedly",
        "Already",
        "Next",
        "Chinese",
        "Indian",
    ):
        assert word not in names


def event(seeded, type_, company=None, market=None):
    for e in seeded["events"]:
        companies = {c["name"] for c in e["companies"]}
        markets = {m["name"] for m in e["markets"]}
        if e["type"] == type_ and (company is None or company in companies) and (market is None or market in markets):
            return e
    raise AssertionError(f"no {type_} event for {company} in {market}: {[x['summary'] for x in seeded['events']]}")


def test_xiaomi_plans_to_enter_the_us_in_2019_with_the_quote_as_evidence(seeded):
    e = event(seeded, "market_entry", "Xiaomi", "United States")
    assert e["status"] == "planned"
    assert (e["time"]["start"], e["time"]["end"], e["time"]["precision"]) == ("2019-01-01", "2019-12-31", "year")
    assert e["time"]["phrase"] == "next year"
    assert {c["name"]: c["role"] for c in e["companies"]} == {"Xiaomi": "actor"}
    quote = Quote.objects.get(text="Next year we hope we can do something there.")
    assert Event.objects.get(pk=e["id"]).evidence.filter(quote=quote).exists()


def test_xiaomi_is_in_talks_with_us_carriers(seeded):
    e = event(seeded, "partnership", "Xiaomi", "United States")
    assert e["status"] == "in_progress"


def test_xiaomi_is_the_top_brand_in_india(seeded):
    e = event(seeded, "market_position", "Xiaomi", "India")
    assert e["status"] == "completed"


def test_the_us_government_acts_against_zte_and_huawei(seeded):
    e = event(seeded, "regulatory_action", "ZTE", "United States")
    assert {c["name"]: c["role"] for c in e["companies"]} == {"ZTE": "target", "Huawei": "target"}


def test_oneplus_entered_the_us_through_unlocked_devices(seeded):
    e = event(seeded, "market_entry", "OnePlus", "United States")
    assert e["status"] == "completed"


def test_a_market_statistic_is_not_an_event(seeded):
    # "the US is the third largest smartphone market": no company does anything.
    assert all(e["companies"] or e["type"] == "regulatory_action" for e in seeded["events"])


def test_the_quote_is_wang_xiangs_reported_via_reuters(seeded):
    quote = Quote.objects.get()
    assert quote.text == "Next year we hope we can do something there."
    assert quote.speaker == Person.objects.get(name="Wang Xiang")
    assert quote.reported_via == Source.objects.get(name="Reuters")


def test_the_thematic_tags(seeded):
    assert {t["tag"] for t in seeded["tags"]} >= {
        "strategy:market-entry", "strategy:budget-pricing", "channel:carrier",
        "risk:geopolitical", "channel:unlocked", "segment:premium",
    }  # fmt: skip
    for tag in seeded["tags"]:
        assert "rule “" in tag["reason"] and " at " in tag["reason"]


def test_everything_made_is_proposed_with_a_method(seeded):
    for model in (Company, Person, Product, Role, Event, Quote):
        rows = model.objects.values_list("review_status", "method")
        assert rows and all(status == "proposed" and method for status, method in rows), model


def test_every_record_points_back_to_its_span(seeded):
    from intel.models import Article

    body = Article.objects.get().body
    for mention in seeded["mentions"]:
        assert body[mention["start"] : mention["end"]] == mention["text"]
    for quote in seeded["quotes"]:
        assert body[quote["start"] : quote["end"]] == quote["text"]


def test_confirmed_companies_are_linked_in_the_next_article_and_nothing_is_proposed_twice(staff_user):
    ingest_seed()
    confirm_records(Company.objects.all(), by=staff_user)
    companies = Company.objects.count()
    second = ingest_seed(
        text=(
            "Xiaomi told analysts on Monday that it plans to enter the US market next year, "
            "competing with Apple and Samsung. Huawei declined to comment."
        ),
        title="Xiaomi US plans",
        published=date(2018, 8, 2),
    ).as_json()
    assert second["proposed_entities"] == []
    assert Company.objects.count() == companies
    linked = {m["target"] for m in second["mentions"] if m["kind"] == "company"}
    assert linked == {"Xiaomi", "Apple", "Samsung", "Huawei"}
    entry = [e for e in second["events"] if e["type"] == "market_entry"]
    assert len(entry) == 1 and entry[0]["new"] is False  # new evidence for the known event
    assert Event.objects.get(pk=entry[0]["id"]).evidence.values("article").distinct().count() == 2


def test_records_made_by_ingestion_have_history(seeded):
    from intel.models import EventParticipant

    for model in (Event, EventParticipant, Company, Quote):
        assert model.history.filter(history_type="+").count() == model.objects.count(), model
