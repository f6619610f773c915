"""An event's main company is its first actor, else its first target, else its first
partner: one rule, for the stored event and for the drafts ingestion matches to it."""

from __future__ import annotations

import pytest

from intel.choices import ParticipantRole, main_company_of
from intel.models import EventParticipant
from tests.factories import CompanyFactory, EventFactory

ACTOR, TARGET, PARTNER = ParticipantRole.ACTOR, ParticipantRole.TARGET, ParticipantRole.PARTNER


@pytest.mark.parametrize(
    ("participants", "main"),
    [
        ([(PARTNER, 3), (TARGET, 2), (ACTOR, 1)], 1),
        ([(PARTNER, 3), (TARGET, 2), (TARGET, 4)], 2),
        ([(PARTNER, 3), (PARTNER, 5)], 3),
        ([("regulator", 9)], None),
        ([], None),
    ],
)
def test_the_first_actor_else_target_else_partner(participants, main):
    assert main_company_of(participants) == main


@pytest.mark.django_db
def test_a_stored_event_follows_the_same_rule_in_the_order_participants_were_stored():
    event = EventFactory()
    partner, target, second_target = CompanyFactory(), CompanyFactory(), CompanyFactory()
    for company, role in ((partner, PARTNER), (target, TARGET), (second_target, TARGET)):
        EventParticipant.objects.create(event=event, company=company, role=role)
    assert event.main_company_id() == target.pk
