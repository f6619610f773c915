"""gunicorn's settings for production: ``gunicorn config.wsgi --config config/gunicorn.conf.py``.

Every value can be changed from the environment (below), so one file serves one
machine behind nginx and a platform that hands out ``PORT`` and ``WEB_CONCURRENCY``.
Command-line options still win over this file.
"""

from __future__ import annotations

import multiprocessing
import os

# config/wsgi.py falls back to the local settings (DEBUG on, a published secret key):
# a server started with this file must not end up there because a variable was
# forgotten. Production settings refuse to start without a real secret instead.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")


def _int_env(*names: str, default: int) -> int:
    """The first of ``names`` set in the environment, as an integer; ``default`` if none is."""
    for name in names:
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return int(value)
            except ValueError:
                raise SystemExit(f"{name} must be a whole number, not {value!r}") from None
    return default


port: int = _int_env("PORT", default=8000)
# All interfaces by default, as platforms that set PORT expect; on a machine where
# nginx runs next to gunicorn, GUNICORN_BIND=127.0.0.1:8000 (or unix:/run/rivalscope.sock)
# keeps it unreachable from outside.
bind: list[str] = [os.environ.get("GUNICORN_BIND", "").strip() or f"0.0.0.0:{port}"]

# Sync workers, gunicorn's advice of 2 x cores + 1: a worker waiting on PostgreSQL
# leaves its core to another. cpu_count() counts the host's cores, not a container's
# CPU quota, so set GUNICORN_WORKERS (or a platform's WEB_CONCURRENCY) there.
workers: int = _int_env("GUNICORN_WORKERS", "WEB_CONCURRENCY", default=multiprocessing.cpu_count() * 2 + 1)

# A request is killed after this long. An article ingested inline (the admin's
# "Ingest article", the API's ingest without "queue") can take seconds, the first
# one in a process also loads the NLP model; nothing else comes close.
timeout: int = _int_env("GUNICORN_TIMEOUT", default=60)
# On SIGTERM (a deploy), requests under way get this long to finish.
graceful_timeout: int = _int_env("GUNICORN_GRACEFUL_TIMEOUT", default=30)
keepalive: int = _int_env("GUNICORN_KEEPALIVE", default=5)

# Logs go to the process's output, where the platform or systemd's journal collects them.
accesslog: str = "-"
errorlog: str = "-"
loglevel: str = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The proxies trusted to say the request came over HTTPS (X-Forwarded-Proto), by
# address; gunicorn's own variable and default (this machine). Django reads the same
# header (SECURE_PROXY_SSL_HEADER) whoever sent it, so gunicorn must be reachable only
# through a proxy that overwrites it.
forwarded_allow_ips: str = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Off: each worker imports the app itself, after the fork. The trained NLP model must
# not load in web processes up front: spaCy and the model take about 140 MB per
# process and only an inline ingest needs them, so they load lazily, on a process's
# first ingest (intel/ingest/nlp.py; the Celery workers do the bulk of ingestion).
# Preloading would make the master import the app and hand whatever that pulls in to
# every worker (the model too, were an import ever to load it), and `kill -HUP` would
# restart workers on the old code instead of loading the new.
preload_app: bool = False

# LOG_FORMAT=json (as for Django, workers and beat): gunicorn's own error and access
# lines are JSON objects too, so a log collector reads one format from every process.
if os.environ.get("LOG_FORMAT", "plain").strip() == "json":
    logconfig_dict: dict[str, object] = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
                "timestamp": True,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
