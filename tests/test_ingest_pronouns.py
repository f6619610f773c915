"""Stage 8: a sentence whose subject is "it", "they", "the company" … is read even though
it names no company, and its event goes to the company named before it; a sentence
with neither a name nor such a subject gives no event."""

from __future__ import annotations

import pytest

from intel.ingest.pipeline import ingest_article
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("subject", ["It", "The company", "The firm", "They"])
def test_an_event_told_with_a_pronoun_goes_to_the_company_named_before(subject):
    xiaomi = CompanyFactory(name="Xiaomi")
    result = ingest_article(
        text=(
            "Xiaomi reported record smartphone shipments in the second quarter, analysts said on Monday. "
            f"{subject} will enter the Spanish market next year with its own stores."
        ),
        published="2018-07-05",
    )
    entries = [event for event, _ in result.events if event.type == "market_entry"]
    assert entries and entries[0].main_company_id() == xiaomi.pk


def test_a_sentence_without_a_name_or_a_pronoun_subject_gives_no_event():
    CompanyFactory(name="Xiaomi")
    result = ingest_article(
        text="Xiaomi reported record shipments on Monday. Retailers will enter the Spanish market next year.",
        published="2018-07-05",
    )
    assert not [event for event, _ in result.events if event.type == "market_entry"]
