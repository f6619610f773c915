"""``manage.py quickstart`` stores the sample article and an admin account, and is safe to run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from intel.models import Article

pytestmark = pytest.mark.django_db


def run(**env) -> str:
    out = StringIO()
    call_command("quickstart", stdout=out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def var_dir(tmp_path, settings, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.delenv("RIVALSCOPE_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("RIVALSCOPE_ADMIN_USER", raising=False)
    return tmp_path


def test_first_run_stores_the_seed_article_and_prints_a_generated_password(var_dir):
    output = run()
    article = Article.objects.get()
    assert "Xiaomi appears to be geared up to foray into the US market next year." in article.body
    assert str(article.published_on) == "2018-07-01" and article.published_precision == "month"
    password = (var_dir / "admin-password.txt").read_text().strip()
    assert f"password {password!r}" in output
    assert (var_dir / "admin-password.txt").stat().st_mode & 0o777 == 0o600
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_second_run_reuses_what_exists(var_dir):
    first = run()
    second = run()
    assert Article.objects.count() == 1
    assert get_user_model().objects.count() == 1
    assert "already stored" in second and "Admin account exists" in second
    assert first.split("password ")[-1] == second.split("password ")[-1]


def test_password_from_the_environment_is_used(monkeypatch):
    monkeypatch.setenv("RIVALSCOPE_ADMIN_USER", "lead")
    monkeypatch.setenv("RIVALSCOPE_ADMIN_PASSWORD", "correct horse battery staple")
    run()
    assert get_user_model().objects.get(username="lead").check_password("correct horse battery staple")
