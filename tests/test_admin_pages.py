"""Every admin list, add and change page renders for staff and is refused to anonymous users."""

from __future__ import annotations

import pytest
from django.contrib import admin

from intel.health import record_heartbeat
from intel.models import (
    AlertDelivery,
    ApiToken,
    Article,
    ArticleTag,
    CompanyAlias,
    EntityIndexVersion,
    EventRule,
    Evidence,
    IngestJob,
    Market,
    PersonAlias,
    ProductAlias,
    Quote,
    RejectedProposal,
    RelationshipEvidence,
    Role,
)
from tests.factories import (
    AlertFactory,
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    FeedEntryFactory,
    MentionFactory,
    ParticipantFactory,
    PersonFactory,
    ProductFactory,
    RelationshipFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

# Written only by the system: no add page.
READ_ONLY = {
    "rejectedproposal",
    "heartbeat",
    "entityindexversion",
    "ingestjob",
    "feedentry",
    "alert",
    "alertdelivery",
}
INTEL_MODELS = [model for model in admin.site._registry if model._meta.app_label == "intel"]


@pytest.fixture
def one_of_each(staff_user):
    """At least one row of every registered model, so each change page has something to show."""
    article = ArticleFactory()
    company = CompanyFactory()
    person = PersonFactory()
    event = EventFactory()
    ParticipantFactory(event=event, company=company)
    event.markets.add(Market.objects.get(iso_code="US"))
    quote = Quote.objects.create(
        article=article, text="Hello", start=0, end=5, speaker=person, reported_via=SourceFactory()
    )
    Evidence.objects.create(event=event, article=article, start=0, end=5, text="Hello", quote=quote)
    rel = RelationshipFactory(subject=company)
    RelationshipEvidence.objects.create(relationship=rel, article=article, start=0, end=5, text="Hello")
    Role.objects.create(person=person, company=company, title="CEO")
    product = ProductFactory(maker=company)
    CompanyAlias.objects.create(company=company, text="Co")
    PersonAlias.objects.create(person=person, text="P.")
    ProductAlias.objects.create(product=product, text="Ph")
    MentionFactory(article=article, company=company)
    ArticleTag.objects.create(article=article, tag=TagFactory(), reason="rule")
    RejectedProposal.objects.create(
        model_label="intel.company", fingerprint="f" * 64, description="x", rejected_by=staff_user
    )
    record_heartbeat(name="worker", hostname="test")
    EventRule.objects.create(name="price war", event_type="pricing", match="price war")
    EntityIndexVersion.objects.get_or_create(pk=1)
    FeedEntryFactory(article=article)
    alert = AlertFactory(article=article, watchlist__owner=staff_user, watchlist__companies=[company])
    AlertDelivery.objects.create(alert=alert, channel="email")
    ApiToken.issue(user=staff_user, name="dashboard")
    IngestJob.objects.create(params={"text": "Hello"})


@pytest.mark.parametrize("model", INTEL_MODELS, ids=lambda m: m._meta.model_name)
def test_list_add_and_change_pages_render_for_staff(staff_client, one_of_each, model):
    base = f"/admin/intel/{model._meta.model_name}/"
    assert staff_client.get(base).status_code == 200
    assert staff_client.get(base, {"q": "a"}).status_code == 200
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None
    assert staff_client.get(f"{base}{obj.pk}/change/").status_code == 200
    add = staff_client.get(f"{base}add/")
    assert add.status_code == (403 if model._meta.model_name in READ_ONLY else 200)
    if hasattr(model, "history"):
        assert staff_client.get(f"{base}{obj.pk}/history/").status_code == 200


@pytest.mark.parametrize("model", INTEL_MODELS, ids=lambda m: m._meta.model_name)
def test_pages_are_refused_to_anonymous_users(client, model):
    response = client.get(f"/admin/intel/{model._meta.model_name}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_pages_are_refused_to_logged_in_non_staff(client, django_user_model):
    user = django_user_model.objects.create_user(username="reader", password="pw")
    client.force_login(user)
    assert client.get("/admin/intel/company/").status_code == 302


def test_article_page_highlights_mentions_and_escapes_the_text(staff_client):
    article = ArticleFactory(body="Xiaomi <script>alert(1)</script> enters the US.")
    company = CompanyFactory(name="Xiaomi")
    MentionFactory(article=article, company=company, start=0, end=6, text="Xiaomi")
    us = Market.objects.get(iso_code="US")
    MentionFactory(article=article, company=None, market=us, start=44, end=46, text="US")
    html = staff_client.get(f"/admin/intel/article/{article.pk}/change/").content.decode()
    assert f'<a href="/admin/workspace/companies/{company.pk}/"><mark class="ws-company' in html
    assert f'<a href="/admin/workspace/markets/{us.pk}/"><mark class="ws-market" title="market: United States">US' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_article_page_links_the_records_made_from_it(staff_client):
    article = ArticleFactory()
    event = EventFactory(summary="Xiaomi plans US entry")
    Evidence.objects.create(event=event, article=article, start=0, end=5, text="x")
    html = staff_client.get(f"/admin/intel/article/{article.pk}/change/").content.decode()
    assert f'<a href="/admin/intel/event/{event.pk}/change/">Xiaomi plans US entry</a>' in html


def test_duplicate_article_in_the_admin_is_a_form_error_and_stores_nothing(staff_client):
    ArticleFactory(url="https://news.example/x", body="Same text.")
    count = Article.objects.count()
    response = staff_client.post(
        "/admin/intel/article/add/",
        {
            "title": "Copy",
            "url": "https://NEWS.example/x?utm_source=feed",
            "body": "Same text.",
            "language": "en",
            "published_precision": "day",
            "retrieved_at_0": "2018-07-02",
            "retrieved_at_1": "10:00:00",
            "status": "stored",
            "article_tags-TOTAL_FORMS": "0",
            "article_tags-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "An article with this URL is already stored." in html
    assert "An article with exactly this text is already stored (article #" in html
    assert Article.objects.count() == count
