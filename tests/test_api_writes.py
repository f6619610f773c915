"""Writes through the API are checked as the admin checks them, and server-set fields stay the server's."""

from __future__ import annotations

from datetime import date

import pytest

from intel.models import Article, Company, Event, Market, Relationship, Tag, TagRule
from tests.factories import ArticleFactory, CompanyFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_a_company_is_created_with_aliases_and_they_can_be_replaced(analyst_api):
    response = analyst_api.post(
        "/api/v1/companies/",
        {
            "name": "Xiaomi",
            "ticker": "HKEX:1810",
            "aliases": [{"text": "Xiaomi Corp"}, {"text": "MI", "case_sensitive": True}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    company = Company.objects.get(name="Xiaomi")
    assert sorted(company.aliases.values_list("text", flat=True)) == ["MI", "Xiaomi Corp"]
    assert company.slug == "xiaomi" and company.review_status == "confirmed" and company.method == "manual"

    response = analyst_api.patch(
        f"/api/v1/companies/{company.pk}/", {"aliases": [{"text": "Xiaomi Inc"}]}, format="json"
    )
    assert response.status_code == 200
    assert list(company.aliases.values_list("text", flat=True)) == ["Xiaomi Inc"]


def test_server_set_fields_cannot_be_written(analyst_api):
    response = analyst_api.post(
        "/api/v1/companies/",
        {
            "name": "Oppo",
            "review_status": "rejected",
            "confidence": 0.1,
            "reviewed_at": "2020-01-01T00:00:00Z",
            "slug": "evil",
        },
        format="json",
    )
    assert response.status_code == 201
    company = Company.objects.get(name="Oppo")
    assert (company.review_status, company.confidence, company.reviewed_at, company.slug) == (
        "confirmed",
        1.0,
        None,
        "oppo",
    )

    article = ArticleFactory()
    before = article.content_hash
    response = analyst_api.patch(
        f"/api/v1/articles/{article.pk}/",
        {"content_hash": "0" * 64, "title": "Better title", "status": "failed"},
        format="json",
    )
    assert response.status_code == 200
    article.refresh_from_db()
    assert (article.content_hash, article.title, article.status) == (before, "Better title", "stored")


def test_articles_are_not_created_by_post_but_through_ingest(analyst_api):
    response = analyst_api.post("/api/v1/articles/", {"title": "x"}, format="json")
    assert response.status_code == 405
    assert not Article.objects.exists()


def test_an_invalid_event_is_refused_with_the_constraints_message_and_nothing_is_stored(analyst_api):
    company = CompanyFactory()
    response = analyst_api.post(
        "/api/v1/events/",
        {
            "type": "market_entry",
            "summary": "Backwards",
            "time_start": "2019-12-31",
            "time_end": "2019-01-01",
            "participants": [{"company": company.pk, "role": "actor"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.json()["message"]
    assert not Event.objects.exists()


def test_an_event_is_created_with_participants_and_markets(analyst_api):
    company, market = CompanyFactory(name="Xiaomi"), Market.objects.get(iso_code="US")
    response = analyst_api.post(
        "/api/v1/events/",
        {
            "type": "market_entry",
            "status": "planned",
            "summary": "Xiaomi plans US entry",
            "time_start": "2019-01-01",
            "time_end": "2019-12-31",
            "participants": [{"company": company.pk, "role": "actor"}],
            "markets": [market.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    event = Event.objects.get()
    assert event.time_start == date(2019, 1, 1)
    assert [(p.company_id, p.role) for p in event.participants.all()] == [(company.pk, "actor")]
    assert response.json()["market_names"] == ["United States"]


def test_a_participant_that_does_not_exist_is_refused(analyst_api):
    response = analyst_api.post(
        "/api/v1/events/",
        {"type": "pricing", "summary": "x", "participants": [{"company": 424242, "role": "actor"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "participants" in response.json()["errors"]
    assert not Event.objects.exists()


def test_a_relationship_with_itself_and_a_duplicate_open_one_are_refused(analyst_api):
    a, b = CompanyFactory(), CompanyFactory()
    response = analyst_api.post(
        "/api/v1/relationships/", {"subject": a.pk, "object": a.pk, "kind": "partner"}, format="json"
    )
    assert response.status_code == 400
    assert "cannot have a relationship with itself" in response.json()["message"]
    assert (
        analyst_api.post(
            "/api/v1/relationships/", {"subject": a.pk, "object": b.pk, "kind": "partner"}, format="json"
        ).status_code
        == 201
    )
    response = analyst_api.post(
        "/api/v1/relationships/", {"subject": a.pk, "object": b.pk, "kind": "partner"}, format="json"
    )
    assert response.status_code == 400
    assert "already have an open relationship" in response.json()["message"]
    assert Relationship.objects.count() == 1


def test_a_duplicate_tag_is_a_400_not_a_500(analyst_api):
    TagFactory(namespace="channel", name="kiosk")
    response = analyst_api.post("/api/v1/tags/", {"namespace": "channel", "name": "kiosk"}, format="json")
    assert response.status_code == 400
    assert Tag.objects.filter(name="kiosk").count() == 1


def test_a_rule_with_a_broken_regex_is_refused(analyst_api):
    tag = TagFactory()
    response = analyst_api.post(
        "/api/v1/tag-rules/",
        {"name": "broken", "algorithm": "regex", "match": "(unclosed", "tag": tag.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "not a valid regular expression" in response.json()["message"]
    assert not TagRule.objects.filter(name="broken").exists()


def test_oversized_fields_are_refused(analyst_api):
    response = analyst_api.post("/api/v1/companies/", {"name": "x" * 201}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["errors"]
