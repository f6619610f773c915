"""A form body or query string that is not UTF-8 is refused with a clear 400 and saves
nothing; it is never stored with replacement characters in place of its text."""

from __future__ import annotations

import pytest

from intel.models import Company

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"


def test_an_api_form_post_that_is_not_utf8_is_refused_and_nothing_is_saved(analyst_api):
    response = analyst_api.generic("POST", "/api/v1/companies/", b"name=Soci%E9t%E9+G%E9n%E9rale", content_type=FORM)

    assert response.status_code == 400
    assert response.json() == {
        "message": "The request's form body is not valid UTF-8 text, so nothing was read or saved. Send it as UTF-8.",
        "code": "bad_encoding",
    }
    assert not Company.objects.exists()


def test_the_same_form_in_utf8_is_saved_as_written(analyst_api):
    body = b"name=Soci%C3%A9t%C3%A9+G%C3%A9n%C3%A9rale"
    response = analyst_api.generic("POST", "/api/v1/companies/", body, content_type=FORM)

    assert response.status_code == 201, response.json()
    assert Company.objects.get().name == "Société Générale"


def test_raw_latin1_bytes_in_a_form_are_refused(analyst_api):
    response = analyst_api.generic(
        "POST", "/api/v1/companies/", "name=Soci\xe9t\xe9".encode("latin-1"), content_type=FORM
    )
    assert response.status_code == 400
    assert not Company.objects.exists()


def test_a_query_string_that_is_not_utf8_is_refused(reader_api):
    response = reader_api.get("/api/v1/companies/?search=Soci%E9t%E9")
    assert response.status_code == 400
    assert "query string is not valid UTF-8" in response.json()["message"]


def test_an_admin_form_that_is_not_utf8_is_refused_and_nothing_is_saved(admin_client):
    response = admin_client.generic(
        "POST", "/admin/intel/company/add/", b"name=Soci%E9t%E9&review_status=confirmed", content_type=FORM
    )

    assert response.status_code == 400
    assert "form body is not valid UTF-8" in response.content.decode()
    assert not Company.objects.exists()
