"""An event its own sentence does not date takes the date of a later sentence about it:
news states the event first and its date after. Sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from intel.ingest.pipeline import ingest_article
from intel.models import Event
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def _event(kind: str) -> Event:
    return Event.objects.get(type=kind)


def test_a_closure_takes_the_date_a_later_sentence_gives_it():
    CompanyFactory(name="Brightwater")
    ingest_article(
        text=(
            "Brightwater is to shut down its research labs in Dublin. The labs employed about 80 researchers. "
            "The company said the work had not found enough paying customers. "
            "About 60 people will lose their jobs when the labs close on 1 February."
        ),
        published="2005-01-14",
    )
    event = _event("market_exit")
    assert (event.time_start, event.time_end) == (date(2005, 2, 1), date(2005, 2, 1))


def test_a_deal_takes_the_date_of_a_later_sentence_about_the_deal():
    CompanyFactory(name="Brightwater")
    CompanyFactory(name="Lumenfield")
    ingest_article(
        text=(
            "Brightwater said it would buy Lumenfield, a rival maker of solar panels, for $2bn. "
            "The deal is expected to be completed by April 2005, Brightwater said."
        ),
        published="2005-01-10",
    )
    event = _event("acquisition")
    assert event.time_start is not None and event.time_end == date(2005, 4, 30)


def test_a_later_sentence_about_another_company_does_not_date_the_event():
    CompanyFactory(name="Brightwater")
    CompanyFactory(name="Lumenfield")
    CompanyFactory(name="Corvane")
    ingest_article(
        text=(
            "Brightwater said it would buy Lumenfield, a rival maker of solar panels. "
            "Corvane bought a battery maker in March 2003."
        ),
        published="2005-01-10",
    )
    brightwater = Event.objects.get(type="acquisition", participants__company__name="Brightwater",
                                    participants__role="actor")  # fmt: skip
    assert (brightwater.time_start, brightwater.time_end) == (None, None)


def test_an_expletive_it_is_not_the_actor_of_the_next_clause():
    # "It is thought … when the labs close": "labs" is the subject of "close", not the
    # company named in the sentence before.
    CompanyFactory(name="Brightwater")
    ingest_article(
        text=(
            "Brightwater makes solar panels in Cork. "
            "It is thought that 50 jobs will go when the labs close in the spring."
        ),
        published="2005-01-14",
    )
    assert not Event.objects.filter(type="market_exit").exists()


def test_a_time_in_another_clause_does_not_date_the_event():
    # "on Monday" dates the meeting (an adverbial clause), not the suspension; the
    # next sentence about the listing gives its date.
    CompanyFactory(name="Brightwater")
    ingest_article(
        text=(
            "The exchange has suspended Brightwater's planned IPO after its founder met regulators on Monday. "
            "The IPO had been set to raise $3bn, the exchange said on Tuesday."
        ),
        published="2020-11-04",
    )
    event = _event("financing")
    assert (event.time_start, event.time_end) == (date(2020, 11, 3), date(2020, 11, 3))
