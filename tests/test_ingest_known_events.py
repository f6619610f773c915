"""Stage 8 reads only the known events that could match a draft (its type with its main
company, or its type with one of its markets), and matches exactly as when it read
every event of any draft's type for any draft's company."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest

from intel.choices import EventType, ParticipantRole, ReviewStatus
from intel.ingest.event_drafts import Draft
from intel.ingest.event_matching import Known, _known_events, _same_event
from intel.ingest.event_rules import Trigger
from intel.models import Event
from tests.factories import CompanyFactory, CountryFactory, EventFactory, ParticipantFactory

pytestmark = pytest.mark.django_db

TYPES = [EventType.MARKET_ENTRY, EventType.PARTNERSHIP, EventType.PRICING]
ROLES = [ParticipantRole.ACTOR, ParticipantRole.PARTNER, ParticipantRole.TARGET, ParticipantRole.REGULATOR]


def _trigger(type_: str) -> Trigger:
    return Trigger(name=type_, type=type_, pattern=re.compile("x"), default_status="announced")


def _draft(type_: str, actor: int | None, partners: list[int], markets: list[int], span: tuple[date, date] | None):
    start, end = span or (None, None)
    return Draft(
        ctx=None, sentence=None, trigger=_trigger(type_), actor=actor, partners=partners, targets=[],  # type: ignore[arg-type]
        markets=markets, status="announced", time_start=start, time_end=end, precision="year", phrase="",
        confidence=0.7, rule_label="test",
    )  # fmt: skip


def _every_stored_event() -> list[Known]:
    """What a draft is matched against, read in full: every stored event not rejected,
    newest first as the database sorts (where unknown times go differs by database)."""
    return [
        Known(e.pk, e.type, e.time_start, e.time_end, {m.pk for m in e.markets.all()}, e.main_company_id())
        for e in Event.objects.exclude(review_status=ReviewStatus.REJECTED)
        .order_by("-time_start", "-pk")
        .prefetch_related("markets")
    ]


def _first_match(known: list[Known], d: Draft) -> int | None:
    return next((k.pk for k in known if _same_event(k, d)), None)


def _random_drafts_and_events(rng: random.Random) -> list[Draft]:
    companies = [CompanyFactory().pk for _ in range(6)]
    markets = [CountryFactory().pk for _ in range(3)]
    years = [(date(y, 1, 1), date(y, 12, 31)) for y in (2018, 2019, 2020)]
    for _ in range(30):
        start, end = rng.choice([*years, (None, None)])
        event = EventFactory(
            type=rng.choice(TYPES), time_start=start, time_end=end,
            review_status=rng.choice([ReviewStatus.PROPOSED, ReviewStatus.CONFIRMED, ReviewStatus.REJECTED]),
        )  # fmt: skip
        for company in rng.sample(companies, rng.choice([0, 1, 1, 2, 3])):
            ParticipantFactory(event=event, company_id=company, role=rng.choice(ROLES))
        event.markets.set(rng.sample(markets, rng.choice([0, 1, 2])))
    drafts = []
    for _ in range(12):
        people = rng.sample(companies, rng.choice([0, 1, 2]))
        places = rng.sample(markets, rng.choice([1, 2] if not people else [0, 1, 2]))
        drafts.append(
            _draft(rng.choice(TYPES), people[0] if people else None, people[1:], places, rng.choice([*years, None]))
        )
    return drafts


@pytest.mark.parametrize("seed", range(8))
def test_each_draft_matches_the_event_it_would_among_all_stored_ones(seed):
    drafts = _random_drafts_and_events(random.Random(seed))
    read = _known_events(drafts)
    every = _every_stored_event()
    assert len({k.pk for k in read}) < len(every)  # fewer read…
    assert [_first_match(read, d) for d in drafts] == [_first_match(every, d) for d in drafts]  # …same matches


def test_events_of_another_type_or_company_are_not_read():
    acme, other = CompanyFactory(), CompanyFactory()
    entry = ParticipantFactory(company=acme, event=EventFactory(type=EventType.MARKET_ENTRY)).event
    ParticipantFactory(company=acme, event=EventFactory(type=EventType.PRICING))  # acme, other type
    ParticipantFactory(company=other, event=EventFactory(type=EventType.MARKET_ENTRY))  # type, other company
    pricing_of_other = ParticipantFactory(company=other, event=EventFactory(type=EventType.PRICING)).event
    drafts = [
        _draft(EventType.MARKET_ENTRY, acme.pk, [], [], None),
        _draft(EventType.PRICING, other.pk, [], [], None),
    ]
    assert {k.pk for k in _known_events(drafts)} == {entry.pk, pricing_of_other.pk}
    assert {k.main for k in _known_events(drafts)} == {acme.pk, other.pk}


def test_an_event_whose_only_participant_is_a_regulator_is_found_by_its_market():
    """Its main company is none: it is a candidate for company-less drafts in its market,
    whatever else the batch holds (it used to be one only when its regulator happened
    to be another draft's main company)."""
    regulator, market = CompanyFactory(), CountryFactory()
    event = ParticipantFactory(company=regulator, role=ParticipantRole.REGULATOR).event
    event.markets.set([market])
    by_market = _draft(EventType.MARKET_ENTRY, None, [], [market.pk], None)
    by_regulator = _draft(EventType.MARKET_ENTRY, regulator.pk, [], [], None)
    assert [(k.pk, k.main) for k in _known_events([by_market])] == [(event.pk, None)]
    assert _known_events([by_regulator]) == []


def test_a_draft_without_company_or_market_is_matched_only_within_its_batch():
    """Built-in rules never make one (an analyst's rule may): nothing stored is read for it."""
    EventFactory()
    assert _known_events([_draft(EventType.MARKET_ENTRY, None, [], [], None)]) == []
    assert _known_events([]) == []
