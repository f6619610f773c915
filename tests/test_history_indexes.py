"""History tables are indexed only by what reads them: the record, the changes feed, the user."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

from intel.models import Event, EventParticipant, Quote
from tests.factories import CompanyFactory, EventFactory

pytestmark = pytest.mark.django_db

# The record's id (obj.history), the history row's key, its date (what changed since),
# the user who made the change, and the changes feed's order (transaction, then key).
READ_BY = {("id",), ("history_id",), ("history_date",), ("history_user_id",), ("history_txid", "history_id")}


def _history_models() -> list[type]:
    return [model for model in apps.get_app_config("intel").get_models() if model.__name__.startswith("Historical")]


def test_every_tracked_model_has_a_history_table():
    tracked = {model.history.model for model in (Event, EventParticipant, Quote)}
    assert tracked <= set(_history_models())


def test_history_tables_index_only_what_reads_them():
    with connection.cursor() as cursor:
        for model in _history_models():
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            indexed = {tuple(spec["columns"]) for spec in constraints.values() if spec["index"] or spec["primary_key"]}
            assert indexed <= READ_BY, (model.__name__, indexed - READ_BY)
            assert ("id",) in indexed, model.__name__  # obj.history stays a lookup, not a scan


def test_history_of_a_record_still_reads_back_in_order():
    event = EventFactory()
    company = CompanyFactory()
    EventParticipant.objects.create(event=event, company=company, role="actor")
    event.summary = "changed"
    event.save()
    types = list(event.history.order_by("history_date", "history_id").values_list("history_type", "summary"))
    assert [t for t, _ in types] == ["+", "~"] and types[-1][1] == "changed"
    # Foreign keys keep their values in history even though they are not indexed there.
    row = EventParticipant.history.get(event_id=event.pk)
    assert (row.company_id, row.history_type) == (company.pk, "+")


def test_history_can_be_read_by_user(django_user_model):
    """The user who made a change is indexed (simple_history's own foreign key index)."""
    from intel.models import Article

    for model in _history_models():
        assert model._meta.get_field("history_user").db_index, model.__name__
    # A lookup by user still finds the user's changes, and only them.
    person = django_user_model.objects.create(username="analyst")
    event = EventFactory()
    event.summary = "edited by a person"
    event._history_user = person
    event.save()
    assert list(Event.history.filter(history_user=person).values_list("summary", flat=True)) == ["edited by a person"]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Article.history.model._meta.db_table)
    assert ["history_user_id"] in [spec["columns"] for spec in constraints.values() if spec["index"]]
