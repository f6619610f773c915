"""A real Celery worker, on the configured broker (Redis in CI), runs the project's tasks."""

from __future__ import annotations

import pytest

from intel.models import Heartbeat
from intel.tasks import heartbeat_task
from tests.processes import PYTHON, child_env, database_url_for_children, own_queue, start, wait_for

pytestmark = [pytest.mark.broker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_on_the_real_broker_runs_the_heartbeat_and_writes_to_the_database(tmp_path):
    # A queue of its own, so a worker left by anything else on this broker cannot take the task.
    queue = own_queue()
    env = child_env(DJANGO_SETTINGS_MODULE="config.settings.test", DATABASE_URL=database_url_for_children())
    log = tmp_path / "worker.log"
    worker = start(
        [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            f"--hostname={queue}@%h",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log=log,
    )
    try:
        heartbeat_task.apply_async(kwargs={"name": queue}, queue=queue)
        try:
            wait_for(lambda: Heartbeat.objects.filter(name=queue).exists(), timeout=60, what="the task to run")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; worker log:\n{log.read_text()[-3000:]}") from None
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    beat = Heartbeat.objects.get(name=queue)
    assert beat.hostname
