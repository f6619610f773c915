"""A watch list of companies from CSV, by command and in the admin; re-importing updates, never duplicates."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from intel.models import Company, CompanyAlias

pytestmark = pytest.mark.django_db

CSV = "name,aliases,country,website,sector\nXiaomi,Mi;Xiaomi Corp,CN,https://mi.com,phones\nApple,,United States,,\n"


def test_import_creates_watched_companies_with_aliases_and_country(tmp_path):
    path = tmp_path / "watch.csv"
    path.write_text(CSV)
    out = io.StringIO()
    call_command("import_entities", str(path), stdout=out)
    assert "2 compan(y/ies) created" in out.getvalue()
    xiaomi = Company.objects.get(name="Xiaomi")
    assert xiaomi.watched and xiaomi.headquarters.iso_code == "CN" and xiaomi.website == "https://mi.com"
    assert sorted(xiaomi.aliases.values_list("text", flat=True)) == ["Mi", "Xiaomi Corp"]
    assert CompanyAlias.objects.get(text="Mi").case_sensitive is True
    assert Company.objects.get(name="Apple").headquarters.iso_code == "US"


def test_reimporting_updates_and_never_duplicates(tmp_path):
    path = tmp_path / "watch.csv"
    path.write_text(CSV)
    call_command("import_entities", str(path), stdout=io.StringIO())
    path.write_text("name,aliases,website\nxiaomi corp,Redmi,https://www.mi.com\n")
    call_command("import_entities", str(path), stdout=io.StringIO())
    assert Company.objects.count() == 2
    xiaomi = Company.objects.get(name="Xiaomi")
    assert xiaomi.website == "https://www.mi.com"
    assert set(xiaomi.aliases.values_list("text", flat=True)) == {"Mi", "Xiaomi Corp", "Redmi"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"company,country\nXiaomi,CN\n", "needs a header row with a 'name' column"),
        (b"name,country\nXiaomi,Atlantis\n", "Row 2: unknown country 'Atlantis'"),
        (b"name,website\n,https://x.example\n", "Row 2: the name is empty"),
        (b"name,website\nX,javascript:alert(1)\n", "Row 2: the website must start with http"),
        (b"\x00\x01\x02binary", "not a CSV text file"),
        (b"name\n\xff\xfe\xfa\n", "not UTF-8 text"),
    ],
)
def test_a_bad_file_is_refused_whole_with_row_numbers(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError) as excinfo:
        call_command("import_entities", str(path), stdout=io.StringIO())
    assert excinfo.value.returncode == 2
    assert message in str(excinfo.value)
    assert Company.objects.count() == 0


def test_the_admin_import_page(staff_client):
    upload = io.BytesIO(CSV.encode())
    upload.name = "watch.csv"
    response = staff_client.post("/admin/intel/company/import/", {"file": upload, "watched": "on"}, follow=True)
    assert "2 compan(y/ies) created" in response.content.decode()
    bad = io.BytesIO(b"name,country\nFoo,Atlantis\n")
    bad.name = "bad.csv"
    response = staff_client.post("/admin/intel/company/import/", {"file": bad})
    assert "Row 2: unknown country" in response.content.decode()
    assert Company.objects.count() == 2
    assert b"Import from CSV" in staff_client.get("/admin/intel/company/").content
