"""What the names in a news article are: the trained model finds them, rules decide.

Every sentence here was written for these tests (none comes from a corpus).
"""

from __future__ import annotations

import pytest

from intel.choices import ReviewStatus, SourceKind
from intel.ingest.pipeline import ingest_article
from intel.models import Company, Market, Role, Source
from intel.review import confirm_records

pytestmark = pytest.mark.django_db


def proposed(text: str, **kwargs) -> dict[str, set[str]]:
    data = ingest_article(text=text, **kwargs).as_json()
    found: dict[str, set[str]] = {}
    for item in data["proposed_entities"]:
        found.setdefault(item["kind"], set()).add(item.get("name") or item.get("title"))
    return found


def test_a_legal_form_is_stripped_and_never_proposed_alone():
    found = proposed(
        "Brightwater Corp. said on Tuesday it would buy a stake in Lumenfield Ltd, a rival supplier of solar panels. "
        "Brightwater shares rose 4% after the deal was announced."
    )
    assert "Brightwater" in found["company"]
    assert not {"Corp", "Corp.", "Ltd", "Inc"} & found["company"]


def test_government_bodies_are_regulators_not_companies():
    text = (
        "The European Commission fined Brightwater Corp 12 million euros on Friday for blocking rival suppliers. "
        "The Department of Justice is also examining the company's sales contracts."
    )
    found = proposed(text)
    assert found.get("company", set()) <= {"Brightwater"}
    kinds = dict(Source.objects.values_list("name", "kind"))
    assert kinds.get("European Commission") == SourceKind.REGULATOR
    assert not Company.objects.filter(name__icontains="Commission").exists()


def test_a_word_inside_a_longer_name_is_not_proposed_on_its_own():
    found = proposed(
        "Cathay Pacific Airways said it would add flights to Sydney. Cathay Pacific shares rose as the airline "
        "reported more bookings from business travellers."
    )
    assert "Pacific" not in found.get("company", set())
    assert any(name.startswith("Cathay Pacific") for name in found["company"])


def test_a_state_is_not_read_as_the_country_inside_its_name():
    data = ingest_article(
        text="Brightwater Corp will open a battery plant in New Mexico next year, the company said on Monday."
    ).as_json()
    markets = {m["target"] for m in data["mentions"] if m["kind"] == "market"}
    assert "Mexico" not in markets


def test_a_title_before_a_name_is_not_part_of_it():
    found = proposed(
        "Trade Minister Jane Roe said on Monday the government would review the takeover of Lumenfield Ltd "
        "by Brightwater Corp, which agreed to pay $2bn for the solar panel maker."
    )
    assert "Jane Roe" in found["person"]
    assert not any("Minister" in name for name in found["person"])


def test_a_title_and_company_after_a_name_make_a_role():
    ingest_article(
        text=(
            "Lumenfield Ltd said quarterly profits rose. Maria Okafor, the chief executive of Lumenfield, "
            "told investors that the solar panel maker would hire 200 engineers."
        )
    )
    role = Role.objects.select_related("person", "company").get()
    assert (role.person.name, role.company.name) == ("Maria Okafor", "Lumenfield")
    assert "chief executive" in role.title


def test_a_surname_alone_later_links_to_the_person():
    data = ingest_article(
        text=(
            "Brightwater Corp appointed Tomas Lindqvist as chief executive on Monday. "
            "Lindqvist said the company would cut prices for its solar panels."
        )
    ).as_json()
    people = [m for m in data["mentions"] if m["kind"] == "person"]
    assert {m["text"] for m in people} == {"Tomas Lindqvist", "Lindqvist"}
    assert len({m["target"] for m in people}) == 1


def test_an_article_about_sport_proposes_no_company():
    found = proposed(
        "Ana Sousa won the 5,000m at the Indoor Games in Boston on Saturday, beating Kerry Dale by two seconds. "
        "Sousa said she was delighted with the time and would race again in Birmingham next month. "
        "Dale, who won the title last year, said the track was fast."
    )
    assert "company" not in found
    assert "product" not in found


def test_an_unconfirmed_proposal_is_recognised_later_only_as_a_proposal():
    ingest_article(text="Brightwater Corp said on Monday it would buy Lumenfield Ltd, a rival solar panel maker.")
    lumenfield = Company.objects.get(name="Lumenfield")
    assert lumenfield.review_status == ReviewStatus.PROPOSED
    data = ingest_article(text="Shares of Lumenfield rose after the news; it plans to enter India next year.").as_json()
    mention = next(m for m in data["mentions"] if m["target"] == "Lumenfield")
    assert mention["confidence"] < 0.5
    assert Company.objects.filter(name="Lumenfield").count() == 1  # recognised, not proposed twice


def test_an_unsupported_proposal_is_not_trusted_for_events():
    from intel.ingest.context import Hit

    lead = Hit(0, 4, "Acme", "company", 1, "gazetteer", 0.4, proposal=True)
    assert not lead.trusted
    lead.supported = True  # the model calls it an organisation in this article too
    assert lead.trusted
    assert Hit(0, 4, "Acme", "company", 1, "gazetteer", 0.95).trusted


def test_a_confirmed_name_matches_as_known(staff_user):
    ingest_article(text="Brightwater Corp said on Monday it would buy Lumenfield Ltd, a rival solar panel maker.")
    confirm_records(Company.objects.filter(name="Lumenfield"), by=staff_user)
    data = ingest_article(text="Lumenfield plans to enter India next year, its chairman said.").as_json()
    mention = next(m for m in data["mentions"] if m["target"] == "Lumenfield")
    assert mention["confidence"] >= 0.85
    entry = [e for e in data["events"] if e["type"] == "market_entry"]
    assert entry and {c["name"] for c in entry[0]["companies"]} == {"Lumenfield"}
    assert Market.objects.get(name="India").pk in {m["id"] for m in entry[0]["markets"]}


def test_a_ticker_is_nothing_and_a_model_number_makes_a_product():
    found = proposed(
        "Brightwater Corp (NYSE: BWC) said on Monday that its Brightwater X5 solar panel would go on sale in India, "
        "where the solar panel maker plans to open a factory. Brightwater shares rose 3%."
    )
    assert "Brightwater" in found["company"]
    assert not {"BWC", "NYSE"} & found.get("company", set())
    assert "X5" in found.get("product", set())


def test_a_description_before_a_name_is_not_a_name():
    found = proposed(
        "Solar panel maker Brightwater Corp said on Monday it would buy Lumenfield Ltd, a rival supplier, "
        "for $2bn. Budget carriers Skyhop and Airlift also cut fares."
    )
    assert not {"Solar", "Budget"} & found.get("company", set())
    assert "Brightwater" in found["company"]


def test_a_possessive_before_a_corporate_word_is_part_of_one_name():
    found = proposed(
        "Winemaker Southvale has rejected a takeover offer from brewing giant Kellerman's Group. "
        "Kellerman's bought a 10% stake in Southvale last week, and Kellerman's shares fell 3% on the news."
    )
    assert "Kellerman's Group" in found["company"]
    assert not {"Kellerman", "Group"} & found["company"]


def test_a_defined_term_of_an_order_is_not_a_company():
    found = proposed(
        "The president blocked Brightwater's takeover of Lumenfield Corp on national security grounds. "
        'The order says: "The Purchaser and Lumenfield shall immediately abandon the proposed takeover." '
        "Brightwater said it would comply with the order."
    )
    assert "Purchaser" not in found.get("company", set())


def test_a_name_the_text_calls_a_technology_is_a_product():
    found = proposed(
        "Chipmaker Ferrowave Instruments Inc said its new phone chip could cut the cost of handsets. "
        "The technology, Kestrel-Vox, is being tested by phone makers in Europe. Ferrowave Instruments "
        "shares rose 4% after the company said it expected the chip to lift revenue and profit next year."
    )
    assert "Ferrowave Instruments" in found["company"]
    assert "Kestrel-Vox" not in found.get("company", set())
    assert "Kestrel-Vox" in found.get("product", set())


def test_a_gathering_is_not_a_company():
    found = proposed(
        "Brightwater Corp chief executive Jane Roe showed the new solar roof at her annual Sunvention speech. "
        "Ms Roe told delegates at Sunvention that Brightwater sales rose 20% last year."
    )
    assert "Sunvention" not in found.get("company", set())


def test_a_description_the_model_runs_into_a_name_is_not_part_of_it():
    found = proposed(
        "Smartphone maker Kestrelle will start selling its phones in India next month, its chief executive said. "
        "Kestrelle shares rose 5% on the news, and the company expects revenue to double."
    )
    assert "Kestrelle" in found["company"]
    assert not any("maker" in name for name in found["company"])
