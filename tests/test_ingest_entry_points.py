"""The CLI, the admin page and the quick start all ingest through the same function."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from intel.models import Article, Company, Event
from tests.seed import SEED_PATH

pytestmark = pytest.mark.django_db


def test_cli_json_describes_what_was_made():
    out = io.StringIO()
    call_command("ingest", str(SEED_PATH), "--published", "2018-07", "--title", "Xiaomi US", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["article"]["new"] is True and data["article"]["published"] == "2018-07-01"
    entry = next(e for e in data["events"] if e["type"] == "market_entry" and e["status"] == "planned")
    assert entry["companies"] == [{"id": entry["companies"][0]["id"], "name": "Xiaomi", "role": "actor"}]
    assert entry["markets"][0]["name"] == "United States" and entry["new"] is True
    assert {"id", "kind", "target", "target_id", "text", "start", "end"} <= set(data["mentions"][0])
    assert data["quotes"][0]["speaker"] == "Wang Xiang" and data["quotes"][0]["reported_via"] == "Reuters"


def test_cli_second_time_says_already_stored():
    call_command("ingest", str(SEED_PATH), "--published", "2018-07", stdout=io.StringIO())
    out = io.StringIO()
    call_command("ingest", str(SEED_PATH), "--published", "2018-07", stdout=out)
    assert "Already stored as article #" in out.getvalue()
    assert Article.objects.count() == 1


def test_admin_ingest_page_with_pasted_text(staff_client):
    response = staff_client.post(
        "/admin/intel/article/ingest/",
        {"text": SEED_PATH.read_text(), "title": "Xiaomi", "published": "2018-07", "source": "GizmoChina"},
        follow=True,
    )
    article = Article.objects.get()
    assert response.redirect_chain[-1][0] == f"/admin/intel/article/{article.pk}/change/"
    assert "Stored article #" in response.content.decode()
    assert article.source.name == "GizmoChina"
    assert Event.objects.filter(type="market_entry").exists()


def test_admin_ingest_page_with_an_uploaded_html_file(staff_client):
    html = (
        b"<html><head><title>Xiaomi eyes US</title><script>track()</script></head><body><nav>Home | News</nav>"
        b"<article><h1>Xiaomi eyes US</h1><p>Xiaomi appears to be geared up to foray into the US market next year. "
        b"The company is in talks with US carriers, senior vice president Wang Xiang said in an interview.</p>"
        b"<p>Xiaomi is already the top smartphone brand in India, ahead of Samsung.</p></article></body></html>"
    )
    upload = io.BytesIO(html)
    upload.name = "story.html"
    staff_client.post("/admin/intel/article/ingest/", {"file": upload, "published": "2018-07-05"})
    article = Article.objects.get()
    assert "track()" not in article.body and "Home | News" not in article.body
    assert "foray into the US market" in article.body
    assert article.title == "Xiaomi eyes US"


def test_admin_ingest_page_shows_each_error_on_the_field_at_fault(staff_client):
    # The admin's form has no HTML field: an uploaded page without text is the file's fault.
    upload = io.BytesIO(b"<html><body><script>track()</script></body></html>")
    upload.name = "story.html"
    errors = staff_client.post("/admin/intel/article/ingest/", {"file": upload}).context["form"].errors
    assert list(errors) == ["file"] and "No article text could be found" in errors["file"][0]

    response = staff_client.post("/admin/intel/article/ingest/", {"text": "Xiaomi.", "published": "2018-13"})
    assert list(response.context["form"].errors) == ["published"]
    assert not Article.objects.exists()


def test_admin_ingest_page_renders(staff_client):
    page = staff_client.get("/admin/intel/article/ingest/")
    assert page.status_code == 200 and b"or fetch this URL" in page.content
    assert b"Ingest article" in staff_client.get("/admin/intel/article/").content


def test_quickstart_ingests_the_seed_through_the_pipeline(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    call_command("quickstart", stdout=io.StringIO())
    assert Article.objects.get().status == "processed"
    assert Company.objects.filter(name="Xiaomi", review_status="proposed").exists()
