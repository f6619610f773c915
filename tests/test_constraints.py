"""Every constraint of the model refuses bad data with a clear message and leaves nothing half-written."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from intel.models import Article, Company, CompanyAlias, Market, Mention, Relationship, Source
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    CountryFactory,
    EventFactory,
    PersonFactory,
    RelationshipFactory,
    SourceFactory,
)

pytestmark = pytest.mark.django_db


def validation_messages(obj) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.messages


def test_duplicate_url_is_refused_with_a_clear_message_even_when_spelled_differently():
    ArticleFactory(url="https://News.Example/story?id=1&utm_source=x#top", body="First text.")
    twin = Article(url="https://news.example/story?id=1", body="Other text.", title="t")
    assert "An article with this URL is already stored." in validation_messages(twin)


def test_duplicate_content_hash_is_refused_with_a_clear_message():
    ArticleFactory(body="Xiaomi plans  to enter\nthe US.")
    twin = Article(body="Xiaomi plans to enter the US.", title="rewrapped copy")
    assert "An article with exactly this text is already stored." in validation_messages(twin)


def test_a_failed_write_leaves_nothing_half_written():
    ArticleFactory(url="https://news.example/a", body="Original.")
    articles_before, sources_before = Article.objects.count(), Source.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        source = Source.objects.create(name="New outlet", domain="new.example")
        Article.objects.create(url="https://news.example/a?utm_medium=rss", body="Different.", source=source)
    assert Article.objects.count() == articles_before
    assert Source.objects.count() == sources_before


def test_url_is_stored_normalised():
    article = ArticleFactory(url="HTTPS://News.Example:443/p?b=2&a=1&fbclid=zz#frag")
    assert article.url == "https://news.example/p?a=1&b=2"


def test_empty_body_is_refused():
    assert "An article needs text." in validation_messages(Article(title="x", body="   "))


def test_future_publication_date_is_refused():
    article = Article(title="x", body="text", published_on=timezone.localdate() + timedelta(days=30))
    assert "The publication date is in the future." in validation_messages(article)


def test_mention_needs_exactly_one_target():
    article = ArticleFactory()
    none = Mention(article=article, start=0, end=3, text="abc")
    assert "A mention refers to exactly one company, market, person or product." in validation_messages(none)
    two = Mention(article=article, start=0, end=3, text="abc", company=CompanyFactory(), person=PersonFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        two.save()


def test_span_must_not_be_empty_or_reversed():
    mention = Mention(article=ArticleFactory(), company=CompanyFactory(), start=5, end=5, text="x")
    assert "A span must end after it starts." in validation_messages(mention)


def test_confidence_must_be_between_0_and_1():
    company = Company(name="Overconfident", confidence=1.5)
    assert any(
        "Confidence must be between 0 and 1." in m or "less than or equal to 1" in m
        for m in validation_messages(company)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.create(name="Overconfident", confidence=1.5)


def test_company_alias_is_unique_per_company_ignoring_case():
    company = CompanyFactory()
    CompanyAlias.objects.create(company=company, text="Mi")
    assert "This record already has that alias." in validation_messages(CompanyAlias(company=company, text="MI"))
    CompanyAlias(company=CompanyFactory(), text="Mi").full_clean()  # another company may share it


def test_wikidata_id_is_unique_and_well_formed():
    CompanyFactory(wikidata_id="Q1636958")
    assert "Another company already has this Wikidata id." in validation_messages(
        Company(name="x", wikidata_id="Q1636958")
    )
    assert "A Wikidata id looks like Q42." in validation_messages(Company(name="y", wikidata_id="1636958"))


def test_relationship_with_itself_is_refused():
    company = CompanyFactory()
    rel = Relationship(subject=company, object=company, kind="competitor")
    assert "A company cannot have a relationship with itself." in validation_messages(rel)


def test_only_one_open_relationship_per_pair_and_kind():
    rel = RelationshipFactory()
    twin = Relationship(subject=rel.subject, object=rel.object, kind=rel.kind)
    assert "These companies already have an open relationship of this kind." in validation_messages(twin)
    closed = Relationship(subject=rel.subject, object=rel.object, kind=rel.kind, valid_to=date(2017, 1, 1))
    closed.full_clean()


def test_event_time_cannot_end_before_it_starts():
    event = EventFactory.build(time_start=date(2019, 12, 31), time_end=date(2019, 1, 1))
    assert "An event's time range cannot end before it starts." in validation_messages(event)


def test_segment_needs_a_base_market_and_a_narrowing():
    segment = Market(name="Budget phones somewhere", kind="segment")
    assert "A segment needs a base market and a category or price tier." in validation_messages(segment)
    country = CountryFactory()
    ok = Market(
        name="Budget smartphones in Testland", kind="segment", base=country, category="smartphones", price_tier="budget"
    )
    ok.full_clean()
    ok.save()
    twin = Market(name="Again", kind="segment", base=country, category="smartphones", price_tier="budget")
    assert "That segment of that market already exists." in validation_messages(twin)


def test_country_cannot_narrow():
    country = Market(name="Nowhere", kind="country", category="smartphones")
    assert "Only a segment has a base market, category or price tier." in validation_messages(country)


def test_source_domain_is_normalised_and_unique():
    SourceFactory(name="Reuters", domain="reuters.com")
    assert "Another source already has this domain." in validation_messages(Source(name="R2", domain="WWW.Reuters.com"))


def test_company_cannot_be_its_own_parent():
    company = CompanyFactory()
    company.parent = company
    with pytest.raises(IntegrityError), transaction.atomic():
        company.save()


def test_credibility_grows_with_independent_sources_only():
    from intel.models import Evidence

    event = EventFactory()
    reuters = SourceFactory(reliability="A")
    first = ArticleFactory(source=reuters)
    Evidence.objects.create(event=event, article=first, start=0, end=5, text="x")
    one = event.credibility()
    # A second article from the same outlet is not an independent source.
    Evidence.objects.create(event=event, article=ArticleFactory(source=reuters), start=0, end=5, text="x")
    assert event.independent_sources() == 1 and event.credibility() == one
    Evidence.objects.create(
        event=event, article=ArticleFactory(source=SourceFactory(reliability="C")), start=0, end=5, text="y"
    )
    assert event.independent_sources() == 2 and event.credibility() > one
