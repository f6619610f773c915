"""A worker with an embedded beat (``celery worker -B``), which can hang on shutdown, is stopped within seconds too."""

from __future__ import annotations

import signal
import subprocess
import textwrap
import time

import pytest

from tests.processes import PROJECT, PYTHON, child_env, processes_with_env, start, wait_for

pytestmark = pytest.mark.slow


def test_ctrl_c_stops_a_worker_running_beat_and_the_monitoring_schedule_within_seconds(tmp_path):
    var = tmp_path / "var"
    env = child_env(DJANGO_SETTINGS_MODULE="config.settings.local", RIVALSCOPE_VAR_DIR=str(var))
    env.pop("DATABASE_URL", None)
    env.pop("CELERY_BROKER_URL", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=str(PROJECT))
    # The quick start's supervisor, running one worker with beat embedded in it.
    script = textwrap.dedent(
        """
        import sys
        from intel.processes import ProcessSpec, run_processes
        worker = [sys.executable, "-m", "celery", "-A", "config", "worker", "-B", "--loglevel=INFO",
                  "--pool=threads", "--concurrency=2", "--hostname=embedded@%h"]
        sys.exit(run_processes([ProcessSpec("worker+beat", worker)], grace=5.0))
        """
    )
    log = tmp_path / "worker.log"
    proc = start([PYTHON, "-c", script], env=env, log=log)
    try:
        wait_for(lambda: "ready." in log.read_text() and "beat: Starting" in log.read_text(), timeout=60, what="it")
        # Worker and embedded beat both running (beat's schedule includes the dispatcher).
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=15)
        elapsed = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
    assert elapsed < 10, f"took {elapsed:.1f}s to stop"
    wait_for(lambda: not processes_with_env("RIVALSCOPE_VAR_DIR", str(var)), timeout=3, what="no process left")
