"""Who said a quote: the person nearest the speech verb around it, a surname or a
pronoun for a person named before, else the organisation that says it."""

from __future__ import annotations

import pytest

from intel.ingest.pipeline import ingest_article

pytestmark = pytest.mark.django_db


def _quotes(text: str) -> list[tuple[str, str]]:
    data = ingest_article(text=text, published="2019-03-04").as_json()
    return [(q["text"].split()[0], q["speaker"] or "") for q in data["quotes"]]


def test_the_speaker_after_the_quote_is_the_one_nearest_the_verb():
    text = (
        "Brightwater Corp agreed to buy Lumenfield Ltd after talks with Tomas Lindqvist, its founder. "
        '"We see a great fit between the two solar businesses," said Maria Okafor, the chief executive of '
        "Brightwater, on Monday."
    )
    assert ("We", "Maria Okafor") in _quotes(text)


def test_a_surname_names_the_speaker_named_in_full_before():
    text = (
        "Brightwater Corp appointed Tomas Lindqvist as chief executive on Monday. "
        '"We will cut prices for every customer this year," Lindqvist told reporters.'
    )
    assert _quotes(text) == [("We", "Tomas Lindqvist")]


def test_an_organisation_can_be_the_speaker():
    text = (
        "Brightwater Corp said it would close two solar panel plants in Spain. "
        'Brightwater said in a statement: "The plants no longer make a profit for the group."'
    )
    assert ("The", "Brightwater") in _quotes(text)


def test_scare_quotes_are_not_quotes():
    assert _quotes('Analysts called the Brightwater deal a "great bargain" for the solar panel maker.') == []
