"""The quick start's web server, worker and beat run together, and Ctrl-C stops them all within seconds."""

from __future__ import annotations

import signal
import subprocess
import textwrap
import time
import urllib.request

import pytest

from tests.processes import PROJECT, PYTHON, child_env, free_port, processes_with_env, start, wait_for

pytestmark = pytest.mark.slow


def test_ctrl_c_stops_web_worker_and_beat_within_seconds(tmp_path):
    var = tmp_path / "var"
    env = child_env(DJANGO_SETTINGS_MODULE="config.settings.local", RIVALSCOPE_VAR_DIR=str(var))
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=str(PROJECT))
    port = free_port()
    log = tmp_path / "serve.log"
    proc = start([PYTHON, "manage.py", "serve", "--port", str(port)], env=env, log=log)
    try:
        wait_for(lambda: _get(f"http://127.0.0.1:{port}/health/") == 200, timeout=60, what="the web server")
        wait_for(
            lambda: "rivalscope@" in log.read_text() and "ready." in log.read_text(), timeout=60, what="the worker"
        )
        wait_for(lambda: "beat: Starting" in log.read_text(), timeout=60, what="beat")
        # The worker really consumes from the embedded (filesystem) transport.
        subprocess.run(
            [PYTHON, "-m", "celery", "-A", "config", "call", "intel.tasks.heartbeat_task"],
            env=env,
            check=True,
            cwd=str(PROJECT),
            capture_output=True,
        )
        wait_for(
            lambda: b'"alive": ["rivalscope@' in _body(f"http://127.0.0.1:{port}/health/ready/"),
            timeout=30,
            what="the worker's heartbeat",
        )
        children = processes_with_env("RIVALSCOPE_VAR_DIR", str(var))
        assert len(children) >= 4  # serve, runserver, worker, beat

        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert elapsed < 10, f"took {elapsed:.1f}s to stop"
    wait_for(lambda: not processes_with_env("RIVALSCOPE_VAR_DIR", str(var)), timeout=3, what="no process left")


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from intel.processes import ProcessSpec, run_processes
        stubborn = "import signal as s, time; s.signal(s.SIGTERM, s.SIG_IGN); print('up', flush=True); time.sleep(120)"
        sys.exit(run_processes([ProcessSpec("stubborn", [sys.executable, "-c", stubborn])], grace=1.0))
        """
    )
    marker = str(tmp_path)
    proc = start([PYTHON, "-c", script], env=child_env(RIVALSCOPE_TEST_MARKER=marker), log=tmp_path / "log")
    try:
        wait_for(lambda: "up" in (tmp_path / "log").read_text(), timeout=20, what="the child")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert elapsed < 4
    wait_for(lambda: not processes_with_env("RIVALSCOPE_TEST_MARKER", marker), timeout=3, what="the child to die")


def test_when_one_process_dies_the_others_are_stopped(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        from intel.processes import ProcessSpec, run_processes
        sys.exit(run_processes([
            ProcessSpec("crash", [sys.executable, "-c", "import sys; sys.exit(3)"]),
            ProcessSpec("sleeper", [sys.executable, "-c", "import time; time.sleep(120)"]),
        ], grace=2.0))
        """
    )
    marker = str(tmp_path)
    result = subprocess.run(
        [PYTHON, "-c", script],
        env=child_env(RIVALSCOPE_TEST_MARKER=marker),
        cwd=str(PROJECT),
        timeout=20,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 3
    assert "crash exited with code 3" in result.stderr
    assert not processes_with_env("RIVALSCOPE_TEST_MARKER", marker)


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback test server
            return response.status
    except OSError:
        return 0


def _body(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback test server
            return response.read()
    except OSError:
        return b""
