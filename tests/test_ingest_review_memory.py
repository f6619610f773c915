"""What a person rejected is not proposed again when the article (or another) is ingested."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.models import Article, ArticleTag, Company, Event, Mention, Quote, Role
from intel.review import reject_records
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


def test_rejected_proposals_are_not_made_again_on_reingest(staff_user):
    ingest_seed()
    reject_records(Company.objects.filter(name="OnePlus"), by=staff_user)
    reject_records(Event.objects.filter(type="pricing"), by=staff_user)
    reject_records(ArticleTag.objects.filter(tag__name="premium"), by=staff_user)
    reject_records(Quote.objects.all(), by=staff_user)
    reject_records(Mention.objects.filter(text="Apple"), by=staff_user)
    # The analyst deletes the article and its events; the same article comes in again.
    Article.objects.all().delete()
    Event.objects.all().delete()

    again = ingest_seed().as_json()

    assert "OnePlus" not in {p.get("name") for p in again["proposed_entities"]}
    assert Company.objects.filter(name="OnePlus").get().review_status == "rejected"
    assert not Event.objects.filter(type="pricing").exists()
    assert "segment:premium" not in {t["tag"] for t in again["tags"]}
    assert again["quotes"] == []
    assert not Mention.objects.filter(text="Apple").exists()
    assert Company.objects.filter(name="Apple").exists()  # only the mention was rejected


def test_a_rejected_company_is_not_proposed_by_another_article(staff_user):
    ingest_seed()
    reject_records(Company.objects.filter(name="ZTE"), by=staff_user)
    Company.objects.filter(name="ZTE").delete()
    result = ingest_seed(
        text="ZTE and Huawei face new US sanctions, the Commerce Department said.", published="2018-08"
    )
    assert "ZTE" not in {p.get("name") for p in result.as_json()["proposed_entities"]}
    assert not Company.objects.filter(name="ZTE").exists()


def test_a_rejected_role_is_not_proposed_again(staff_user):
    ingest_seed()
    role = Role.objects.select_related("person", "company").get()
    assert (role.person.name, role.company.name) == ("Wang Xiang", "Xiaomi")
    reject_records([role], by=staff_user)
    role.delete()
    Article.objects.all().delete()

    ingest_seed()

    assert not Role.objects.exists()


def test_a_batch_asks_once_whether_anything_was_ever_rejected(staff_user):
    # Nothing rejected yet: one question for every model, and no fingerprint sent.
    with CaptureQueriesContext(connection) as queries:
        ingest_seed()
    assert len([q for q in queries if "intel_rejectedproposal" in q["sql"]]) == 1

    # Once a company was rejected, the companies' fingerprints are checked too, and only theirs.
    reject_records(Company.objects.filter(name="ZTE"), by=staff_user)
    Company.objects.filter(name="ZTE").delete()
    Article.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        ingest_seed()
    asked = [q["sql"] for q in queries if "intel_rejectedproposal" in q["sql"]]
    assert len(asked) == 2
    assert "fingerprint" in asked[1]
    assert not Company.objects.filter(name="ZTE").exists()
