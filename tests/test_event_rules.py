"""Stage 8's building blocks: which wording fires which event type, and which status it gets."""

from __future__ import annotations

import pytest

from intel.ingest.event_rules import builtin_triggers_in, status_of


@pytest.mark.parametrize(
    ("sentence", "types"),
    [
        ("Xiaomi appears to be geared up to foray into the US market next year.", {"market_entry"}),
        ("They are in talks with the US carriers.", {"partnership"}),
        ("ZTE and Huawei are facing the end of sanctions imposed by the US government.", {"regulatory_action"}),
        ("Xiaomi has become the top smartphone brand in India.", {"market_position"}),
        ("Samsung cut prices on its Galaxy phones.", {"pricing"}),
        ("Apple agreed to the acquisition of Beats.", {"acquisition"}),
        ("The weather was fine and nothing happened.", set()),
    ],
)
def test_triggers(sentence, types):
    assert {t.type for t, _ in builtin_triggers_in(sentence)} == types


def test_overlapping_triggers_both_fire():
    fired = {
        t.type for t, _ in builtin_triggers_in("Realme launched its first phone in Brazil and entered the market.")
    }
    assert {"product_launch", "market_entry"} <= fired


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("Xiaomi appears to be geared up to foray into the US market next year.", "planned"),
        ("They are in talks with the US carriers.", "in_progress"),
        ("OnePlus cracked into the market by selling unlocked devices.", "completed"),
        ("Xiaomi reportedly plans to enter Brazil.", "rumoured"),
        ("Huawei denied it would leave Europe.", "denied"),
        ("The company scrapped its plan to enter Japan.", "cancelled"),
        ("Xiaomi enters the market.", "announced"),
    ],
)
def test_status_from_wording(sentence, status):
    assert status_of(sentence, "announced") == status


def test_every_trigger_fires_on_its_sample_wording():
    from intel.ingest.event_rules import BUILTIN_TRIGGERS

    samples = {
        "market entry": "entered the market", "market exit": "pulled out of Japan", "partnership": "a deal with X",
        "regulatory action": "was fined", "product launch": "unveiled its phone", "pricing": "cut prices",
        "financing": "an IPO", "acquisition": "acquired Y", "leadership change": "appointed a CEO",
        "market position": "the largest vendor", "legal": "filed a lawsuit", "closure": "is to shut down",
        "other": "is cutting 5,000 jobs",
    }  # fmt: skip
    for trigger in BUILTIN_TRIGGERS:
        assert trigger in [t for t, _ in builtin_triggers_in(samples[trigger.name])], trigger.name


def test_triggers_of_one_type_are_those_of_every_type_filtered():
    """A later sentence is searched for the event's own type only (``date_from_follow_ups``)."""
    sentence = "Xiaomi launched a phone in India, signed a deal with Jio and plans to enter the US market."
    every = builtin_triggers_in(sentence)
    assert len({t.type for t, _ in every}) >= 3
    for event_type in {t.type for t, _ in every} | {"legal"}:
        assert builtin_triggers_in(sentence, of_type=event_type) == [(t, s) for t, s in every if t.type == event_type]
