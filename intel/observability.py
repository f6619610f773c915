"""Logs and error reports of every process (web, worker, beat): the pieces settings name.

- ``configure_logging``: applies ``LOGGING`` in every process (``LOGGING_CONFIG``).
- ``LOG_FORMATS``: what ``LOG_FORMAT`` may say. ``json`` makes the console handler
  write one JSON object per line (python-json-logger; ``LOGGING`` in
  config/settings/base.py), for log collectors that index fields.
- ``CeleryTaskFilter``: adds the running task's id and name to each record, so a
  worker's JSON lines say which task wrote them.
- ``init_sentry``: error reporting to Sentry (or a server that speaks its protocol),
  only when a DSN is given.

Workers and beat log through the same ``LOGGING`` as the web (config/celery.py).
Nothing here imports models: settings import this module before Django is set up.
"""

from __future__ import annotations

import logging
import logging.config
from typing import Any

from celery._state import get_current_task
from django.core.exceptions import ImproperlyConfigured

LOG_FORMATS = ("plain", "json")


def configure_logging(config: dict[str, Any]) -> None:
    """Apply ``LOGGING`` (Django calls this as ``LOGGING_CONFIG``), and send Python's warnings through it.

    Captured warnings are log records of ``py.warnings``: a ``RuntimeWarning`` in a web
    process, or Celery's own start-up warnings, become JSON lines like the rest
    instead of loose text on standard error.
    """
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def log_format(value: str) -> str:
    """``value`` if it names a known log format; a clear error at start-up otherwise."""
    if value not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {value!r}.")
    return value


class CeleryTaskFilter(logging.Filter):
    """Adds ``task_id`` and ``task_name`` to records written while a Celery task runs.

    Records outside a task are left alone, so web lines carry no empty task fields.
    The JSON formatter writes any attribute a record has beyond the standard ones;
    the plain format names neither, so this costs it nothing.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        # Celery's own TaskFormatter asks the same question the same way.
        task = get_current_task()
        if task is not None and task.request.id is not None:
            record.task_id = task.request.id
            record.task_name = task.name
        return True


class HealthProbeFilter(logging.Filter):
    """Drops Django's "Service Unavailable" record for a health check's 503.

    ``/health/ready/`` answers 503 while a dependency is down, every few seconds for as
    long as it stays down: logged as errors by ``django.request`` (and sent to Sentry
    as one event per probe), they would bury the one report that matters.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", "")
        return not (getattr(record, "status_code", None) == 503 and path.startswith("/health/"))


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float = 0.0) -> bool:
    """Start sending errors to ``dsn`` from this process; does nothing (returns False) without one.

    Called from settings, the one module every process loads first, so web
    processes, Celery workers (their settings come from Django's) and beat all
    report. Unhandled exceptions in views and tasks are sent, and so are ERROR log
    records (Sentry's logging integration, on by default); INFO records become the
    breadcrumbs of the next event. ``send_default_pii`` stays off: no user, IP
    address, cookies or request bodies leave the machine, only the error, its stack
    (with local variables, scrubbed of keys named like secrets) and the URL.
    Performance traces are off unless ``traces_sample_rate`` is above 0. The release
    is the SDK's own guess: ``SENTRY_RELEASE`` if set, else the git commit.
    """
    if not dsn:
        return False
    if not 0.0 <= traces_sample_rate <= 1.0:
        raise ImproperlyConfigured(f"SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1, not {traces_sample_rate}.")
    # Imported here: a deployment without a DSN never loads the SDK or its integrations.
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
