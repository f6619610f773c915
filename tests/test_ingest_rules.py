"""Analysts' rules: matching algorithms, tag reasons, event rules, and testing a rule before saving it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from intel.ingest.pipeline import ingest_article
from intel.matching import find_matches
from intel.models import ArticleTag, Event, EventRule, Tag, TagRule
from tests.factories import CompanyFactory
from tests.seed import ingest_seed

TEXT = "Xiaomi cut prices on budget phones. The price war with Realme goes on; PRICE WAR!"


@pytest.mark.parametrize(
    ("algorithm", "pattern", "case_sensitive", "expected"),
    [
        ("any", "budget realme", False, ["budget", "Realme"]),
        ("any", '"price war"', False, ["price war", "PRICE WAR"]),
        ("all", "budget absent", False, []),
        ("all", "budget Realme", True, ["budget", "Realme"]),
        ("literal", "price war", True, ["price war"]),
        ("literal", "price", False, ["price", "PRICE"]),
        ("regex", r"cut\s+prices?", False, ["cut prices"]),
        ("fuzzy", "price wars", False, ["price war"]),
        ("fuzzy", "smartwatch", False, []),
    ],
)
def test_matching_algorithms(algorithm, pattern, case_sensitive, expected):
    found = find_matches(TEXT, algorithm=algorithm, pattern=pattern, case_sensitive=case_sensitive)
    # Fuzzy matching finds the best-scoring place; either spelling of "price war" is right.
    shown = [m.text.lower() if algorithm == "fuzzy" else m.text for m in found]
    assert shown == expected


def test_words_match_whole_words_only():
    assert find_matches("subudget budgets", algorithm="any", pattern="budget") == []


@pytest.mark.django_db
def test_an_analysts_tag_rule_tags_articles_with_the_reason():
    tag = Tag.objects.create(namespace="competitor", name="realme")
    TagRule.objects.create(name="Realme named", tag=tag, algorithm="literal", match="Realme", case_sensitive=True)
    result = ingest_article(text=TEXT)
    applied = ArticleTag.objects.get(article=result.article, tag=tag)
    assert applied.reason == f"rule “Realme named”: “Realme” at {TEXT.index('Realme')}"
    assert (applied.review_status, applied.method, applied.method_detail) == ("proposed", "rule", "rule:Realme named")


@pytest.mark.django_db
def test_a_disabled_rule_does_nothing():
    tag = Tag.objects.create(namespace="competitor", name="realme")
    TagRule.objects.create(name="Realme named", tag=tag, algorithm="any", match="Realme", enabled=False)
    ingest_article(text=TEXT)
    assert not ArticleTag.objects.filter(tag=tag).exists()


@pytest.mark.django_db
def test_an_analysts_event_rule_proposes_events():
    CompanyFactory(name="Realme")
    EventRule.objects.create(
        name="store openings", event_type="market_entry", match="opens stores", algorithm="literal"
    )
    result = ingest_article(text="Realme opens stores across Indonesia this month.", published="2019-03-04")
    event = Event.objects.get(type="market_entry")
    assert event.method_detail == "rule:store openings"
    assert event.markets.get().name == "Indonesia"
    assert (event.time_start.isoformat(), event.time_end.isoformat()) == ("2019-03-01", "2019-03-31")
    assert result.events[0][1] is True


@pytest.mark.django_db
def test_an_invalid_regex_is_refused_by_the_rule_form(staff_client):
    tag = Tag.objects.create(namespace="x", name="y")
    response = staff_client.post(
        "/admin/intel/tagrule/add/",
        {
            "tag": tag.pk,
            "name": "bad",
            "enabled": "on",
            "algorithm": "regex",
            "match": "(unclosed",
            "confidence": "0.7",
        },
    )
    assert response.status_code == 200
    assert "This is not a valid regular expression" in response.content.decode()
    assert not TagRule.objects.filter(name="bad").exists()


@pytest.mark.parametrize("pattern", ["x{99999999999}", "[z-a]"])
def test_a_regex_the_regex_module_cannot_compile_is_refused_with_its_reason(pattern):
    rule = TagRule(name="bad", tag=Tag(namespace="x", name="y"), algorithm="regex", match=pattern)
    with pytest.raises(ValidationError) as refused:
        rule.clean()
    (message,) = refused.value.message_dict["match"]
    assert message.startswith("This is not a valid regular expression: ")
    assert len(message) > len("This is not a valid regular expression: .")


@pytest.mark.django_db
def test_a_rule_can_be_tested_on_past_articles_without_saving(staff_client):
    ingest_seed()
    rules_before = TagRule.objects.count()
    response = staff_client.post(
        "/admin/intel/tagrule/test/", {"algorithm": "any", "match": "carrier", "case_sensitive": ""}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "the rule matches 1" in html
    assert "<mark>carrier</mark>" in html
    assert TagRule.objects.count() == rules_before
    bad = staff_client.post("/admin/intel/eventrule/test/", {"algorithm": "regex", "match": "(", "case_sensitive": ""})
    assert "This is not a valid regular expression" in bad.content.decode()


@pytest.mark.django_db
def test_the_rule_form_has_a_test_button(staff_client):
    page = staff_client.get("/admin/intel/tagrule/add/").content.decode()
    assert 'formaction="/admin/intel/tagrule/test/"' in page


def test_a_limit_returns_the_first_matches_in_text_order():
    everything = find_matches(TEXT, algorithm="any", pattern="price budget")
    assert [m.text for m in everything] == ["budget", "price", "PRICE"]  # "prices" is not the word "price"
    assert find_matches(TEXT, algorithm="any", pattern="price budget", limit=2) == everything[:2]
    assert [(m.start, m.text) for m in find_matches(TEXT, algorithm="regex", pattern="pri?ce", limit=1)] == [(11, "price")]
