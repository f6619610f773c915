"""Queued ingest jobs run once, survive lost messages and dead workers, and a real worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intel import jobs
from intel.models import Article, IngestJob
from tests.processes import PYTHON, child_env, database_url_for_children, own_queue, start, wait_for
from tests.seed import SEED_TEXT


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """The ids of the jobs sent to workers (by task name, as ``intel.jobs`` sends them), sent nowhere."""
    from config.celery import app

    ids: list[int] = []

    def send_task(name: str, args: tuple[int], **options: object) -> None:
        assert name == "intel.tasks.ingest_job_task"
        ids.append(*args)

    monkeypatch.setattr(app, "send_task", send_task)
    return ids


@pytest.mark.django_db
def test_a_queued_job_is_sent_to_a_worker_once_its_transaction_commits(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.queue_ingest(params={"text": SEED_TEXT})
        assert sent == []  # not before the job's row is there for the worker to read
    assert sent == [job.pk]


@pytest.mark.django_db
def test_running_a_job_twice_ingests_once(sent):
    job = jobs.queue_ingest(params={"text": SEED_TEXT, "published": "2018-07"})
    first = jobs.run_ingest_job(job.pk)
    second = jobs.run_ingest_job(job.pk)
    assert first.status == second.status == "done"
    assert first.attempts == second.attempts == 1
    assert Article.objects.count() == 1


@pytest.mark.django_db
def test_a_job_still_running_under_its_lease_is_left_alone():
    job = IngestJob.objects.create(
        params={"text": SEED_TEXT}, status="running", lease_until=timezone.now() + timedelta(minutes=5)
    )
    assert jobs.run_ingest_job(job.pk).status == "running"
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_sent_again_and_then_done(sent):
    died = IngestJob.objects.create(
        params={"text": SEED_TEXT}, status="running", attempts=1, lease_until=timezone.now() - timedelta(seconds=1)
    )
    lost = IngestJob.objects.create(
        params={"text": "Another story about Xiaomi."}, enqueued_at=timezone.now() - timedelta(hours=1)
    )
    fresh = IngestJob.objects.create(params={"text": "x"}, enqueued_at=timezone.now())
    assert sorted(jobs.requeue_stale_ingest_jobs()) == sorted([died.pk, lost.pk])
    assert sorted(sent) == sorted([died.pk, lost.pk]) and fresh.pk not in sent
    assert jobs.run_ingest_job(died.pk).status == "done"
    assert IngestJob.objects.get(pk=died.pk).attempts == 2


@pytest.mark.django_db
def test_a_job_that_keeps_killing_its_worker_is_given_up():
    job = IngestJob.objects.create(
        params={"text": SEED_TEXT},
        status="running",
        attempts=IngestJob.MAX_ATTEMPTS,
        lease_until=timezone.now() - timedelta(seconds=1),
    )
    done = jobs.run_ingest_job(job.pk)
    assert done.status == "failed" and "Gave up after" in done.error
    assert not Article.objects.exists()


@pytest.mark.broker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_job_queued_through_the_api(tmp_path, django_user_model):
    from tests.conftest import _api_client_for

    user = django_user_model.objects.create_superuser(username="boss", password="x")
    api = _api_client_for(user)
    queue = own_queue()
    env = child_env(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url_for_children(),
        CELERY_TASK_DEFAULT_QUEUE=queue,
    )
    log = tmp_path / "worker.log"
    worker = start(
        [PYTHON, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO",
         f"--hostname={queue}@%h", "--without-heartbeat", "--without-mingle", "--without-gossip"],
        env=env,
        log=log,
    )  # fmt: skip
    try:
        from config.celery import app

        app.conf.task_default_queue = queue
        try:
            response = api.post(
                "/api/v1/ingest/", {"text": SEED_TEXT, "published": "2018-07", "queue": True}, format="json"
            )
        finally:
            app.conf.task_default_queue = "celery"
        assert response.status_code == 202
        job_id = response.json()["id"]
        try:
            wait_for(lambda: IngestJob.objects.get(pk=job_id).status == "done", timeout=90, what="the job to run")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; worker log:\n{log.read_text()[-3000:]}") from None
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert api.get(f"/api/v1/jobs/{job_id}/").json()["result"]["article"]["new"] is True
    assert Article.objects.count() == 1
