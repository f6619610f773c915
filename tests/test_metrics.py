"""``/metrics``: rivalscope's figures, counted in the database at each scrape, behind a bearer token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from intel.choices import AlertChannel, ArticleStatus, DeliveryStatus, EntryStatus, FeedStatus, ReviewStatus
from intel.health import record_heartbeat
from intel.models import AlertDelivery, Article, Feed, FeedEntry, Heartbeat, IngestJob, JobStatus, Reviewable
from intel.review import REVIEWABLE_MODELS
from tests.factories import (
    AlertFactory,
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    FeedEntryFactory,
    FeedFactory,
    MentionFactory,
    ProposedCompanyFactory,
)

pytestmark = pytest.mark.django_db

TOKEN = "scrape-me-7f3c9a2e41d05b86"


@pytest.fixture
def metrics_on(settings):
    settings.RIVALSCOPE_METRICS_TOKEN = TOKEN


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an authorised scrape, parsed as Prometheus parses it: {(name, labels): value}."""
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.content
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[sample.name, tuple(sorted(sample.labels.items()))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[name, tuple(sorted(labels.items()))]


# --- The token ----------------------------------------------------------------------


def test_the_endpoint_is_off_without_a_token_setting(client, settings):
    settings.RIVALSCOPE_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_a_scrape_without_a_token_is_asked_for_one(client, metrics_on):
    response = client.get("/metrics")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"Authorization: Bearer" in response.content
    assert b"rivalscope_" not in response.content


@pytest.mark.parametrize("header", ["Bearer", "Bearer   ", f"Token {TOKEN}", f"Basic {TOKEN}", TOKEN])
def test_a_scrape_with_another_scheme_or_no_credentials_is_asked_for_a_bearer_token(client, metrics_on, header):
    assert client.get("/metrics", HTTP_AUTHORIZATION=header).status_code == 401


@pytest.mark.parametrize("wrong", ["nope", TOKEN[:-1], TOKEN + "x", TOKEN.upper(), "žluťoučký"])
def test_a_wrong_token_is_refused(client, metrics_on, wrong):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {wrong}")
    assert response.status_code == 403
    assert response.content == b"Wrong metrics token.\n"


def test_the_right_token_reads_the_metrics_and_the_scheme_is_case_insensitive(client, metrics_on):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    assert "no-cache" in response["Cache-Control"]
    assert b"# TYPE rivalscope_articles gauge" in response.content


def test_only_get_and_head_are_answered(client, metrics_on):
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


def test_openmetrics_is_answered_when_asked_for(client, metrics_on):
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


def test_the_token_stays_behind_the_https_redirect_while_health_checks_do_not(client, metrics_on, settings):
    settings.SECURE_SSL_REDIRECT = True
    plain = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/metrics"
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", secure=True).status_code == 200
    assert client.get("/health/").status_code == 200


# --- The figures --------------------------------------------------------------------


def test_an_empty_database_reports_every_series_at_zero(client, metrics_on):
    samples = scrape(client)
    for status in ArticleStatus.values:
        assert value(samples, "rivalscope_articles", status=status) == 0
    for kind in REVIEWABLE_MODELS:
        assert value(samples, "rivalscope_proposals", kind=kind) == 0
    for queue in ("ingest_job", "feed_entry", "feed_check", "alert_delivery"):
        assert value(samples, "rivalscope_queue_oldest_age_seconds", queue=queue) == 0
    assert value(samples, "rivalscope_workers", state="alive") == 0
    assert value(samples, "rivalscope_feeds_failing") == 0


def test_articles_are_counted_by_status(client, metrics_on):
    ArticleFactory()
    failed = ArticleFactory()
    Article.objects.filter(pk=failed.pk).update(status=ArticleStatus.FAILED)

    samples = scrape(client)

    assert value(samples, "rivalscope_articles", status="stored") == 1
    assert value(samples, "rivalscope_articles", status="failed") == 1
    assert value(samples, "rivalscope_articles", status="processed") == 0


def test_feeds_checked_and_failing_are_counted_among_active_feeds(client, metrics_on):
    now = timezone.now()
    FeedFactory()  # never checked
    FeedFactory(last_checked_at=now, last_status=FeedStatus.NEW_ITEMS)
    failing = FeedFactory()
    Feed.objects.filter(pk=failing.pk).update(last_checked_at=now, last_status=FeedStatus.ERROR, error_count=3)
    switched_off = FeedFactory(active=False)
    Feed.objects.filter(pk=switched_off.pk).update(last_checked_at=now, last_status=FeedStatus.ERROR, error_count=9)

    samples = scrape(client)

    assert value(samples, "rivalscope_feeds", last_status="never") == 1
    assert value(samples, "rivalscope_feeds", last_status="new_items") == 1
    assert value(samples, "rivalscope_feeds", last_status="error") == 1
    assert value(samples, "rivalscope_feeds", last_status="rate_limited") == 0
    assert value(samples, "rivalscope_feeds_checked") == 2
    assert value(samples, "rivalscope_feeds_failing") == 1


def test_feed_entries_are_counted_by_status(client, metrics_on):
    feed = FeedFactory()
    FeedEntryFactory(feed=feed, status=EntryStatus.INGESTED)
    FeedEntryFactory(feed=feed, status=EntryStatus.FAILED, error="no text")
    FeedEntryFactory(feed=feed, status=EntryStatus.FAILED, error="no text")
    FeedEntryFactory(feed=feed)

    samples = scrape(client)

    assert value(samples, "rivalscope_feed_entries", status="failed") == 2
    assert value(samples, "rivalscope_feed_entries", status="ingested") == 1
    assert value(samples, "rivalscope_feed_entries", status="pending") == 1
    assert value(samples, "rivalscope_feed_entries", status="duplicate") == 0


def test_proposals_are_records_awaiting_review_by_kind(client, metrics_on):
    ProposedCompanyFactory.create_batch(2)
    CompanyFactory()  # confirmed: not a proposal
    CompanyFactory(review_status=ReviewStatus.REJECTED)
    MentionFactory()  # proposed, with an article and a confirmed company
    EventFactory(review_status=ReviewStatus.PROPOSED)

    samples = scrape(client)

    assert value(samples, "rivalscope_proposals", kind="company") == 2
    assert value(samples, "rivalscope_proposals", kind="mention") == 1
    assert value(samples, "rivalscope_proposals", kind="event") == 1
    assert value(samples, "rivalscope_proposals", kind="quote") == 0


def test_every_reviewable_model_is_a_proposal_kind():
    reviewable = {model for model in apps.get_app_config("intel").get_models() if issubclass(model, Reviewable)}
    assert set(REVIEWABLE_MODELS.values()) == reviewable


def test_alerts_and_deliveries_are_counted_and_the_oldest_due_delivery_aged(client, metrics_on):
    now = timezone.now()
    sent, failed, due, later = AlertFactory.create_batch(4)
    AlertDelivery.objects.create(alert=sent, channel=AlertChannel.EMAIL, status=DeliveryStatus.SENT, sent_at=now)
    AlertDelivery.objects.create(alert=failed, channel=AlertChannel.WEBHOOK, status=DeliveryStatus.FAILED)
    AlertDelivery.objects.create(alert=due, channel=AlertChannel.EMAIL, next_attempt_at=now - timedelta(minutes=5))
    # Claimed (its due time moved to the lease's end) or retried later: not waiting yet.
    AlertDelivery.objects.create(alert=later, channel=AlertChannel.EMAIL, next_attempt_at=now + timedelta(minutes=5))
    # A digest delivery waits for the daily digest, not in the queue.
    AlertDelivery.objects.create(alert=later, channel=AlertChannel.WEBHOOK, digest=True)

    samples = scrape(client)

    assert value(samples, "rivalscope_alerts") == 4
    assert value(samples, "rivalscope_alert_deliveries", status="sent") == 1
    assert value(samples, "rivalscope_alert_deliveries", status="failed") == 1
    assert value(samples, "rivalscope_alert_deliveries", status="pending") == 3
    assert 300 <= value(samples, "rivalscope_queue_oldest_age_seconds", queue="alert_delivery") < 360


def test_queue_ages_are_the_oldest_waiting_item_of_each_kind(client, metrics_on):
    now = timezone.now()
    old_job, _new_job, done_job = (IngestJob.objects.create(params={}) for _ in range(3))
    IngestJob.objects.filter(pk=old_job.pk).update(created_at=now - timedelta(minutes=10))
    IngestJob.objects.filter(pk=done_job.pk).update(created_at=now - timedelta(days=2), status=JobStatus.DONE)
    feed = FeedFactory(next_check_at=now - timedelta(minutes=3))
    FeedFactory(next_check_at=now + timedelta(minutes=30))  # claimed, or not due yet
    FeedFactory(active=False, next_check_at=now - timedelta(days=1))  # switched off: never checked again
    FeedEntryFactory(feed=feed, found_at=now - timedelta(minutes=20))
    FeedEntryFactory(feed=feed, found_at=now - timedelta(minutes=1))
    FeedEntryFactory(feed=feed, found_at=now - timedelta(days=3), status=EntryStatus.INGESTED)

    samples = scrape(client)

    assert 600 <= value(samples, "rivalscope_queue_oldest_age_seconds", queue="ingest_job") < 660
    assert 1200 <= value(samples, "rivalscope_queue_oldest_age_seconds", queue="feed_entry") < 1260
    assert 180 <= value(samples, "rivalscope_queue_oldest_age_seconds", queue="feed_check") < 240
    assert value(samples, "rivalscope_queue_oldest_age_seconds", queue="alert_delivery") == 0
    assert value(samples, "rivalscope_ingest_jobs", status="queued") == 2
    assert value(samples, "rivalscope_ingest_jobs", status="done") == 1


def test_each_workers_heartbeat_age_is_reported_and_stale_workers_counted(client, metrics_on):
    record_heartbeat(name="celery@fresh", hostname="box-1")
    record_heartbeat(name="celery@gone", hostname="box-2")
    Heartbeat.objects.filter(name="celery@gone").update(last_seen_at=timezone.now() - timedelta(minutes=10))

    samples = scrape(client)

    assert value(samples, "rivalscope_worker_heartbeat_age_seconds", worker="celery@fresh", hostname="box-1") < 60
    assert value(samples, "rivalscope_worker_heartbeat_age_seconds", worker="celery@gone", hostname="box-2") >= 600
    assert value(samples, "rivalscope_workers", state="alive") == 1
    assert value(samples, "rivalscope_workers", state="stale") == 1


def test_a_scrape_costs_a_fixed_number_of_queries_however_many_rows(client, metrics_on, django_assert_num_queries):
    # One query per figure: 3 status counts, one per proposal kind, 2 on feeds, 2 on
    # alerts, 4 queue ages and the heartbeats. More rows must never mean more queries.
    expected = 3 + len(REVIEWABLE_MODELS) + 2 + 2 + 4 + 1
    with django_assert_num_queries(expected):
        scrape(client)
    feed = FeedFactory()
    FeedEntryFactory.create_batch(5, feed=feed)
    ArticleFactory.create_batch(5)
    for n in range(3):
        record_heartbeat(name=f"celery@w{n}")
    with django_assert_num_queries(expected):
        scrape(client)
    assert FeedEntry.objects.count() == 5
