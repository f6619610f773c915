"""With ``SENTRY_DSN`` set, errors in views and tasks reach the Sentry server; without it the SDK is never loaded.

The server is a real HTTP server on 127.0.0.1 (tests/httpserver.py) standing in for
Sentry's ingest endpoint. Each test runs the app in a child process, whose settings
start the SDK exactly as a deployment's do, so the suite's own process is never
patched by Sentry's integrations.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import uuid

import brotli

from tests.httpserver import LocalHTTPServer, ReceivedRequest
from tests.processes import PROJECT, PYTHON, child_env

# The WSGI application gunicorn serves (settings start the SDK, if SENTRY_DSN is set),
# called as gunicorn calls it, on a URLconf with a view that fails; then a task that
# fails, run in-process; then the events are flushed before the process ends.
CHILD = """
import json, os, sys

from config.wsgi import application

sdk_loaded = "sentry_sdk" in sys.modules

from wsgiref.util import setup_testing_defaults

import sentry_sdk
from celery import shared_task
from django.test.utils import override_settings
from django.urls import path

PROBE = os.environ["PROBE"]


def explode(request):
    raise RuntimeError(f"view failure {PROBE}")


@shared_task(name="tests.explode")
def explode_task():
    raise LookupError(f"task failure {PROBE}")


urlpatterns = [path("explode/", explode)]

client = sentry_sdk.get_client()
report = {
    "sdk_loaded_by_settings": sdk_loaded,
    "active": client.is_active(),
    "options": {key: client.options.get(key) for key in ("environment", "send_default_pii", "traces_sample_rate")},
    "integrations": sorted(client.integrations),
}
environ = {
    "PATH_INFO": "/explode/",
    "QUERY_STRING": "q=1",
    "HTTP_HOST": "localhost",
    "REMOTE_ADDR": "203.0.113.9",
    "HTTP_COOKIE": "sessionid=cookie-secret-123",
    "HTTP_AUTHORIZATION": "Token header-secret-456",
}
setup_testing_defaults(environ)
statuses = []
with override_settings(ROOT_URLCONF="__main__"):
    b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
report["status"] = statuses[0]
report["task_state"] = explode_task.apply().state
report["flushed"] = sentry_sdk.flush(timeout=10) if report["active"] else None
print(json.dumps(report))
"""


def run_child(tmp_path, **env: str) -> dict:
    env.setdefault("PROBE", uuid.uuid4().hex)
    result = subprocess.run(
        [PYTHON, "-c", CHILD],
        cwd=PROJECT,
        env=child_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # nothing here reads the database
            LOG_LEVEL="CRITICAL",  # the error's own log lines are not this test's subject
            NO_PROXY="127.0.0.1",  # a proxy from the environment must not swallow the reports
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def envelope_items(request: ReceivedRequest) -> list[tuple[dict, dict]]:
    """The (item header, payload) pairs of one envelope, decompressed as its Content-Encoding says."""
    body = request.body
    encoding = request.headers.get("content-encoding", "")
    if encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "br":
        body = brotli.decompress(body)
    lines = body.split(b"\n")
    items = []
    # The first line is the envelope's header; then an item header and its payload, in turn.
    for header_line, payload in zip(lines[1::2], lines[2::2], strict=False):
        items.append((json.loads(header_line), json.loads(payload)))
    return items


def sentry_events(server: LocalHTTPServer) -> list[dict]:
    events = []
    for request in server.requests:
        assert request.method == "POST"
        assert request.path == "/api/1/envelope/"
        assert "sentry_key=publickey" in request.headers["x-sentry-auth"]
        events += [payload for header, payload in envelope_items(request) if header.get("type") == "event"]
    return events


def exception_of(event: dict) -> dict:
    return event["exception"]["values"][-1]


def test_an_error_in_a_view_and_in_a_task_is_sent_to_the_sentry_server(tmp_path, http_server):
    http_server.route("/api/1/envelope/", body=b"{}", headers={"Content-Type": "application/json"})
    probe = uuid.uuid4().hex

    report = run_child(
        tmp_path,
        PROBE=probe,
        SENTRY_DSN=f"http://publickey@127.0.0.1:{http_server.port}/1",
        SENTRY_ENVIRONMENT="staging-eu",
    )

    assert report["active"] is True
    assert report["status"].startswith("500")
    assert report["task_state"] == "FAILURE"
    assert {"django", "celery"} <= set(report["integrations"])
    assert report["options"] == {"environment": "staging-eu", "send_default_pii": False, "traces_sample_rate": 0.0}

    events = sentry_events(http_server)
    by_type = {exception_of(event)["type"]: event for event in events}
    view_event, task_event = by_type["RuntimeError"], by_type["LookupError"]

    assert exception_of(view_event)["value"] == f"view failure {probe}"
    assert view_event["environment"] == "staging-eu"
    assert view_event["request"]["url"] == "http://localhost/explode/"
    assert view_event["request"]["query_string"] == "q=1"
    assert view_event["transaction"] == "/explode/"
    assert exception_of(task_event)["value"] == f"task failure {probe}"
    assert task_event["transaction"] == "tests.explode"


def test_no_personal_data_or_secrets_are_sent(tmp_path, http_server):
    http_server.route("/api/1/envelope/", body=b"{}", headers={"Content-Type": "application/json"})

    run_child(tmp_path, SENTRY_DSN=f"http://publickey@127.0.0.1:{http_server.port}/1")

    events = sentry_events(http_server)
    assert events
    # Everything sent, every item of every envelope (events, breadcrumbs, sessions).
    sent = json.dumps([envelope_items(request) for request in http_server.requests])
    assert "cookie-secret-123" not in sent
    assert "header-secret-456" not in sent
    assert "203.0.113.9" not in sent  # the client's address
    assert all("cookies" not in event.get("request", {}) for event in events)
    view_event = next(event for event in events if event["exception"]["values"][-1]["type"] == "RuntimeError")
    assert view_event["request"]["headers"]["Host"] == "localhost"  # what is not personal is still sent


def test_without_a_dsn_the_sdk_is_never_started_nor_loaded(tmp_path, http_server):
    report = run_child(tmp_path, SENTRY_DSN="")

    assert report["sdk_loaded_by_settings"] is False
    assert report["active"] is False
    assert report["status"].startswith("500")
    assert http_server.requests == []


def test_a_sample_rate_outside_0_to_1_stops_start_up_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [PYTHON, "manage.py", "check"],
        cwd=PROJECT,
        env=child_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            SENTRY_DSN="http://publickey@127.0.0.1:9/1",
            SENTRY_TRACES_SAMPLE_RATE="5",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1" in result.stderr
