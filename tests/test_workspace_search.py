"""The header's search finds companies, markets, people, products, articles and events
at once, on SQLite and PostgreSQL; bad input is a message, never an error."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.models import Company
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


def _search(client, q: str):
    return client.get(reverse("admin:workspace_search"), {"q": q})


def test_a_company_name_finds_the_company_its_events_and_articles(staff_client):
    ingest_seed()
    page = _search(staff_client, "Xiaomi")
    assert page.status_code == 200
    results = page.context["results"]
    xiaomi = Company.objects.get(name="Xiaomi")
    assert results.names["companies"][0] == xiaomi  # the exact name first
    assert results.articles and results.events
    assert reverse("admin:workspace_company", args=[xiaomi.pk]) in page.content.decode()


def test_a_market_is_found_by_its_alias(staff_client):
    page = _search(staff_client, "India")
    markets = page.context["results"].names["markets"]
    assert markets and markets[0].name == "India"
    assert reverse("admin:workspace_market", args=[markets[0].pk]) in page.content.decode()


@pytest.mark.parametrize("q", ["", "   ", "zzzz-nothing-like-it", "<script>alert(1)</script>", "x" * 5000, "%_\\'\""])
def test_odd_queries_answer_a_page_and_escape_what_they_echo(staff_client, q):
    page = _search(staff_client, q)
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()
    if len(q) > 200:
        assert "cut to its first 200 characters" in page.content.decode()


def test_the_header_has_the_search_box_on_every_admin_page(staff_client):
    for url in (reverse("admin:index"), reverse("admin:intel_company_changelist")):
        assert 'id="workspace-q"' in staff_client.get(url).content.decode()


def test_anonymous_users_are_sent_to_the_login(client):
    response = _search(client, "Xiaomi")
    assert response.status_code == 302 and "/login/" in response["Location"]
