"""The production smoke test: rivalscope deployed as docs/deploy.md says, on this machine's services.

Production settings against PostgreSQL and RabbitMQ; the release step (migrate,
collectstatic); gunicorn with its settings file, two Celery workers and one beat,
started as the Procfile starts them; an account and an API token made with the
documented commands; a watched company, a watchlist (e-mail and webhook alerts) and a
feed created through the REST API. Then, within bounded waits:

1. the admin's CSS and login page come from gunicorn (WhiteNoise, hashed names);
2. ``/health/ready/`` answers 200 and lists both workers' heartbeats as alive;
3. beat's dispatcher has the feed (a local RSS file) polled exactly once, its item
   is ingested, an alert is raised, mailed to a local SMTP sink and posted to a local
   webhook receiver;
4. both workers are killed (``kill -9``) and ``/health/ready/`` turns 503 within the
   heartbeat's max age, naming both workers as stale.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), RabbitMQ on
127.0.0.1:5672 (guest) with ``rabbitmqctl``, and the dev requirements (aiosmtpd).
Everything it makes is its own and removed at the end, on failure and on SIGTERM too:
a scratch folder, the database ``rivalscope_smoke_<pid>``, the RabbitMQ virtual host
``rivalscope-smoke-<pid>`` (with every queue and exchange Celery declared in it). Prints
one line per check; on failure, the reason and the processes' logs, and exits 1.

Run it with ``bash scripts/production_smoke.sh``; CI does, in ``.ci/run``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
from aiosmtpd.controller import Controller

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672"
# Short, so that killed workers go stale within seconds (a beat every 2 s).
HEARTBEAT_MAX_AGE = 6
# Beat sends the dispatcher a minute after it starts; then a poll, an ingest (the
# worker loads the NLP model first) and two deliveries. Seconds from beat's start,
# enough for its second dispatch too, should the setup miss the first on a busy machine.
PIPELINE_TIMEOUT = 180
COMPANY = "Xiaomi"
HEADLINE = "Xiaomi opens its first flagship store in Lisbon"
ALERT_TO = "analyst@smoke.example.com"

# Variables of the calling environment that would change what is under test.
OWN_PREFIXES = ("DJANGO_", "RIVALSCOPE_", "CELERY_", "GUNICORN_", "SENTRY_")
OWN_NAMES = {"DATABASE_URL", "EMAIL_URL", "CACHE_URL", "DEFAULT_FROM_EMAIL", "PORT", "WEB_CONCURRENCY", "LOG_FORMAT"}


class SmokeFailure(Exception):
    """A check failed; the message says which and what was seen."""


class Stopped(Exception):
    """SIGTERM or SIGHUP: stop, and clean up on the way out."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def passed(what: str, since: float) -> None:
    print(f"production smoke: ok: {what} ({time.monotonic() - since:.1f} s)", flush=True)


def wait_until(check: Callable[[], Any], *, timeout: float, what: str, interval: float = 0.5) -> Any:
    """Call ``check`` until it returns something true; its last value, or SmokeFailure after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


# --- The local servers: a feed to poll, a webhook receiver, an SMTP sink -------------


def rss_feed() -> bytes:
    published = format_datetime(datetime.now(UTC))
    text = (
        "<p>Xiaomi opened its first flagship store in Lisbon on Saturday, the company said, "
        "as part of its expansion across southern Europe.</p>"
        "<p>The smartphone maker plans twelve more stores in Portugal and Spain by the end of next year.</p>"
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>Smoke News</title>'
        "<link>https://news.smoke.example/</link><description>The production smoke test's feed</description>"
        f'<item><guid isPermaLink="false">urn:smoke:xiaomi-lisbon</guid><title>{HEADLINE}</title>'
        "<link>https://news.smoke.example/xiaomi-lisbon</link>"
        f"<description><![CDATA[{text}]]></description><pubDate>{published}</pubDate></item>"
        "</channel></rss>"
    ).encode()


@dataclass
class Recorder:
    """An HTTP server on 127.0.0.1 that answers GET /feed.xml and POST /hook, and keeps every request."""

    feed: bytes = b""
    requests: list[tuple[str, str, bytes]] = field(default_factory=list)

    def start(self) -> str:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                recorder.requests.append(("GET", self.path, b""))
                if self.path == "/feed.xml":
                    self._answer(200, recorder.feed, "application/rss+xml; charset=utf-8")
                else:
                    self._answer(404, b"not found", "text/plain")

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append(("POST", self.path, body))
                self._answer(200, b"ok", "text/plain")

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the requests are kept, and printed on failure

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self, method: str, path: str) -> list[bytes]:
        return [body for m, p, body in list(self.requests) if (m, p) == (method, path)]


@dataclass
class MailSink:
    """An SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message."""

    messages: list[tuple[list[str], str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name for it
        self.messages.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
        return "250 OK"

    def start(self) -> int:
        port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=port)
        self.controller.start()
        return port

    def stop(self) -> None:
        self.controller.stop()


# --- rivalscope's processes ----------------------------------------------------------


@dataclass
class Service:
    """A long-running process of the deployment, in a process group of its own."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self, *, kill: bool = False) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL if kill else signal.SIGTERM)

    def wait_or_kill(self, deadline: float) -> None:
        try:
            self.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.stop(kill=True)
            self.popen.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # what its pool processes or gunicorn's workers left
            os.killpg(self.popen.pid, signal.SIGKILL)


class Smoke:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.scratch = Path(tempfile.mkdtemp(prefix="rivalscope-smoke-"))
        (self.scratch / "logs").mkdir()
        self.database = f"rivalscope_smoke_{self.pid}"
        self.vhost = f"rivalscope-smoke-{self.pid}"
        self.queue = f"smoke-{self.pid}"
        self.host = socket.gethostname()
        self.workers = {key: f"smoke-{key}-{self.pid}@{self.host}" for key in ("a", "b")}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.services: list[Service] = []
        self.database_made = self.vhost_made = False
        self.site = Recorder(feed=rss_feed())
        self.hooks = Recorder()
        self.mail = MailSink()
        self.env: dict[str, str] = {}
        self.token = ""
        self.last_readiness = "never asked"

    # --- environment and commands ---

    def environment(self, *, smtp_port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES) and k not in OWN_NAMES}
        return env | {
            "PYTHONUNBUFFERED": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            # The processes run in the scratch folder (so nothing, a beat schedule or a
            # pid file, lands in the repository) and import the project from here.
            "PYTHONPATH": str(PROJECT),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            # Plain HTTP on loopback: no proxy here to terminate HTTPS.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_STATIC_ROOT": str(self.scratch / "static"),
            "RIVALSCOPE_VAR_DIR": str(self.scratch / "var"),
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self.database}",
            "CELERY_BROKER_URL": f"{RABBITMQ}/{self.vhost}",
            # A virtual host of its own already keeps other runs' workers away; a queue
            # name of its own too, in case someone points this at a shared one.
            "CELERY_TASK_DEFAULT_QUEUE": self.queue,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DEFAULT_FROM_EMAIL": "rivalscope <alerts@smoke.example.com>",
            # The fixture feed and the webhook receiver live on loopback, which the
            # fetcher refuses unless told (server-side request forgery).
            "RIVALSCOPE_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
            "RIVALSCOPE_HEARTBEAT_MAX_AGE": str(HEARTBEAT_MAX_AGE),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": "2",
            "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(16),
        }

    def manage(self, *args: str, name: str) -> str:
        """Run ``manage.py`` to the end; its standard output, or SmokeFailure with its log."""
        log = self.scratch / "logs" / f"{name}.log"
        with log.open("wb") as err:
            done = subprocess.run(  # noqa: S603  (our own command line)
                [PYTHON, str(PROJECT / "manage.py"), *args],
                cwd=self.scratch, env=self.env, stdout=subprocess.PIPE, stderr=err, timeout=300,
            )  # fmt: skip
        if done.returncode != 0:
            raise SmokeFailure(f"manage.py {' '.join(args)} exited {done.returncode}")
        return done.stdout.decode()

    def start(self, name: str, argv: list[str]) -> Service:
        log = self.scratch / "logs" / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(  # noqa: S603  (our own command lines)
                argv, cwd=self.scratch, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        service = Service(name, popen, log)
        self.services.append(service)
        return service

    def rabbitmqctl(self, *args: str) -> None:
        argv = ["rabbitmqctl", "-q", *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60)  # noqa: S603  (our own command line)
        if done.returncode != 0:
            raise SmokeFailure(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip() or done.stdout.strip()}")

    # --- HTTP ---

    def call(self, method: str, path: str, *, api: bool = False, data: dict | None = None) -> tuple[int, bytes]:
        """The status and body of a request to gunicorn; status 0 while nothing answers."""
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"} if api else {}
        body = None if data is None else json.dumps(data).encode()
        if body is not None:
            headers["Content-Type"] = "application/json"
        # http://127.0.0.1:<port> and a path of our own: no other scheme can come in.
        request = urllib.request.Request(self.base + path, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            return 0, b""

    def get(self, path: str) -> tuple[int, bytes]:
        return self.call("GET", path)

    def get_json(self, path: str) -> Any:
        status, body = self.call("GET", path, api=True)
        if status != 200:
            raise SmokeFailure(f"GET {path} answered {status}: {body[:500]!r}")
        return json.loads(body)

    def post_json(self, path: str, data: dict[str, Any]) -> dict[str, Any]:
        status, body = self.call("POST", path, api=True, data=data)
        if status != 201:
            raise SmokeFailure(f"POST {path} answered {status}: {body[:500]!r}")
        return json.loads(body)

    def readiness(self) -> tuple[int, dict[str, Any]]:
        status, body = self.get("/health/ready/")
        self.last_readiness = f"{status} {body.decode(errors='replace')}"
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {}

    # --- the run ---

    def run(self) -> None:
        started = time.monotonic()
        self.env = self.environment(smtp_port=self.mail.start())
        site, hooks = self.site.start(), self.hooks.start()
        self.make_database_and_vhost()
        beat_started = self.release_and_start()
        self.check_static_files()
        feed_id = self.set_up_monitoring(feed_url=f"{site}/feed.xml", webhook_url=f"{hooks}/hook")
        self.check_ready()
        self.check_alert_delivered(feed_id=feed_id, beat_started=beat_started)
        self.check_killed_workers_go_stale()
        passed("production smoke test passed", started)

    def make_database_and_vhost(self) -> None:
        step = time.monotonic()
        with psycopg.connect(POSTGRES, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.database}"')
        self.database_made = True
        self.rabbitmqctl("add_vhost", self.vhost)
        self.vhost_made = True
        self.rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        passed(f"database {self.database} and RabbitMQ virtual host {self.vhost} made", step)

    def release_and_start(self) -> float:
        """The release step, the first deploy's account, and the Procfile's processes; when beat started."""
        # The Procfile's release line; both at once, as they touch different things.
        release = step = time.monotonic()
        static = self.start("collectstatic", [PYTHON, str(PROJECT / "manage.py"), "collectstatic", "--noinput", "-v0"])
        self.manage("migrate", "--noinput", name="migrate")
        passed("release: migrate", step)

        # Workers and beat need only the database, so they start while collectstatic
        # still runs: beat's first dispatch comes a minute after it starts. Two workers
        # on one machine need names of their own; one pool process each, as this
        # machine's two cores are shared with everything else here.
        step = time.monotonic()
        for key, name in self.workers.items():
            self.start(
                f"worker-{key}",
                [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", f"--hostname={name}",
                 "--concurrency=1"],
            )  # fmt: skip
        self.start("beat", [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"])
        beat_started = time.monotonic()
        # The first deploy's account and token, with the documented commands.
        self.manage("createsuperuser", "--noinput", "--username", "smoke", "--email", ALERT_TO, name="createsuperuser")
        self.token = self.manage("create_api_token", "smoke", "production smoke", "--quiet-key", name="token").strip()
        passed("two workers and beat started; account and API token made", step)

        # WhiteNoise reads the static folder when gunicorn's workers load the app: after collectstatic.
        if static.popen.wait(timeout=300) != 0:
            raise SmokeFailure(f"collectstatic exited {static.popen.returncode}")
        self.services.remove(static)
        passed("release: collectstatic, alongside migrate", release)
        step = time.monotonic()
        gunicorn_conf = str(PROJECT / "config" / "gunicorn.conf.py")
        self.start("web", [PYTHON, "-m", "gunicorn", "config.wsgi", "--config", gunicorn_conf])
        wait_until(lambda: self.get("/health/")[0] == 200, timeout=60, what="gunicorn to answer /health/")
        passed("gunicorn answers /health/", step)
        return beat_started

    def check_static_files(self) -> None:
        step = time.monotonic()
        for path in ("/static/admin/css/base.css", "/admin/login/"):
            status, _ = self.get(path)
            if status != 200:
                raise SmokeFailure(f"GET {path} answered {status}, not 200")
        manifest = json.loads((self.scratch / "static" / "staticfiles.json").read_text())["paths"]
        status, _ = self.get(f"/static/{manifest['admin/css/base.css']}")
        if status != 200:
            raise SmokeFailure(f"the hashed admin CSS answered {status}, not 200")
        passed("admin CSS (plain and hashed) and the login page served by gunicorn", step)

    def set_up_monitoring(self, *, feed_url: str, webhook_url: str) -> int:
        """What an analyst sets up, through the REST API: a watched company, a watchlist
        that mails and posts its alerts, and the feed; the feed's id.

        Done before beat's first dispatch, a minute after it started, which then finds the feed due.
        """
        step = time.monotonic()
        company = self.post_json("/api/v1/companies/", {"name": COMPANY, "watched": True})
        self.post_json(
            "/api/v1/watchlists/",
            {"name": "Smoke", "companies": [company["id"]], "min_relevance": 0.5, "email": True,
             "email_to": ALERT_TO, "webhook_url": webhook_url},
        )  # fmt: skip
        feed = self.post_json("/api/v1/feeds/", {"name": "Smoke News", "url": feed_url})
        passed("company, watchlist (e-mail and webhook) and feed created through the API", step)
        return feed["id"]

    def check_ready(self) -> None:
        step = time.monotonic()
        ready = wait_until(
            self.both_workers_ready, timeout=90, interval=1, what="/health/ready/ 200 listing both workers"
        )
        passed(f"/health/ready/ 200, alive: {', '.join(ready['checks']['workers']['alive'])}", step)

    def check_alert_delivered(self, *, feed_id: int, beat_started: float) -> None:
        """Beat's dispatch, a poll, an ingest and two deliveries, all within PIPELINE_TIMEOUT of beat's start."""

        def until(check: Callable[[], Any], what: str) -> None:
            wait_until(check, timeout=PIPELINE_TIMEOUT - (time.monotonic() - beat_started), what=what)

        until(lambda: self.site.received("GET", "/feed.xml"), "beat's dispatcher to have the feed polled")
        passed("beat's dispatcher had the feed polled, since beat started", beat_started)
        until(lambda: self.feed_ingested(feed_id), "the feed's item to be ingested")
        passed(f"the item was ingested as an article, {HEADLINE!r}", beat_started)
        until(self.mailed, f"the alert's e-mail to {ALERT_TO} at the SMTP sink")
        passed(f"the alert was mailed to {ALERT_TO} through EMAIL_URL", beat_started)
        until(self.posted, "the alert's POST at the webhook receiver")
        passed("the alert was posted to the webhook", beat_started)
        polls = len(self.site.received("GET", "/feed.xml"))
        if polls != 1:
            raise SmokeFailure(f"the feed was fetched {polls} times, not once (two workers, one claim)")
        print("production smoke: ok: the feed was fetched exactly once by the two workers", flush=True)
        for service in self.services:
            if service.popen.poll() is not None:
                raise SmokeFailure(f"{service.name} exited {service.popen.returncode}")

    def check_killed_workers_go_stale(self) -> None:
        """Kill -9 both workers: no clean shutdown deletes their heartbeats, so they must go stale."""
        step = time.monotonic()
        for service in self.services:
            if service.name.startswith("worker-"):
                service.stop(kill=True)
                service.popen.wait(timeout=10)
        answer = wait_until(
            self.both_workers_stale, timeout=HEARTBEAT_MAX_AGE + 10, interval=0.25, what="/health/ready/ 503"
        )
        stale = ", ".join(answer["checks"]["workers"]["stale"])
        passed(f"workers killed: /health/ready/ 503 (heartbeat max age {HEARTBEAT_MAX_AGE} s), stale: {stale}", step)

    def both_workers_ready(self) -> dict[str, Any] | None:
        for service in self.services:
            if service.popen.poll() is not None:
                raise SmokeFailure(f"{service.name} exited {service.popen.returncode}")
        status, answer = self.readiness()
        alive = set(answer.get("checks", {}).get("workers", {}).get("alive", []))
        return answer if status == 200 and set(self.workers.values()) <= alive else None

    def both_workers_stale(self) -> dict[str, Any] | None:
        status, answer = self.readiness()
        if status == 200:
            return None
        workers = answer.get("checks", {}).get("workers", {})
        if status != 503 or answer.get("status") != "failing" or workers.get("status") != "failing":
            raise SmokeFailure(f"/health/ready/ answered {status} with {json.dumps(answer)}, not 503 for the workers")
        if workers.get("alive") or not set(self.workers.values()) <= set(workers.get("stale", [])):
            raise SmokeFailure(f"/health/ready/ 503, but the workers are not both stale: {json.dumps(workers)}")
        for check in ("database", "migrations", "broker"):
            if answer["checks"][check]["status"] != "ok":
                raise SmokeFailure(f"/health/ready/ 503 for {check} too: {json.dumps(answer)}")
        return answer

    def feed_ingested(self, feed_id: int) -> bool:
        feed = self.get_json(f"/api/v1/feeds/{feed_id}/")
        if feed["last_status"] not in ("never", "new_items"):
            raise SmokeFailure(f"the feed's check failed: {feed['last_status']}: {feed['last_error']}")
        articles = self.get_json("/api/v1/articles/")["results"]
        return any(article["title"] == HEADLINE for article in articles)

    def mailed(self) -> bool:
        return any(
            ALERT_TO in recipients and "Subject: [rivalscope]" in content and COMPANY in content
            for recipients, content in list(self.mail.messages)
        )

    def posted(self) -> bool:
        for body in self.hooks.received("POST", "/hook"):
            try:
                text = json.loads(body)["text"]
            except (ValueError, KeyError, TypeError):
                raise SmokeFailure(f"the webhook's body is not Slack-compatible JSON: {body[:300]!r}") from None
            if COMPANY in text:
                return True
        return False

    # --- the end, whatever happened ---

    def show_logs(self) -> None:
        for log in sorted((self.scratch / "logs").glob("*.log")):
            lines = log.read_text(errors="replace").splitlines()
            # The probes' lines (two a second while waiting) would push out everything else.
            lines = [line for line in lines if "/health/" not in line]
            if lines:
                print(f"\n==> {log.name}, /health/ lines left out (last {min(len(lines), 80)} of {len(lines)})",
                      file=sys.stderr)  # fmt: skip
                print("\n".join(lines[-80:]), file=sys.stderr)
        print(f"\n==> the last answer of /health/ready/: {self.last_readiness}", file=sys.stderr)
        print(f"==> the fixture site's requests: {[(m, p) for m, p, _ in self.site.requests]}", file=sys.stderr)
        print(f"==> the webhook's requests: {self.hooks.requests}", file=sys.stderr)
        print(f"==> mail at the SMTP sink: {self.mail.messages}", file=sys.stderr)

    def clean_up(self) -> None:
        """Stop every process, drop the database and the virtual host, remove the scratch folder.

        Each step runs whatever the ones before it raised, so one failure leaves nothing
        else behind; and it takes half a minute at most, so a second SIGTERM or Ctrl-C
        waits for it rather than cut it short.
        """
        for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(signum, signal.SIG_IGN)
        step = time.monotonic()
        problems: list[str] = []
        for service in self.services:
            service.stop()
        # A Celery worker finishes its task first; on RabbitMQ it takes up to 10 s to notice.
        deadline = time.monotonic() + 20
        for service in self.services:
            try:
                service.wait_or_kill(deadline)
            except Exception as exc:
                problems.append(f"could not stop {service.name} (process group {service.popen.pid}): {exc}")
        for server in (self.site, self.hooks, self.mail):
            with contextlib.suppress(Exception):  # never started
                server.stop()
        if self.database_made:
            try:
                with psycopg.connect(POSTGRES, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            except Exception as exc:
                problems.append(f"could not drop the database {self.database}: {exc}")
        if self.vhost_made:
            try:
                self.rabbitmqctl("delete_vhost", self.vhost)
            except Exception as exc:
                problems.append(f"could not delete the RabbitMQ virtual host {self.vhost}: {exc}")
        shutil.rmtree(self.scratch, ignore_errors=True)
        for problem in problems:
            print(f"production smoke: cleaning up: {problem}", file=sys.stderr)
        if not problems:
            passed("cleaned up: processes stopped; database, virtual host and scratch folder removed", step)


def _stop_on_signal(signum: int, frame: Any) -> None:
    raise Stopped(signal.Signals(signum).name)


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    smoke = Smoke()
    try:
        smoke.run()
    except (SmokeFailure, Stopped, KeyboardInterrupt):
        print(f"production smoke: FAILED: {sys.exc_info()[1]!s}", file=sys.stderr, flush=True)
        smoke.show_logs()
        smoke.clean_up()
        return 1
    except Exception:
        # A bug here, or a service that answered something unexpected: the traceback says which.
        print(f"production smoke: FAILED:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        smoke.show_logs()
        smoke.clean_up()
        return 1
    smoke.clean_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
