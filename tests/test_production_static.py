"""Production serves its own static files: collectstatic, then gunicorn with WhiteNoise,
started as the Procfile starts it (config/gunicorn.conf.py, production settings).

Real processes, not the test client: the manifest storage and the middleware order only
exist under config.settings.production, which the test settings do not load.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from email.message import Message

import pytest

from tests.processes import PROJECT, PYTHON, child_env, free_port, start, wait_for

pytestmark = pytest.mark.slow

# What the proxy in front of gunicorn adds: production settings trust it for HTTPS.
VIA_HTTPS_PROXY = {"X-Forwarded-Proto": "https"}


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes


def get(url: str, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback test server
    # No redirects followed: a redirect to HTTPS is an answer to check, not to chase.
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=5) as response:
            return Reply(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_gunicorn_serves_collected_static_files_with_production_settings(tmp_path):
    static_root = tmp_path / "static"
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_STATIC_ROOT=str(static_root),
        RIVALSCOPE_VAR_DIR=str(tmp_path / "var"),
    )
    # The deployment's own choices must not leak in from the machine running the tests.
    for name in ("GUNICORN_CMD_ARGS", "WEB_CONCURRENCY", "DJANGO_SECURE_SSL_REDIRECT"):
        env.pop(name, None)

    collect = subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    workspace_css = manifest["intel/workspace.css"]
    admin_base_css = manifest["admin/css/base.css"]
    assert workspace_css != "intel/workspace.css"  # hashed: workspace.<hash>.css
    assert (static_root / "admin/css/base.css.gz").is_file()

    port = free_port()
    server_env = {**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"}
    log = tmp_path / "gunicorn.log"
    proc = start(
        [PYTHON, "-m", "gunicorn", "config.wsgi", "--config", "config/gunicorn.conf.py"], env=server_env, log=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(
            lambda: proc.poll() is not None or _answers(f"{base}/static/admin/css/base.css"),
            timeout=60,
            what="gunicorn",
        )
        assert proc.poll() is None, log.read_text()

        # Plain HTTP is sent to HTTPS, static files included: WhiteNoise runs after
        # SecurityMiddleware, and the redirect stays on by default.
        plain = get(f"{base}/static/admin/css/base.css")
        assert plain.status == 301
        assert plain.headers["Location"].startswith("https://")

        admin_css = get(f"{base}/static/admin/css/base.css", {**VIA_HTTPS_PROXY, "Accept-Encoding": "gzip"})
        assert admin_css.status == 200, log.read_text()
        assert admin_css.headers["Content-Type"].startswith("text/css")
        assert "max-age" in admin_css.headers["Cache-Control"]
        assert admin_css.headers["Content-Encoding"] == "gzip"  # the copy collectstatic compressed
        assert "Strict-Transport-Security" in admin_css.headers

        hashed = get(f"{base}/static/{workspace_css}", VIA_HTTPS_PROXY)
        assert hashed.status == 200
        assert hashed.headers["Content-Type"].startswith("text/css")
        assert "immutable" in hashed.headers["Cache-Control"]  # its name changes with its content
        assert hashed.body == (static_root / workspace_css).read_bytes()

        login = get(f"{base}/admin/login/", VIA_HTTPS_PROXY)
        assert login.status == 200, log.read_text()
        page = login.body.decode()
        assert f'href="/static/{workspace_css}"' in page
        assert f'href="/static/{admin_base_css}"' in page

        assert get(f"{base}/static/intel/no-such-file.css", VIA_HTTPS_PROXY).status == 404
    finally:
        _stop(proc)
    # The access log goes to the process's output (accesslog "-").
    assert f"GET /static/{workspace_css} HTTP/1.1" in log.read_text()


def _answers(url: str) -> bool:
    try:
        get(url)
    except OSError:
        return False
    return True


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to gunicorn's process group (master and workers), SIGKILL if it lingers."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
