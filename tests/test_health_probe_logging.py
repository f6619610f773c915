"""A readiness probe's 503 is not logged as a server error (nor sent to Sentry as one):
it is the answer the probe exists to give, every few seconds while a worker is down.
Other 5xx answers are still logged."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_failing_readiness_probe_logs_no_error(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/health/ready/")  # no worker has ever beaten here
    assert response.status_code == 503
    assert [r for r in caplog.records if r.name == "django.request"] == []


def test_other_server_errors_are_still_logged():
    from intel.observability import HealthProbeFilter

    class Request:
        path = "/api/v1/ingest/"

    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Service Unavailable", None, None)
    record.status_code, record.request = 503, Request()
    assert HealthProbeFilter().filter(record) is True
    Request.path = "/health/ready/"
    assert HealthProbeFilter().filter(record) is False
