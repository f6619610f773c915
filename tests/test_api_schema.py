"""The OpenAPI schema validates, and its documentation is served without internet access."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/companies/{id}/timeline/" in text and "tokenAuth" in text


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_swagger_and_redoc_load_nothing_from_the_internet(reader_api, page):
    response = reader_api.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "drf_spectacular_sidecar" in html


def test_the_schema_needs_authentication(db):
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/schema/").status_code == 401
