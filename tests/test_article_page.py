"""An article to read in the admin: mentions coloured by kind with a legend, proposed
and confirmed told apart, evidence as quoted sentences with outlet and date."""

from __future__ import annotations

import pytest
from django.urls import reverse

from intel.models import Company, Mention
from intel.review import confirm_records
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


def test_mentions_are_marked_by_kind_and_proposals_told_apart(staff_client, staff_user):
    article = ingest_seed().article
    xiaomi = Company.objects.get(name="Xiaomi")
    confirm_records(Company.objects.filter(pk=xiaomi.pk), by=staff_user)
    html = staff_client.get(reverse("admin:workspace_article", args=[article.pk])).content.decode()
    profile = reverse("admin:workspace_company", args=[xiaomi.pk])
    assert f'<a href="{profile}"><mark class="ws-company" title="company: Xiaomi">Xiaomi</mark></a>' in html
    assert 'class="ws-market' in html and "Mentions:" in html  # the legend
    assert "ws-proposal" in html  # the records ingestion proposed and nobody confirmed
    assert reverse("admin:workspace_company", args=[xiaomi.pk]) in html
    companies = Mention.objects.filter(article=article, company__isnull=False).count()
    assert f"company</mark> {companies}" in html


def test_evidence_is_the_quoted_sentence_not_offsets(staff_client):
    article = ingest_seed().article
    page = staff_client.get(reverse("admin:workspace_article", args=[article.pk]))
    evidence = page.context["reading"].evidence
    assert evidence
    html = page.content.decode()
    assert f"<q>{evidence[0].text[:40]}" in html
    assert "start" not in page.context["reading"].body


def test_hostile_text_is_escaped(staff_client):
    from intel.ingest.pipeline import ingest_article

    article = ingest_article(
        text="Brightwater <script>alert(1)</script> said on Monday it would enter India next year.",
        published="2021-03-08",
    ).article
    html = staff_client.get(reverse("admin:workspace_article", args=[article.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_an_unknown_article_is_a_404(staff_client):
    assert staff_client.get(reverse("admin:workspace_article", args=[999999])).status_code == 404
