"""The article and event lists, formatted from plain rows (``RowsListSerializer``), answer
exactly what their serializers answer from model instances, key for key and in the same
order (the CSV's columns follow it)."""

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
    assert [list(item) for item in listed] == [list(item) for item in expected]


def test_each_listed_article_is_what_the_serializer_says(reader_api):
    from intel.api.serializers import ArticleSerializer
    from intel.models import Article
    from tests.factories import ArticleFactory

    ArticleFactory()
    ArticleFactory(source=None, published_on=None, url="")
    listed = reader_api.get("/api/v1/articles/").json()["results"]
    expected = ArticleSerializer(Article.objects.select_related("source").order_by("-id"), many=True).data
    assert listed == [dict(item) for item in expected]
    assert [list(item) for item in listed] == [list(item) for item in expected]


@pytest.mark.postgres
def test_searched_rows_are_what_the_serializers_say_plus_a_rank(reader_api):
    from intel.api.serializers import ArticleSerializer
    from intel.models import Article
    from tests.factories import ArticleFactory

    event = EventFactory(summary="Xiaomi: market entry – United States")
    event.markets.add(Market.objects.get(iso_code="US"))
    ParticipantFactory(event=event)
    EventFactory(summary="Xiaomi: partnership")
    ArticleFactory(title="Xiaomi enters", body="Xiaomi enters the US.")
    ArticleFactory(title="Xiaomi in India", body="Xiaomi leads in India; Xiaomi grows.", source=None)

    for url, serializer, rows in (
        ("/api/v1/events/?q=xiaomi", EventSerializer, Event.objects.all()),
        ("/api/v1/articles/?q=xiaomi", ArticleSerializer, Article.objects.select_related("source")),
    ):
        listed = reader_api.get(url).json()["results"]
        assert len(listed) == 2 and all(item.pop("rank") > 0 for item in listed)
        by_id = {item["id"]: dict(item) for item in serializer(rows, many=True).data}
        assert listed == [by_id[item["id"]] for item in listed]
