"""Nothing is readable anonymously; programs authenticate with their own token, people with a session."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from intel.models import ApiToken
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_anonymous_requests_are_refused_with_a_json_message():
    CompanyFactory()
    response = APIClient().get("/api/v1/companies/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "credentials were not provided" in response.json()["message"]
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_lets_a_program_read(reader_api):
    CompanyFactory(name="Xiaomi")
    response = reader_api.get("/api/v1/companies/")
    assert response.status_code == 200
    assert [c["name"] for c in response.json()["results"]] == ["Xiaomi"]


def test_bearer_works_as_well_as_token(reader):
    _, key = ApiToken.issue(user=reader, name="dashboard")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/companies/").status_code == 200


def test_a_revoked_token_is_refused(reader):
    token, key = ApiToken.issue(user=reader, name="old notebook")
    token.revoke()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/companies/")
    assert response.status_code == 401
    assert response.json()["message"] == "This token was revoked."


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Token rs_not-a-real-key", "Unknown token."),
        ("Token", "Malformed Authorization header"),
        ("Token two parts", "Malformed Authorization header"),
    ],
)
def test_bad_tokens_are_refused_with_a_reason(db, header, message):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/companies/")
    assert response.status_code == 401
    assert message in response.json()["message"]


def test_only_a_hash_of_the_key_is_stored_and_use_is_recorded(reader):
    token, key = ApiToken.issue(user=reader, name="crm plug-in")
    assert key.startswith("rs_") and key not in token.key_hash and token.prefix == key[:10]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/companies/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_an_inactive_users_token_is_refused(reader):
    _, key = ApiToken.issue(user=reader, name="x")
    reader.is_active = False
    reader.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/companies/").status_code == 401


def test_a_logged_in_person_browses_the_api_with_a_session(staff_client):
    response = staff_client.get("/api/v1/companies/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert b"Django REST framework" in response.content


def test_the_admin_shows_a_new_tokens_key_once_and_revokes_tokens(staff_client, reader):
    response = staff_client.post(
        "/admin/intel/apitoken/add/", {"user": reader.pk, "name": "pricing dashboard"}, follow=True
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(name="pricing dashboard")
    shown = [str(m) for m in response.context["messages"]]
    key = next(word for m in shown for word in m.split() if word.startswith("rs_"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/companies/").status_code == 200

    staff_client.post("/admin/intel/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/companies/").status_code == 401
