"""Every article is stored with its language; records are extracted from English articles only.

Extraction's sentence rules, names and event triggers are English: a German
article would give capitalised nouns as companies and nothing true. So an article
in another language is stored (``Article.language``) and nothing more; a short
text is never called non-English, since guesses on a line or two are unreliable.
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from intel.ingest import normalise
from intel.ingest.context import IngestInput
from intel.ingest.normalise import LANGUAGE_MIN_CHARS, detect_language
from intel.ingest.pipeline import ingest_article, ingest_articles
from intel.models import Article, ArticleTag, Company, Event, Mention, Person, Product, Quote
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

GERMAN = (
    "Xiaomi will im nächsten Jahr in den deutschen Markt eintreten, teilte der chinesische Smartphone-Hersteller "
    "am Dienstag mit. Das Unternehmen verhandelt nach eigenen Angaben bereits mit der Deutschen Telekom und mit "
    "Vodafone über den Verkauf seiner günstigen Geräte. Analysten der Commerzbank rechnen damit, dass die Preise "
    "für Mittelklasse-Telefone deutlich sinken werden. „Wir wollen in Europa wachsen“, sagte Vizepräsident "
    "Wang Xiang. Samsung und Apple wollten sich zu den Plänen nicht äußern."
)
FRENCH = (
    "Xiaomi va entrer sur le marché français l'année prochaine, a annoncé mardi le fabricant chinois de "
    "smartphones. L'entreprise discute déjà avec Orange et Bouygues Telecom de la vente de ses téléphones à bas "
    "prix. Selon les analystes de la Société Générale, cette arrivée devrait faire baisser les prix des appareils "
    "d'entrée de gamme. « Nous voulons grandir en Europe », a déclaré le vice-président Wang Xiang. Samsung et "
    "Apple n'ont pas souhaité commenter."
)
ENGLISH = (
    "Xiaomi plans to enter the German market next year, the Chinese smartphone maker said on Tuesday. "
    "The company is in talks with Deutsche Telekom and Vodafone about selling its budget phones. "
    "Analysts at Commerzbank expect prices of mid-range handsets to fall."
)
# Short English business sentences, as tests and headlines have them. The classifier
# alone calls some of them other languages (the Transsion one Nigerian Pidgin, 0.77).
SHORT_ENGLISH = [
    "Acme Corp will enter India next year.",
    "Xiaomi enters the Indian market.",
    "Huawei partners with Leica.",
    "Transsion grew fast. Analysts say Transsion now leads in Nigeria.",
    "Siemens AG and Bosch GmbH signed a deal. Renault SA exits Russia.",
    "Jumia shares fell in Lagos. Konga and Jumia now fight for buyers in Abuja and Kano.",
]


@pytest.fixture
def xiaomi():
    """A known company: its name is found in any text by the gazetteer (stage 4), whatever the language."""
    return CompanyFactory(name="Xiaomi")


def _nothing_extracted() -> None:
    assert Mention.objects.count() == 0
    assert Event.objects.count() == 0
    assert Quote.objects.count() == 0
    assert ArticleTag.objects.count() == 0
    assert list(Company.objects.values_list("name", flat=True)) == ["Xiaomi"]  # only the known one
    assert Person.objects.count() == 0 and Product.objects.count() == 0


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (FRENCH, "fr")], ids=["german", "french"])
def test_an_article_in_another_language_is_stored_with_it_and_nothing_is_extracted(xiaomi, text, language):
    result = ingest_article(text=text, published="2018-07", source="Handelsblatt")

    assert result.new is True
    assert Article.objects.get().language == language == result.article.language
    assert result.proposed == [] and result.events == [] and result.mentions == []
    assert result.quotes == [] and result.tags == []
    _nothing_extracted()
    assert f"in language '{language}': only English articles are extracted from" in result.summary()
    assert result.as_json()["article"]["language"] == language


def test_the_same_text_taken_for_english_would_give_records(xiaomi, monkeypatch):
    # What the skip saves: the known name is found, and German nouns become "companies".
    monkeypatch.setattr(normalise, "detect_language", lambda text: "en")
    result = ingest_article(text=GERMAN, published="2018-07")
    assert result.mentions and result.proposed


def test_an_english_article_is_english_and_extracted(xiaomi):
    result = ingest_article(text=ENGLISH, published="2018-07", source="TechWire")

    assert result.article.language == "en" == Article.objects.get().language
    companies = {record.name for kind, record in result.proposed if kind == "company"}
    assert {"Deutsche Telekom", "Vodafone"} <= companies
    entry = next(event for event, new in result.events if event.type == "market_entry")
    assert entry.summary == "Xiaomi: market entry – Germany (planned, 2019)"
    assert Mention.objects.filter(company=xiaomi).exists()


def test_in_one_batch_only_the_english_article_is_extracted_from(xiaomi):
    german, english = ingest_articles([IngestInput(text=GERMAN, source="Spiegel"), IngestInput(text=ENGLISH)])

    assert (german.article.language, english.article.language) == ("de", "en")
    assert german.proposed == [] and german.events == [] and german.mentions == []
    assert english.events and english.mentions
    assert not Mention.objects.filter(article=german.article).exists()


def test_the_same_foreign_article_again_is_already_stored_with_its_language(xiaomi):
    first = ingest_article(text=GERMAN)
    again = ingest_article(text=GERMAN, title="another title")

    assert again.new is False and again.article.pk == first.article.pk
    assert again.as_json()["article"]["language"] == "de"
    _nothing_extracted()


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english_text_stays_english(text):
    assert detect_language(text) == "en"


def test_a_short_english_sentence_is_stored_as_english_and_extracted(xiaomi):
    result = ingest_article(text="Xiaomi will enter India next year.", published="2018-07")

    assert result.article.language == "en"
    assert any(event.type == "market_entry" for event, _ in result.events)


def test_a_foreign_text_too_short_to_judge_counts_as_english():
    # One German sentence scores 0.99 for German; but on so few characters English
    # sentences score as high for other languages, so no short text is called foreign.
    sentence = "Die Siemens AG will im nächsten Jahr in Indien expandieren."
    assert len(sentence) < LANGUAGE_MIN_CHARS
    assert detect_language(sentence) == "en"
    assert detect_language(GERMAN) == "de" and detect_language(FRENCH) == "fr"


def test_text_without_a_clear_language_counts_as_english():
    figures = "Q1 2018: 12.4 / 13.1 / 9.8 — Q2 2018: 14.0 / 12.2 / 10.3 — Q3 2018: 15.5 / 11.9 / 10.1. " * 3
    assert len(figures) >= LANGUAGE_MIN_CHARS
    assert detect_language(figures) == "en"


def test_the_classifier_is_loaded_once_per_process():
    assert normalise._language_identifier() is normalise._language_identifier()


def test_the_cli_json_and_the_api_report_the_language(tmp_path, analyst_api):
    path = tmp_path / "artikel.txt"
    path.write_text(GERMAN, encoding="utf-8")
    out = io.StringIO()
    call_command("ingest", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["article"]["language"] == "de" and data["article"]["new"] is True
    assert data["proposed_entities"] == [] and data["events"] == [] and data["mentions"] == []

    response = analyst_api.post("/api/v1/ingest/", {"text": FRENCH}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["article"]["language"] == "fr"
    assert body["proposed_entities"] == [] and body["events"] == []
    assert analyst_api.get(f"/api/v1/articles/{body['article']['id']}/").json()["language"] == "fr"
