"""Ingesting from a URL goes through the safe fetcher (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intel.ingest.errors import IngestError
from intel.ingest.pipeline import ingest_article
from intel.models import Article

pytestmark = pytest.mark.django_db

PAGE = (
    "<html><head><title>Xiaomi readies US launch</title><script>var t = track();</script></head><body>"
    "<nav>Home · Phones · Deals</nav><article><h1>Xiaomi readies US launch</h1>"
    "<p>Chinese phone maker Xiaomi appears to be geared up to foray into the US market next year, its senior vice "
    "president Wang Xiang said in an interview with Reuters.</p>"
    "<p>Xiaomi is already the top smartphone brand in India, ahead of Samsung, thanks to budget pricing.</p>"
    "</article><footer>© Example News</footer></body></html>"
).encode()


@pytest.fixture
def loopback_allowed(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


def test_an_article_is_fetched_extracted_and_ingested(http_server, loopback_allowed):
    http_server.route("/news/xiaomi", body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"})
    http_server.redirect("/short", http_server.url("/news/xiaomi"))
    result = ingest_article(fetch_url=http_server.url("/short"), published="2018-07-06")
    article = result.article
    assert article.url == http_server.url("/news/xiaomi")
    assert article.title == "Xiaomi readies US launch"
    assert "foray into the US market next year" in article.body
    assert "track()" not in article.body and "Home · Phones" not in article.body
    assert any(e.type == "market_entry" for e, _ in result.events)


def test_without_the_allowance_a_local_url_is_refused(http_server):
    http_server.route("/news/xiaomi", body=PAGE, headers={"Content-Type": "text/html"})
    with pytest.raises(IngestError, match="loopback"):
        ingest_article(fetch_url=http_server.url("/news/xiaomi"))
    assert Article.objects.count() == 0


def test_a_redirect_to_a_metadata_address_is_refused(http_server, loopback_allowed):
    http_server.redirect("/evil", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(IngestError) as excinfo:
        ingest_article(fetch_url=http_server.url("/evil"))
    assert "169.254.169.254" in str(excinfo.value) and excinfo.value.field == "url"
    assert Article.objects.count() == 0


def test_an_oversized_page_is_refused(http_server, loopback_allowed, settings):
    settings.RIVALSCOPE_INGEST_MAX_BYTES = 10_000
    http_server.route("/big", body=b"<p>" + b"x" * 50_000 + b"</p>", headers={"Content-Type": "text/html"})
    with pytest.raises(IngestError, match="limit"):
        ingest_article(fetch_url=http_server.url("/big"))


def test_a_binary_download_is_refused(http_server, loopback_allowed):
    http_server.route("/file.zip", body=b"PK\x03\x04" + b"\x00" * 100, headers={"Content-Type": "application/zip"})
    with pytest.raises(IngestError, match="Unsupported content type 'application/zip'"):
        ingest_article(fetch_url=http_server.url("/file.zip"))


def test_a_server_error_is_reported(http_server, loopback_allowed):
    with pytest.raises(IngestError, match="500"):
        ingest_article(fetch_url=http_server.url("/status/500"))


def test_the_cli_ingests_a_url(http_server, loopback_allowed):
    http_server.route("/news/xiaomi", body=PAGE, headers={"Content-Type": "text/html"})
    out = io.StringIO()
    call_command("ingest", http_server.url("/news/xiaomi"), "--published", "2018-07", stdout=out)
    assert "Stored article #" in out.getvalue()
    with pytest.raises(CommandError, match="Only http and https URLs are accepted, not 'file'"):
        call_command("ingest", "file:///etc/passwd")


def test_the_admin_page_fetches_a_url(http_server, loopback_allowed, staff_client):
    http_server.route("/news/xiaomi", body=PAGE, headers={"Content-Type": "text/html"})
    response = staff_client.post("/admin/intel/article/ingest/", {"fetch_url": http_server.url("/news/xiaomi")})
    assert response.status_code == 302
    response = staff_client.post("/admin/intel/article/ingest/", {"fetch_url": "http://10.0.0.7/internal"})
    assert "private" in response.content.decode()
    assert Article.objects.count() == 1
