"""``LOG_FORMAT=json``: every process (web and Celery worker) writes one JSON object per log line."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from tests.processes import PROJECT, PYTHON, child_env, wait_for

# What a web process does: the WSGI application (Django set up from settings), a
# request for a page that does not exist, a log line with extra fields, a logged
# exception, a warning, and a task run in-process.
CHILD = """
import logging
import warnings
from wsgiref.util import setup_testing_defaults

from config.wsgi import application

from celery import shared_task

log = logging.getLogger("rivalscope.probe")

environ = {"PATH_INFO": "/no-such-page/", "HTTP_HOST": "localhost"}
setup_testing_defaults(environ)
b"".join(application(environ, lambda status, headers, exc_info=None: None))

log.info("feed %s checked", "Acme News", extra={"feed_id": 42, "new_items": 3})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("the check failed")
warnings.warn("a loose warning", RuntimeWarning, stacklevel=1)


@shared_task(name="tests.say_hello")
def say_hello():
    log.info("hello from a task")


say_hello.apply(task_id="task-id-1234")
"""


def run_child(tmp_path, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [PYTHON, "-c", CHILD],
        cwd=PROJECT,
        env=child_env(
            DJANGO_SETTINGS_MODULE="config.settings.test",
            DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # nothing here reads the database
            LOG_LEVEL="INFO",
            SENTRY_DSN="",
            **env,
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def json_lines(text: str) -> list[dict]:
    """Every line parsed as JSON: a line that is not one fails the test."""
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines
    return [json.loads(line) for line in lines]


def line_with(records: list[dict], message: str) -> dict:
    return next(record for record in records if message in record["message"])


def test_json_lines_carry_time_level_logger_message_and_extra_fields(tmp_path):
    records = json_lines(run_child(tmp_path, LOG_FORMAT="json").stderr)

    line = line_with(records, "feed Acme News checked")
    assert line["level"] == "INFO"
    assert line["logger"] == "rivalscope.probe"
    assert line["message"] == "feed Acme News checked"  # formatted, arguments and all
    assert (line["feed_id"], line["new_items"]) == (42, 3)
    assert "exception" not in line
    assert "task_id" not in line  # not written inside a task
    logged_at = datetime.fromisoformat(line["timestamp"])
    assert logged_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - logged_at) < timedelta(minutes=2)


def test_an_exception_is_written_with_its_traceback_in_the_same_line(tmp_path):
    records = json_lines(run_child(tmp_path, LOG_FORMAT="json").stderr)

    line = line_with(records, "the check failed")
    assert line["level"] == "ERROR"
    assert line["exception"].startswith("Traceback (most recent call last):")
    assert line["exception"].endswith("ZeroDivisionError: division by zero")


def test_djangos_request_log_python_warnings_and_task_lines_are_json_too(tmp_path):
    records = json_lines(run_child(tmp_path, LOG_FORMAT="json").stderr)

    not_found = line_with(records, "Not Found: /no-such-page/")
    assert (not_found["level"], not_found["logger"], not_found["status_code"]) == ("WARNING", "django.request", 404)
    assert "request" in not_found  # an object, written as text rather than breaking the line

    warning = line_with(records, "a loose warning")
    assert (warning["level"], warning["logger"]) == ("WARNING", "py.warnings")

    task_line = line_with(records, "hello from a task")
    assert (task_line["task_id"], task_line["task_name"]) == ("task-id-1234", "tests.say_hello")


def test_the_default_is_plain_text(tmp_path):
    stderr = run_child(tmp_path).stderr

    line = next(line for line in stderr.splitlines() if "feed Acme News checked" in line)
    assert line.endswith(" INFO rivalscope.probe: feed Acme News checked")
    assert not line.startswith("{")
    assert "ZeroDivisionError: division by zero" in stderr


def test_an_unknown_log_format_stops_start_up_with_a_clear_message():
    result = subprocess.run(
        [PYTHON, "manage.py", "check"],
        cwd=PROJECT,
        env=child_env(DJANGO_SETTINGS_MODULE="config.settings.test", LOG_FORMAT="xml"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "LOG_FORMAT must be one of plain, json, not 'xml'" in result.stderr


@pytest.mark.slow
def test_a_celery_workers_log_lines_are_json(tmp_path):
    # An in-memory broker (nothing to connect to) and an empty database: the worker
    # starts, and its heartbeat thread logs a warning with a traceback at each beat
    # because the heartbeat table does not exist there.
    log = tmp_path / "worker.log"
    err = tmp_path / "worker.err"
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        CELERY_BROKER_URL="memory://",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        RIVALSCOPE_HEARTBEAT_MAX_AGE="3",
        SENTRY_DSN="",
    )
    argv = [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--hostname=json-probe@%h",
            "--without-mingle", "--without-gossip", "--without-heartbeat"]  # fmt: skip
    # Logs go to standard error; Celery's banner (and print()) to standard output.
    with log.open("wb") as stdout, err.open("wb") as stderr:
        worker = subprocess.Popen(argv, cwd=PROJECT, env=env, stdout=stdout, stderr=stderr)
        try:
            wait_for(lambda: "could not write the heartbeat" in err.read_text(), timeout=60, what="a heartbeat warning")
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    records = json_lines(err.read_text())
    ready = line_with(records, "json-probe@")
    assert ready["logger"] == "celery.apps.worker" and ready["message"].endswith("ready.")
    beat = line_with(records, "could not write the heartbeat of json-probe@")
    assert beat["level"] == "WARNING"
    assert beat["logger"] == "intel.health"
    assert "no such table" in beat["exception"]
    assert "[queues]" in log.read_text()  # Celery's banner: printed, not logged, so on standard output
