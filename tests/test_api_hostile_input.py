"""Hostile input the API used to answer with 500: JSON nested a thousand levels deep,
and a tampered cursor whose position is not of its ordering's type. Both are a 4xx
with a message, and nothing is stored."""

from __future__ import annotations

import base64

import pytest

from intel.models import Company, IngestJob

pytestmark = pytest.mark.django_db

DEEP = "[" * 1000 + "]" * 1000


def _cursor(position: str) -> str:
    return base64.b64encode(f"p={position}".encode()).decode()


@pytest.mark.parametrize("path", ["/api/v1/companies/", "/api/v1/ingest/", "/api/v1/events/"])
def test_json_nested_too_deeply_is_a_400_with_a_message(analyst_api, path):
    before = (Company.objects.count(), IngestJob.objects.count())
    response = analyst_api.generic("POST", path, DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["message"]
    assert (Company.objects.count(), IngestJob.objects.count()) == before


@pytest.mark.parametrize(
    "path",
    ["/api/v1/articles/", "/api/v1/events/", "/api/v1/markets/", "/api/v1/companies/", "/api/v1/quotes/"],
)
@pytest.mark.parametrize("position", ["abc", "1e999", "'; DROP TABLE x;--", "-"])
def test_a_tampered_cursor_is_an_invalid_cursor_not_a_500(reader_api, path, position):
    response = reader_api.get(path, {"cursor": _cursor(position)})
    assert response.status_code == 404
    assert response.json()["message"] == "Invalid cursor"


def test_a_genuine_cursor_still_pages(reader_api):
    for n in range(3):
        Company.objects.create(name=f"Brightwater {n}")
    first = reader_api.get("/api/v1/companies/", {"page_size": 2}).json()
    second = reader_api.get(first["next"]).json()
    assert len(first["results"]) == 2 and len(second["results"]) >= 1
