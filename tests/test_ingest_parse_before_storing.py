"""The trained pipeline parses a batch before the ingest's transaction opens, so the
write lock (SQLite) and an open transaction (PostgreSQL: the changes feed waits for
it) are held only while records are stored, not while the model reads."""

from __future__ import annotations

import pytest
from django.db import connection

from intel.ingest import parse
from intel.ingest.context import IngestInput
from intel.ingest.pipeline import ingest_articles
from intel.models import Article, Mention
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db(transaction=True)

GERMAN = (
    "Der chinesische Smartphone-Hersteller will im kommenden Jahr in den Vereinigten Staaten mit dem Verkauf "
    "seiner Geräte beginnen, sagte ein Vorstand der Nachrichtenagentur. Die Gespräche mit den Netzbetreibern "
    "seien weit fortgeschritten, und die ersten Geschäfte sollen noch vor dem Sommer eröffnet werden."
)
TEXT = "Xiaomi will enter the United States next year, its senior vice president Wang Xiang told Reuters."


def test_the_model_reads_every_english_article_outside_any_transaction(monkeypatch):
    seen: list[tuple[int, bool]] = []
    real_model = parse.model

    class Watched:
        max_length = real_model().max_length

        def pipe(self, texts):
            for doc in real_model().pipe(texts):
                seen.append((len(doc.text), connection.in_atomic_block))
                yield doc

    CompanyFactory(name="Xiaomi")
    monkeypatch.setattr(parse, "model", Watched)
    items = [IngestInput(text=TEXT), IngestInput(text=GERMAN)]

    results = ingest_articles(items)

    assert seen == [(len(TEXT), False)]  # the English article only, and no transaction open
    assert Article.objects.count() == 2
    assert results[1].article.language == "de"
    # What the parse found was stored: the known company's mention, the person it proposed.
    assert {m.text for m in results[0].mentions} >= {"Xiaomi", "Wang Xiang"}
    assert Mention.objects.filter(article=results[0].article).exists()
