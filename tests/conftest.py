"""Fixtures shared by the whole suite, and the markers that pick the database and broker."""

from __future__ import annotations

import os

import pytest
from django.conf import settings

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
HAS_REAL_BROKER = BROKER_URL.startswith(("redis://", "rediss://", "amqp://", "pyamqp://"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_broker = pytest.mark.skip(reason="needs a real broker: set CELERY_BROKER_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(skip_pg)
        if "broker" in item.keywords and not HAS_REAL_BROKER:
            item.add_marker(skip_broker)


@pytest.fixture
def staff_user(db, django_user_model):
    return django_user_model.objects.create_superuser(username="analyst", email="a@example.com", password="pw-analyst")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def fresh_gazetteer():
    """Each test builds the gazetteer from its own database.

    A transactional test flushes every table, the version counter included, so a
    gazetteer cached by an earlier test could look current while naming rows
    that no longer exist.
    """
    from intel.ingest import gazetteer_cache

    gazetteer_cache._cached = None
    yield
    gazetteer_cache._cached = None


from tests.httpserver import http_server  # noqa: E402, F401  (the local HTTP server fixture, for every test)

# --- REST API: one user per role, each calling with its own token ------------------


def _api_client_for(user):
    from rest_framework.test import APIClient

    from intel.models import ApiToken

    _, key = ApiToken.issue(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.user = user
    return client


@pytest.fixture
def reader(db, django_user_model):
    from django.contrib.auth.models import Group

    from intel.roles import READERS

    user = django_user_model.objects.create_user(username="reader", password="pw-reader")
    user.groups.add(Group.objects.get(name=READERS))
    return user


@pytest.fixture
def analyst(db, django_user_model):
    from django.contrib.auth.models import Group

    from intel.roles import ANALYSTS

    user = django_user_model.objects.create_user(username="analyst-user", password="pw-analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS))
    return user


@pytest.fixture
def reader_api(reader):
    return _api_client_for(reader)


@pytest.fixture
def analyst_api(analyst):
    return _api_client_for(analyst)


@pytest.fixture
def staff_api(staff_user):
    return _api_client_for(staff_user)


@pytest.fixture(scope="session", autouse=True)
def _remove_test_queues():
    """The real-worker tests' queues, and what their workers left, are deleted from the broker (Redis or
    RabbitMQ) when the session ends.

    Tasks the tests queue without a worker of their own (an API ingest with "queue":
    true, say) go to a default queue of the session's own, deleted with the rest, not
    to the broker's "celery" queue, where they would stay for whoever consumes it.
    """
    from django.conf import settings

    from config.celery import app
    from tests.processes import delete_test_queues, own_queue

    default = own_queue()
    saved = settings.CELERY_TASK_DEFAULT_QUEUE, app.conf.task_default_queue
    settings.CELERY_TASK_DEFAULT_QUEUE = app.conf.task_default_queue = default
    yield
    settings.CELERY_TASK_DEFAULT_QUEUE, app.conf.task_default_queue = saved
    delete_test_queues()
