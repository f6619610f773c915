"""POST /api/v1/review/ confirms or rejects proposed records; a rejection is not proposed again."""

from __future__ import annotations

import pytest

from intel.models import Company, RejectedProposal
from tests.factories import ProposedCompanyFactory
from tests.seed import SEED_TEXT, ingest_seed

pytestmark = pytest.mark.django_db


def test_many_records_are_confirmed_at_once_by_the_analyst(analyst_api, analyst):
    companies = [ProposedCompanyFactory() for _ in range(3)]
    response = analyst_api.post(
        "/api/v1/review/", {"model": "company", "ids": [c.pk for c in companies], "verdict": "confirm"}, format="json"
    )
    assert response.json() == {"model": "company", "verdict": "confirm", "updated": 3}
    assert set(Company.objects.values_list("review_status", "reviewed_by")) == {("confirmed", analyst.pk)}


def test_a_rejected_proposal_is_not_proposed_again_on_reingest(analyst_api):
    result = ingest_seed()
    oneplus = next(r for kind, r in result.proposed if kind == "company" and r.name == "OnePlus")
    response = analyst_api.post(
        "/api/v1/review/", {"model": "company", "ids": [oneplus.pk], "verdict": "reject"}, format="json"
    )
    assert response.status_code == 200
    assert RejectedProposal.objects.filter(model_label="intel.company").count() == 1
    Company.objects.filter(pk=oneplus.pk).delete()
    again = ingest_seed(text=SEED_TEXT + "\nOnePlus declined to comment.")
    assert "OnePlus" not in {r.name for kind, r in again.proposed if kind == "company"}


def test_unknown_ids_are_a_400_and_nothing_changes(analyst_api):
    company = ProposedCompanyFactory()
    response = analyst_api.post(
        "/api/v1/review/", {"model": "company", "ids": [company.pk, 999999], "verdict": "confirm"}, format="json"
    )
    assert response.status_code == 400
    assert "999999" in response.json()["message"]
    company.refresh_from_db()
    assert company.review_status == "proposed"


@pytest.mark.parametrize(
    "payload",
    [
        {"model": "user", "ids": [1], "verdict": "confirm"},
        {"model": "company", "ids": [], "verdict": "confirm"},
        {"model": "company", "ids": [1], "verdict": "maybe"},
        {"model": "company", "ids": ["one"], "verdict": "confirm"},
        {"model": "company", "ids": list(range(1, 1100)), "verdict": "confirm"},
    ],
)
def test_malformed_review_requests_are_refused(analyst_api, payload):
    response = analyst_api.post("/api/v1/review/", payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_merging_into_itself_is_a_400(staff_api):
    company = ProposedCompanyFactory()
    response = staff_api.post(f"/api/v1/companies/{company.pk}/merge/", {"drop": company.pk}, format="json")
    assert response.status_code == 400
    assert "cannot be merged into itself" in response.json()["message"]
