"""An event's status from the grammar of the clause that reports it (``ingest.modality``).

Uses the trained pipeline; no database. Sentences written for these tests.
"""

from __future__ import annotations

import pytest

from intel.choices import EventStatus, EventType
from intel.ingest.modality import status_from_parse
from intel.ingest.nlp import model


def _status(sentence: str, trigger: str, event_type: str = EventType.ACQUISITION) -> str | None:
    return status_from_parse(model()(sentence), sentence.index(trigger), event_type, sentence)


@pytest.mark.parametrize(
    ("sentence", "trigger", "event_type", "expected"),
    [
        ("Acme plans to buy Bolt next year.", "buy", EventType.ACQUISITION, EventStatus.PLANNED),
        ("Acme will enter India next year.", "enter", EventType.MARKET_ENTRY, EventStatus.PLANNED),
        ("Acme denied reports that it would exit India.", "exit", EventType.MARKET_EXIT, EventStatus.DENIED),
        ("Acme is not planning to exit India, its chairman said.", "exit", EventType.MARKET_EXIT, EventStatus.DENIED),
        ("Acme has abandoned its takeover of Bolt.", "takeover", EventType.ACQUISITION, EventStatus.CANCELLED),
        ("Acme is reportedly in talks to buy Bolt.", "buy", EventType.ACQUISITION, EventStatus.RUMOURED),
        ("Acme said it would buy Bolt for $2bn.", "buy", EventType.ACQUISITION, EventStatus.ANNOUNCED),
        ("Acme bought Bolt for $2bn.", "bought", EventType.ACQUISITION, EventStatus.ANNOUNCED),
        ("Acme completed its purchase of Bolt on Monday.", "purchase", EventType.ACQUISITION, EventStatus.COMPLETED),
        ("Acme is cutting 5,000 jobs.", "cutting", EventType.OTHER, EventStatus.IN_PROGRESS),
        ("Acme launched its new phone in India.", "launched", EventType.PRODUCT_LAUNCH, EventStatus.COMPLETED),
        ("It was a deal that would have forced Acme to buy Bolt.", "buy", EventType.ACQUISITION, EventStatus.CANCELLED),
        # A change made at once, told in the progressive, is decided, not under way.
        ("Acme is parting company with its chief executive.", "parting", EventType.LEADERSHIP_CHANGE,
         EventStatus.ANNOUNCED),
        ("Acme and Bolt are joining forces to make batteries.", "joining", EventType.PARTNERSHIP,
         EventStatus.ANNOUNCED),
        # A word of completion over the trigger; a verb of completion only in a past form.
        ("Acme is cutting jobs following the completion of its takeover of Bolt.", "takeover",
         EventType.ACQUISITION, EventStatus.COMPLETED),
        ("Acme expects to complete the acquisition of Bolt in May.", "acquisition", EventType.ACQUISITION,
         EventStatus.PLANNED),
        # A participle takes its governing verb's tense.
        ("Acme spent the weekend cutting prices at its stores.", "cutting prices", EventType.PRICING,
         EventStatus.COMPLETED),
        ("Acme has determined that it will exit the Canadian market.", "exit", EventType.MARKET_EXIT,
         EventStatus.ANNOUNCED),
        # An allegation is a rumour; the trigger word itself never cancels its event.
        ("Ruritania has been accused of blocking access to Acme's news site.", "blocking",
         EventType.REGULATORY_ACTION, EventStatus.RUMOURED),
        ("Ruritania blocked access to Acme's news site on Friday.", "blocked", EventType.REGULATORY_ACTION,
         EventStatus.COMPLETED),
        ("Acme will halt its flights to Riyadh from 27 March.", "halt", EventType.MARKET_EXIT,
         EventStatus.PLANNED),
    ],
)
def test_status_from_the_clause(sentence, trigger, event_type, expected):
    assert _status(sentence, trigger, event_type) == expected


def test_a_rejected_bid_stays_announced():
    # The bidder still bids: the gold convention, and what an analyst wants to track.
    assert _status("Bolt has rejected a takeover offer from Acme.", "takeover") != EventStatus.DENIED
