"""Bad input is refused with a clear error at every entry point, and the database is unchanged."""

from __future__ import annotations

import io
import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from intel.ingest.errors import IngestError
from intel.ingest.pipeline import ingest_article
from intel.models import Article, Company, Mention, Source
from tests.processes import PROJECT, PYTHON, child_env

pytestmark = pytest.mark.django_db

BAD_INPUTS = [
    pytest.param({"text": ""}, "Give the article as text, HTML, a file or a URL", id="empty"),
    pytest.param({"text": "   \n\t  "}, "no text", id="whitespace-only"),
    pytest.param({"raw": b"\x00\x01\x02\x03" * 100, "filename": "a.txt"}, "looks binary", id="binary-file"),
    pytest.param(
        {"raw": b"%PDF-1.4 hello", "filename": "a.pdf"}, "Unsupported file type '.pdf'", id="unsupported-type"
    ),
    pytest.param({"text": "Xiaomi " * 800_000}, "the limit is 5.0 MB", id="oversized"),
    pytest.param(
        {"html": "<html><head><script>alert(1)</script></head><body><script>steal()</script></body></html>"},
        "No article text could be found",
        id="html-only-scripts",
    ),
    pytest.param(
        {"text": "Xiaomi enters India.", "published": "2018-13-01"}, "Invalid publication date", id="bad-date"
    ),
    pytest.param({"text": "Xiaomi enters India.", "published": "20180701"}, "use YYYY-MM-DD", id="bad-date-format"),
    pytest.param(
        {"fetch_url": "ftp://example.com/a.txt"}, "Only http and https URLs are accepted, not 'ftp'", id="scheme"
    ),
    pytest.param({"fetch_url": "javascript:alert(1)"}, "Only http and https URLs", id="javascript-url"),
    pytest.param({"fetch_url": "http://127.0.0.1:9/x"}, "loopback", id="loopback-url"),
    pytest.param({"fetch_url": "http://169.254.169.254/latest/meta-data/"}, "169.254.169.254", id="metadata-url"),
    pytest.param({"fetch_url": "http://10.1.2.3/"}, "private", id="private-url"),
    pytest.param({"text": "a", "fetch_url": "https://example.com"}, "one way only", id="two-inputs"),
]


def counts() -> tuple[int, int, int, int]:
    return Article.objects.count(), Company.objects.count(), Mention.objects.count(), Source.objects.count()


@pytest.mark.parametrize(("kwargs", "message"), BAD_INPUTS)
def test_the_function_refuses_bad_input_and_stores_nothing(kwargs, message):
    before = counts()
    with pytest.raises(IngestError) as excinfo:
        ingest_article(**kwargs, source="Some Outlet")
    assert message.lower() in excinfo.value.describe().lower()
    assert excinfo.value.stage == "normalise"
    assert counts() == before


def test_a_future_publication_date_is_refused():
    tomorrow_plus = (timezone.localdate() + timedelta(days=10)).isoformat()
    with pytest.raises(IngestError, match="is in the future"):
        ingest_article(text="Xiaomi enters India.", published=tomorrow_plus)
    assert Article.objects.count() == 0


def test_a_text_longer_than_the_language_model_reads_is_refused_with_its_length():
    from intel.ingest.nlp import model

    limit = model().max_length
    text = ("Xiaomi will enter the US market next year. " * (limit // 40 + 2))[: limit + 1]
    with pytest.raises(IngestError) as refused:
        ingest_article(text=text)
    assert refused.value.stage == "parse" and refused.value.field == "text"
    assert f"{limit + 1:,} characters long; at most {limit:,} can be analysed" in refused.value.message
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [bytes(range(128, 256)) * 4, b"\xff\xfe\xfd\xfc\xfb\x81\x82\x83\x00\x00\x00\x00" * 3],
    ids=["high-bytes", "utf16-bom-garbage"],
)
def test_undecodable_bytes_are_refused(raw):
    with pytest.raises(IngestError, match="could not be decoded as text in any known character set"):
        ingest_article(raw=raw, filename="a.txt")
    assert Article.objects.count() == 0


def test_a_legacy_charset_is_detected_and_decoded():
    text = "Xiaomi é présent en Europe, où la société vend des téléphones à bas prix. " * 5
    result = ingest_article(raw=text.encode("cp1252"), filename="article.txt")
    assert "présent en Europe" in result.article.body


def test_nul_bytes_and_control_characters_are_stripped():
    result = ingest_article(text="Xiaomi\x00 enters\x07 the\x1b Indian market.\r\n")
    assert result.article.body == "Xiaomi enters the Indian market."


def test_a_failing_stage_rolls_back_everything_and_names_the_stage(monkeypatch):
    from django.db import IntegrityError

    from intel.ingest import quotes

    def broken(batch, env):
        raise IntegrityError("simulated failure")

    monkeypatch.setattr(quotes, "run", broken)
    before = counts()
    with pytest.raises(IngestError) as excinfo:
        ingest_article(text='Xiaomi plans to enter the US market. "We hope so," said Lei Jun.', source="Daily")
    assert excinfo.value.stage == "quotes"
    assert "Ingestion failed at the quotes stage" in excinfo.value.describe()
    assert counts() == before


def test_a_bug_in_a_stage_is_raised_as_it_is_not_as_bad_input(monkeypatch):
    # A KeyError in our code is not the article's fault: it must not reach the API as a
    # 400 or mark a feed's entry failed; it rolls back all the same.
    from intel.ingest import quotes

    def buggy(batch, env):
        raise KeyError("speaker")

    monkeypatch.setattr(quotes, "run", buggy)
    before = counts()
    with pytest.raises(KeyError):
        ingest_article(text='Xiaomi plans to enter the US market. "We hope so," said Lei Jun.', source="Daily")
    assert counts() == before


def test_the_cli_exits_2_with_the_message_and_stores_nothing(tmp_path):
    bad = tmp_path / "report.pdf"
    bad.write_bytes(b"%PDF-1.4")
    with pytest.raises(CommandError) as excinfo:
        call_command("ingest", str(bad))
    assert excinfo.value.returncode == 2
    assert "Unsupported file type '.pdf'" in str(excinfo.value)
    with pytest.raises(CommandError, match="Invalid publication date"):
        call_command("ingest", str(PROJECT / "sample_data" / "xiaomi-us-market.txt"), "--published", "July")
    with pytest.raises(CommandError, match="No such file"):
        call_command("ingest", str(tmp_path / "missing.txt"))
    assert Article.objects.count() == 0


@pytest.mark.slow
def test_the_cli_process_prints_the_error_and_exits_2(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    result = subprocess.run(
        [PYTHON, "manage.py", "ingest", str(empty)],
        cwd=PROJECT, env=child_env(DJANGO_SETTINGS_MODULE="config.settings.test"), capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "Ingestion failed at the normalise stage: The file is empty." in result.stderr


def test_the_admin_ingest_page_shows_the_error_and_stores_nothing(staff_client):
    before = counts()
    upload = io.BytesIO(b"\x00\x00\x00\x00binary\x00\x00\x00\x00" * 50)
    upload.name = "blob.txt"
    response = staff_client.post("/admin/intel/article/ingest/", {"file": upload, "published": "2018-07"})
    assert response.status_code == 200
    assert "looks binary" in response.content.decode()
    response = staff_client.post("/admin/intel/article/ingest/", {"text": "Xiaomi enters India.", "published": "2099"})
    assert "is in the future" in response.content.decode()
    response = staff_client.post("/admin/intel/article/ingest/", {})
    assert "Paste the article" in response.content.decode()
    assert counts() == before
