"""The ingest path's bulk writes store what bulk_create stores, history rows included."""

from __future__ import annotations

import pytest

from intel.ingest.bulk import copy_values, create_instances, many_ids, record_history
from intel.models import Company, Quote, Source
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
    record_history(Company, [c.pk for c in companies])
    rows = Company.history.values_list("id", "name", "history_type", "history_change_reason")
    assert sorted(rows) == sorted((c.pk, c.name, "+", "bulk create") for c in companies)


def test_copy_values_gives_unset_fields_their_defaults_and_keeps_history():
    source = Source.objects.create(name="Reuters")
    article = create_instances_article()
    fields = ("article", "text", "start", "end", "reported_via", "review_status", "method", "confidence")
    [pk] = copy_values(Quote, fields, [(article.pk, "We hope so", 0, 10, source.pk, "proposed", "rule", 0.8)])
    quote = Quote.objects.get(pk=pk)
    assert (quote.text, quote.speaker_id, quote.speaker_name, quote.method_detail) == ("We hope so", None, "", "")
    assert quote.reported_via == source and quote.confidence == 0.8
    assert Quote.history.filter(id=pk, history_type="+").count() == 1


def create_instances_article():
    from intel.models import Article, content_hash_of

    article = Article(body="We hope so, he said.", content_hash=content_hash_of("We hope so, he said."))
    create_instances([article])
    assert article.pk is not None and not article._state.adding
    stored = Article.objects.get(pk=article.pk)
    assert (stored.language, stored.status, stored.body) == ("en", "stored", "We hope so, he said.")
    assert stored.created_at is not None and Article.history.filter(id=article.pk).count() == 1
    return article
