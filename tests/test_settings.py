"""Settings come from the environment; production refuses to start without a real secret."""

from __future__ import annotations

import secrets
import subprocess

import pytest

from tests.processes import PROJECT, PYTHON, child_env


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=PROJECT, env=child_env(**env), capture_output=True, text=True, timeout=60
    )


def test_production_without_a_secret_key_fails_with_a_clear_message():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="intel.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_sqlite_is_tuned_for_concurrent_use(settings):
    from config.settings.base import database_from_env

    db = database_from_env()
    if db["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("DATABASE_URL points elsewhere")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5
