"""A proposal's support: how many articles, and from how many publishers, name it; the
admin's lists show it and sort by it."""

from __future__ import annotations

import pytest

from intel.ingest.pipeline import ingest_article
from intel.models import Company
from intel.review import with_support

pytestmark = pytest.mark.django_db


def _support(name: str) -> tuple[int, int]:
    company = with_support(Company.objects.filter(name=name)).get()
    return company.support_articles, company.support_sources


def test_support_counts_articles_and_their_publishers():
    ingest_article(text="Brightwater Corp will buy Lumenfield Ltd, a rival solar panel maker.", source="Wire One")
    ingest_article(text="Shares of Brightwater Corp rose after it agreed to buy a rival.", source="Wire Two")
    ingest_article(text="Brightwater Corp cut the prices of its solar panels again.", source="Wire Two")
    assert _support("Brightwater") == (3, 2)
    assert _support("Lumenfield") == (1, 1)


def test_the_admin_lists_proposals_by_support(admin_client):
    ingest_article(text="Brightwater Corp will buy Lumenfield Ltd, a rival solar panel maker.", source="Wire One")
    ingest_article(text="Shares of Brightwater Corp rose after it agreed to buy a rival.", source="Wire Two")
    response = admin_client.get("/admin/intel/company/", {"o": "6"})  # the support column (after the checkbox)
    assert response.status_code == 200
    names = [c.name for c in response.context["cl"].result_list]
    assert names.index("Brightwater") < names.index("Lumenfield")
    assert "2 / 2" in response.content.decode()
