"""Readers read; analysts write and review; only staff merge and delete."""

from __future__ import annotations

import pytest

from intel.models import Company
from tests.factories import CompanyFactory, ProposedCompanyFactory

pytestmark = pytest.mark.django_db


def test_a_reader_reads_but_cannot_write(reader_api):
    company = CompanyFactory()
    assert reader_api.get(f"/api/v1/companies/{company.pk}/").status_code == 200
    response = reader_api.post("/api/v1/companies/", {"name": "Oppo"}, format="json")
    assert response.status_code == 403
    assert "permission" in response.json()["message"]
    assert reader_api.patch(f"/api/v1/companies/{company.pk}/", {"ticker": "X"}, format="json").status_code == 403
    assert not Company.objects.filter(name="Oppo").exists()


def test_a_reader_cannot_review(reader_api):
    company = ProposedCompanyFactory()
    response = reader_api.post(
        "/api/v1/review/", {"model": "company", "ids": [company.pk], "verdict": "confirm"}, format="json"
    )
    assert response.status_code == 403
    company.refresh_from_db()
    assert company.review_status == "proposed"


def test_an_analyst_writes_and_reviews(analyst_api):
    response = analyst_api.post("/api/v1/companies/", {"name": "Oppo"}, format="json")
    assert response.status_code == 201
    proposed = ProposedCompanyFactory()
    response = analyst_api.post(
        "/api/v1/review/", {"model": "company", "ids": [proposed.pk], "verdict": "confirm"}, format="json"
    )
    assert response.status_code == 200 and response.json()["updated"] == 1


def test_an_analyst_cannot_delete_or_merge(analyst_api):
    keep, drop = CompanyFactory(), CompanyFactory()
    assert analyst_api.delete(f"/api/v1/companies/{drop.pk}/").status_code == 403
    response = analyst_api.post(f"/api/v1/companies/{keep.pk}/merge/", {"drop": drop.pk}, format="json")
    assert response.status_code == 403
    assert Company.objects.filter(pk=drop.pk).exists()


def test_staff_delete_and_merge(staff_api):
    keep, drop, gone = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Xiaomi Corp"), CompanyFactory()
    assert staff_api.delete(f"/api/v1/companies/{gone.pk}/").status_code == 204
    response = staff_api.post(f"/api/v1/companies/{keep.pk}/merge/", {"drop": drop.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["kept"] == keep.pk
    assert not Company.objects.filter(pk__in=[drop.pk, gone.pk]).exists()
    assert keep.aliases.filter(text="Xiaomi Corp").exists()


def test_a_user_without_any_role_reads_nothing(db, django_user_model):
    from tests.conftest import _api_client_for

    nobody = _api_client_for(django_user_model.objects.create_user(username="nobody"))
    assert nobody.get("/api/v1/companies/").status_code == 403
