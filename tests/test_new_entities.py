"""Stage 5 proposes names the database does not know, with precision first."""

from __future__ import annotations

import pytest

from intel.ingest.pipeline import ingest_article
from intel.models import Company, Person, Product, Source

pytestmark = pytest.mark.django_db


def proposed_names(text: str, **kwargs) -> dict[str, set[str]]:
    data = ingest_article(text=text, **kwargs).as_json()
    found: dict[str, set[str]] = {}
    for item in data["proposed_entities"]:
        found.setdefault(item["kind"], set()).add(item.get("name") or item.get("title"))
    return found


def test_months_weekdays_headings_and_sentence_starts_are_never_proposed():
    text = (
        "Quarterly outlook\n\n"
        "Meanwhile the market grew. On Monday, in March, the vendors met in India. "
        "However, sales fell in September. Nevertheless the outlook is bright."
    )
    assert proposed_names(text) == {}


def test_a_name_is_proposed_with_all_its_mentions():
    result = ingest_article(
        text="Transsion sold 20 million phones. Analysts say shares of the phone maker Transsion rose after the deal."
    ).as_json()
    assert [p["name"] for p in result["proposed_entities"] if p["kind"] == "company"] == ["Transsion"]
    spans = [(m["start"], m["end"]) for m in result["mentions"] if m["target"] == "Transsion"]
    assert spans == [(0, 9), (73, 82)]  # the sentence start counts once the name is known


def test_people_are_found_with_or_without_a_speech_verb():
    found = proposed_names(
        "Realme said its chief executive Madhav Sheth will travel to sign the supply deal. "
        "Analyst Neil Shah said demand is strong, while the research firms Counterpoint and Canalys disagree."
    )
    assert found["person"] == {"Madhav Sheth", "Neil Shah"}
    assert {"Realme", "Counterpoint"} <= found["company"]


def test_outlets_are_sources_not_companies():
    proposed_names("Vivo told Bloomberg it would expand its phone sales, according to the Nikkei newspaper.")
    assert "Bloomberg" in set(Source.objects.values_list("name", flat=True))
    assert Source.objects.get(name="Bloomberg").kind == "news_agency"
    assert not Company.objects.filter(name__in=["Bloomberg", "Nikkei"]).exists()


def test_products_after_their_maker_in_a_list():
    proposed_names("Shoppers compare the Oppo Reno series and the Vivo X lineup with older phones.")
    makers = dict(Product.objects.values_list("name", "maker__name"))
    assert makers == {"Reno": "Oppo", "X": "Vivo"}


def test_a_known_name_is_linked_not_proposed_again():
    ingest_article(text="Shares of Transsion rose after the phone maker won a supply deal. Transsion sells phones.")
    second = proposed_names("Investors like Transsion again today after the phone maker cut prices.")
    assert second == {}
    assert Company.objects.filter(name="Transsion").count() == 1
    assert not Person.objects.exists()


def test_a_sentence_start_is_not_a_name_and_an_outlet_that_reports_is_cited():
    found = proposed_names(
        "Costs reported by suppliers rose. Analysts expect the merger to cut prices. "
        "Nikkei reported the deal first, and Nikkei later added details."
    )
    assert "Costs" not in found.get("company", set())
    assert not Company.objects.filter(name="Nikkei").exists()


def test_a_known_outlet_starting_a_sentence_is_cited():
    Source.objects.create(name="Reuters")
    result = ingest_article(text="Reuters reported that Transsion grew its phone sales after the deal.").as_json()
    assert {s["name"] for s in result["cited_sources"]} == {"Reuters"}
    assert not Company.objects.filter(name="Reuters").exists()
