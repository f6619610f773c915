"""POST /api/v1/ingest/: text, HTML, a file or a URL becomes records; bad input is a 400 and stores nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.jobs import run_ingest_job
from intel.models import Article, Company, IngestJob
from tests.seed import SEED_TEXT

pytestmark = pytest.mark.django_db(transaction=False)


def test_ingesting_text_answers_201_with_everything_made(analyst_api):
    response = analyst_api.post(
        "/api/v1/ingest/",
        {"text": SEED_TEXT, "title": "Xiaomi to enter US market next year", "published": "2018-07"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["article"]["new"] is True
    names = {p["name"] for p in body["proposed_entities"] if p["kind"] == "company"}
    assert {"Xiaomi", "Apple", "Huawei", "ZTE", "OnePlus"} <= names
    entry = next(e for e in body["events"] if e["type"] == "market_entry" and e["companies"][0]["name"] == "Xiaomi")
    assert entry["time"]["start"] == "2019-01-01"
    assert any(q["speaker"] == "Wang Xiang" for q in body["quotes"])

    again = analyst_api.post("/api/v1/ingest/", {"text": SEED_TEXT}, format="json")
    assert again.status_code == 200
    assert again.json()["article"]["new"] is False
    assert Article.objects.count() == 1


def test_ingesting_an_uploaded_file(analyst_api):
    upload = SimpleUploadedFile("story.md", SEED_TEXT.encode(), content_type="text/markdown")
    response = analyst_api.post("/api/v1/ingest/", {"file": upload, "published": "2018-07-15"}, format="multipart")
    assert response.status_code == 201, response.json()
    assert Article.objects.get().published_on.isoformat() == "2018-07-15"


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"text": "   \n  "}, "text", "no text"),
        ({}, "non_field_errors", "Give exactly one of"),
        ({"text": "Xiaomi.", "html": "<p>Xiaomi</p>"}, "non_field_errors", "got text, html"),
        ({"text": SEED_TEXT, "published": "2999-01-01"}, "published", "future"),
        ({"text": SEED_TEXT, "published": "July 2018"}, "published", ""),
        ({"html": "<script>alert(1)</script><script>x()</script>"}, "html", ""),
        ({"fetch_url": "file:///etc/passwd"}, "fetch_url", "Only http and https"),
        ({"fetch_url": "javascript:alert(1)"}, "fetch_url", "Only http and https"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_stores_nothing(analyst_api, payload, field, message):
    response = analyst_api.post("/api/v1/ingest/", payload, format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert field in body["errors"]
    assert message in body["message"]
    assert not Article.objects.exists() and not Company.objects.exists() and not IngestJob.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"%PDF-1.4 binary", "Unsupported file type"),
        ("story.txt", bytes(range(256)) * 20, ""),
    ],
)
def test_bad_files_are_refused(analyst_api, name, content, message):
    upload = SimpleUploadedFile(name, content)
    response = analyst_api.post("/api/v1/ingest/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert message in response.json()["message"]
    assert not Article.objects.exists()


def test_text_over_the_size_limit_is_refused(analyst_api, settings):
    settings.RIVALSCOPE_INGEST_MAX_BYTES = 2000
    response = analyst_api.post("/api/v1/ingest/", {"text": SEED_TEXT}, format="json")
    assert response.status_code == 400
    assert "text" in response.json()["errors"]
    assert not Article.objects.exists()


def test_a_reader_cannot_ingest(reader_api):
    response = reader_api.post("/api/v1/ingest/", {"text": SEED_TEXT}, format="json")
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_a_url_is_queued_and_answered_with_a_job_to_poll(analyst_api, http_server, settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    page = f"<html><body><article><p>{SEED_TEXT}</p></article></body></html>".encode()
    http_server.route("/story.html", body=page, headers={"Content-Type": "text/html; charset=utf-8"})
    response = analyst_api.post(
        "/api/v1/ingest/", {"fetch_url": http_server.url("/story.html"), "published": "2018-07"}, format="json"
    )
    assert response.status_code == 202, response.json()
    job = IngestJob.objects.get(pk=response.json()["id"])
    assert response.json()["poll"].endswith(f"/api/v1/jobs/{job.pk}/")
    assert job.status == "queued" and not Article.objects.exists()

    run_ingest_job(job.pk)  # what the worker does (a real worker runs it in test_ingest_jobs)
    polled = analyst_api.get(f"/api/v1/jobs/{job.pk}/").json()
    assert polled["status"] == "done"
    assert polled["result"]["article"]["id"] == Article.objects.get().pk


def test_a_queued_url_on_a_private_address_fails_with_the_reason(analyst_api):
    response = analyst_api.post("/api/v1/ingest/", {"fetch_url": "http://127.0.0.1:9/admin"}, format="json")
    assert response.status_code == 202
    job = run_ingest_job(response.json()["id"])
    assert job.status == "failed"
    assert "127.0.0.1" in job.error and job.error_stage
    assert not Article.objects.exists()


def test_text_can_be_queued_too(analyst_api):
    response = analyst_api.post("/api/v1/ingest/", {"text": SEED_TEXT, "queue": True}, format="json")
    assert response.status_code == 202
    job = run_ingest_job(response.json()["id"])
    assert job.status == "done" and job.article is not None
