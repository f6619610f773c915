"""With LOG_FORMAT=json, gunicorn's own lines (start-up, the access log) are JSON objects
like Django's, the worker's and beat's, so a log collector reads one format."""

from __future__ import annotations

import json
import secrets
import urllib.request

import pytest

from tests.processes import PYTHON, child_env, free_port, start, wait_for
from tests.test_production_static import _answers, _stop

pytestmark = pytest.mark.slow


def test_gunicorns_start_up_and_access_lines_are_json(tmp_path):
    port = free_port()
    env = child_env(
        LOG_FORMAT="json",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        RIVALSCOPE_VAR_DIR=str(tmp_path / "var"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="1",
    )
    env.pop("GUNICORN_CMD_ARGS", None)
    log = tmp_path / "gunicorn.log"
    proc = start([PYTHON, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"], env=env, log=log)
    try:
        wait_for(
            lambda: proc.poll() is not None or _answers(f"http://127.0.0.1:{port}/health/"), timeout=60, what="gunicorn"
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=5) as response:
            assert response.status == 200
        wait_for(lambda: "GET /health/" in log.read_text(), timeout=10, what="the access line")
    finally:
        _stop(proc)

    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any(r["logger"] == "gunicorn.error" and r["message"].startswith("Listening at") for r in records)
    access = [r for r in records if r["logger"] == "gunicorn.access"]
    assert access and "GET /health/ HTTP/1.1" in access[-1]["message"]
    assert all({"level", "logger", "message", "timestamp"} <= set(r) for r in records)
