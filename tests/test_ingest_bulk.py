"""The ingest path's bulk writes (binary COPY on PostgreSQL) store what bulk_create stores, history rows included."""

from __future__ import annotations

import pytest
from django.db import connection

from intel.ingest.bulk import copy_values
from intel.models import Company, Quote, Source
from intel.models.base import record_bulk_history
from intel.sql_arrays import many_ids
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_many_ids_select_what_an_in_list_selects():
    companies = [CompanyFactory() for _ in range(60)]
    wanted = {c.pk for c in companies[::2]} | {10**9}
    found = set(Company.objects.filter(pk__in=many_ids(wanted, Company)).values_list("pk", flat=True))
    assert found == set(Company.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    assert len(found) == 30


def test_record_history_writes_one_creation_row_per_record():
    companies = [CompanyFactory() for _ in range(3)]
    Company.history.all().delete()
    record_bulk_history(Company, [c.pk for c in companies], history_type="+", reason="bulk create")
    rows = Company.history.values_list("id", "name", "history_type", "history_change_reason")
    assert sorted(rows) == sorted((c.pk, c.name, "+", "bulk create") for c in companies)


def test_copy_values_gives_unset_fields_their_defaults_and_keeps_history():
    source = Source.objects.create(name="Reuters")
    article = stored_article()
    fields = ("article", "text", "start", "end", "reported_via", "review_status", "method", "confidence")
    [pk] = copy_values(Quote, fields, [(article.pk, "We hope so", 0, 10, source.pk, "proposed", "rule", 0.8)])
    quote = Quote.objects.get(pk=pk)
    assert (quote.text, quote.speaker_id, quote.speaker_name, quote.method_detail) == ("We hope so", None, "", "")
    assert quote.reported_via == source and quote.confidence == 0.8
    assert Quote.history.filter(id=pk, history_type="+").count() == 1


def stored_article():
    from intel.models import Article, content_hash_of

    article = Article(body="We hope so, he said.", content_hash=content_hash_of("We hope so, he said."))
    Article.objects.bulk_create([article])
    assert article.pk is not None and not article._state.adding
    stored = Article.objects.get(pk=article.pk)
    assert (stored.language, stored.status, stored.body) == ("en", "stored", "We hope so, he said.")
    assert stored.created_at is not None and Article.history.filter(id=article.pk).count() == 1
    return article


def copied(obj) -> None:
    """``obj`` stored by ``copy_values``, every field given as the ORM prepares it for saving."""
    fields = [f for f in type(obj)._meta.concrete_fields if not f.primary_key and not f.generated]
    row = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    [obj.pk] = copy_values(type(obj), [f.attname for f in fields], [row])


def test_copy_stores_every_kind_of_value_as_bulk_create_does(django_user_model):
    """Binary COPY on PostgreSQL: each column's type packs its value (text, integers,
    floats, dates and times, bytes, JSON, UUIDs, NULLs) as the ORM would store it."""
    import datetime
    import uuid

    from intel.models import Article, Event, FeedEntry, Watchlist, content_hash_of
    from tests.factories import FeedFactory

    when = datetime.datetime(2018, 7, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC)
    owner = django_user_model.objects.create(username="owner")
    feed = FeedFactory()

    def made(index: int) -> list:
        body = f"Körper {index}: “quoted”, tab\there, back\\slash, newline\nend."
        return [
            Article(body=body, content_hash=content_hash_of(body), title="Ünïcode", minhash=bytes(range(256)),
                    published_on=datetime.date(2018, 7, 1), retrieved_at=when),
            Event(type="market_entry", summary="Xiaomi: market entry", time_start=datetime.date(2019, 1, 1),
                  time_end=None, confidence=0.85, time_phrase="next year"),
            Watchlist(name=f"List {index}", owner=owner, event_types=["market_entry", "pricing"], min_relevance=0.25),
            FeedEntry(feed=feed, guid=f"g{index}", guid_hash=f"{index:064d}", lease_token=uuid.UUID(int=index + 1),
                      published_at=when, found_at=when, attempts=3),
        ]  # fmt: skip

    def stored(obj) -> dict:
        skip = {"id", "created_at", "updated_at", "content_hash", "guid", "guid_hash", "name", "body", "lease_token"}
        row = type(obj).objects.filter(pk=obj.pk).values().get()
        return {key: value for key, value in row.items() if key not in skip}

    by_orm, by_copy = made(1), made(2)
    for orm_obj, copy_obj in zip(by_orm, by_copy, strict=True):
        type(orm_obj).objects.bulk_create([orm_obj])
        copied(copy_obj)
        assert stored(copy_obj) == stored(orm_obj), type(copy_obj).__name__
    article = Article.objects.get(pk=by_copy[0].pk)
    assert article.body == by_copy[0].body and bytes(article.minhash) == bytes(range(256))
    assert FeedEntry.objects.get(pk=by_copy[3].pk).lease_token == uuid.UUID(int=3)
