"""The event list's fast path answers exactly what the event serializer would."""

from __future__ import annotations

import pytest

from intel.api.serializers import EventSerializer
from intel.models import Event, Market
from tests.factories import EventFactory, ParticipantFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_each_listed_event_is_what_the_serializer_says(reader_api):
    event = EventFactory(time_end=None, time_precision="")
    event.markets.add(Market.objects.get(iso_code="US"), Market.objects.get(iso_code="IN"))
    event.tags.add(TagFactory(namespace="zz"), TagFactory(namespace="aa"))
    ParticipantFactory(event=event)
    ParticipantFactory(event=event, role="partner")
    EventFactory()  # one with nothing attached
    listed = reader_api.get("/api/v1/events/").json()["results"]
    expected = EventSerializer(Event.objects.order_by("-id"), many=True).data
    assert listed == [dict(item) for item in expected]
