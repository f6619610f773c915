"""Every API error, 4xx and 5xx alike, is JSON with a message a person can read."""

from __future__ import annotations

import json

import pytest
from rest_framework.throttling import UserRateThrottle

from intel.models import Company

pytestmark = pytest.mark.django_db


def test_an_unknown_url_is_a_json_404(reader_api):
    response = reader_api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"message": "Not found.", "code": "not_found"}


def test_a_missing_record_is_a_json_404(reader_api):
    response = reader_api.get("/api/v1/companies/999999/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(reader_api):
    response = reader_api.put("/api/v1/changes/", {}, format="json")
    assert response.status_code == 405
    assert "not allowed" in response.json()["message"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(analyst_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000})
    response = analyst_api.post("/api/v1/companies/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert "limit is 1,000" in response.json()["message"]
    assert not Company.objects.exists()


def test_malformed_json_is_a_400_saying_so(analyst_api):
    response = analyst_api.post("/api/v1/companies/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["message"]


def test_invalid_input_names_each_field(analyst_api):
    response = analyst_api.post("/api/v1/companies/", {"name": "", "wikidata_id": "42"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) >= {"name", "wikidata_id"}
    assert "name:" in body["message"] and "wikidata_id:" in body["message"]


def test_an_unexpected_failure_is_a_json_500_that_gives_nothing_away(reader_api, monkeypatch):
    from intel.api import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(views.CompanyViewSet, "list", explode)
    reader_api.raise_request_exception = False
    response = reader_api.get("/api/v1/companies/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "secret" not in response.content.decode()
    assert response.json()["code"] == "server_error"


def test_too_many_requests_is_a_429_with_retry_after(reader_api, monkeypatch):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min", "anon": "3/min"})
    statuses = [reader_api.get("/api/v1/tags/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = reader_api.get("/api/v1/tags/")
    assert response.status_code == 429
    assert "throttled" in response.json()["message"]
    assert int(response["Retry-After"]) > 0
    cache.clear()


def test_errors_are_json_even_when_csv_was_asked_for(reader_api):
    response = reader_api.get("/api/v1/articles/?format=csv&colour=blue")
    assert response.status_code == 400
    assert "colour" in response.json()["message"]
