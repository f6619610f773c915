"""A started ingest job is its worker's for RIVALSCOPE_MONITOR_LEASE seconds, as a feed
check is (it was a hard-coded ten minutes): a killed worker's job is due again then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intel import jobs
from intel.models import IngestJob, JobStatus
from intel.models.leases import lease_length

pytestmark = pytest.mark.django_db


def test_the_lease_follows_the_setting(settings, monkeypatch):
    settings.RIVALSCOPE_MONITOR_LEASE = 45
    job = jobs.queue_ingest(params={"text": "Brightwater Corp will enter India next year."})
    seen: list[timedelta] = []

    def while_running(**kwargs):
        row = IngestJob.objects.get(pk=job.pk)
        seen.append(row.lease_until - row.started_at)
        raise jobs.IngestError("stop here")

    monkeypatch.setattr(jobs, "ingest_article", while_running)
    jobs.run_ingest_job(job.pk)
    assert len(seen) == 1 and abs(seen[0] - timedelta(seconds=45)) < timedelta(seconds=2)


def test_a_killed_workers_job_is_due_again_once_its_lease_ends(settings):
    settings.RIVALSCOPE_MONITOR_LEASE = 30
    job = jobs.queue_ingest(params={"text": "Brightwater Corp will enter India next year."})
    started = timezone.now() - timedelta(seconds=31)
    IngestJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=started, lease_until=started + lease_length(), attempts=1
    )
    assert job.pk in jobs.requeue_stale_ingest_jobs()
