"""Retention: old finished feed entries, old sent alert deliveries and superseded history go; nothing else."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intel import retention
from intel.choices import DeliveryStatus, EntryStatus
from intel.models import Alert, AlertDelivery, Company, FeedEntry
from intel.tasks import apply_retention_task
from tests.factories import AlertFactory, CompanyFactory, FeedEntryFactory, FeedFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=5)


@pytest.fixture
def retain_30_days(settings):
    settings.RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS = 30
    settings.RIVALSCOPE_RETAIN_DELIVERIES_DAYS = 30
    settings.RIVALSCOPE_RETAIN_HISTORY_DAYS = 30


def _entry(status: str, *, found_at, ingested_at=None, feed=None) -> FeedEntry:
    return FeedEntryFactory(feed=feed or FeedFactory(), status=status, found_at=found_at, ingested_at=ingested_at)


def _delivery(status: str, *, channel: str = "email", **times) -> AlertDelivery:
    return AlertDelivery.objects.create(alert=AlertFactory(), channel=channel, status=status, **times)


def _age_history(pk: int, when) -> None:
    """Move every history row of company ``pk`` to ``when`` (history is written with the current time)."""
    Company.history.filter(id=pk).update(history_date=when)


def _history_types(pk: int) -> list[str]:
    return list(
        Company.history.filter(id=pk).order_by("history_date", "history_id").values_list("history_type", flat=True)
    )


def test_old_finished_feed_entries_go_and_pending_or_recent_ones_stay(retain_30_days):
    feed = FeedFactory()
    ingested = _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=OLD, feed=feed)
    duplicate = _entry(EntryStatus.DUPLICATE, found_at=OLD, ingested_at=OLD, feed=feed)
    failed = _entry(EntryStatus.FAILED, found_at=OLD, feed=feed)
    pending = _entry(EntryStatus.PENDING, found_at=OLD, feed=feed)
    recent = _entry(EntryStatus.INGESTED, found_at=RECENT, ingested_at=RECENT, feed=feed)
    retried_lately = _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=RECENT, feed=feed)

    counts = retention.purge_expired(now=NOW)

    assert counts["feed_entries"] == 3
    gone = {ingested.pk, duplicate.pk, failed.pk}
    assert not FeedEntry.objects.filter(pk__in=gone).exists()
    assert set(FeedEntry.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk, retried_lately.pk}


def test_old_sent_or_given_up_deliveries_go_and_their_alerts_stay(retain_30_days):
    sent = _delivery(DeliveryStatus.SENT, sent_at=OLD, last_attempt_at=OLD)
    failed = _delivery(DeliveryStatus.FAILED, last_attempt_at=OLD)
    pending = _delivery(DeliveryStatus.PENDING, last_attempt_at=OLD, next_attempt_at=OLD)
    recent = _delivery(DeliveryStatus.SENT, sent_at=RECENT, last_attempt_at=RECENT)
    failed_lately = _delivery(DeliveryStatus.FAILED, last_attempt_at=RECENT)

    counts = retention.purge_expired(now=NOW)

    assert counts["alert_deliveries"] == 2
    assert set(AlertDelivery.objects.values_list("pk", flat=True)) == {pending.pk, recent.pk, failed_lately.pk}
    assert Alert.objects.filter(pk__in=[sent.alert_id, failed.alert_id]).count() == 2


def test_old_history_goes_but_each_records_newest_row_stays(retain_30_days):
    # Given: a company created and renamed long ago, then renamed lately;
    edited = CompanyFactory(name="Acme")
    edited.name = "Acme Corp"
    edited.save()
    _age_history(edited.pk, OLD)
    edited.name = "Acme Corporation"
    edited.save()
    # one created long ago and never changed; one created and deleted long ago;
    untouched = CompanyFactory()
    _age_history(untouched.pk, OLD)
    deleted = CompanyFactory()
    deleted_pk = deleted.pk
    deleted.delete()
    _age_history(deleted_pk, OLD)
    # and one created and changed lately.
    fresh = CompanyFactory()
    fresh.name = "Fresh name"
    fresh.save()

    # When
    counts = retention.purge_expired(now=NOW)

    # Then: the two old versions of the renamed company go, its newest stays;
    assert _history_types(edited.pk) == ["~"]
    assert edited.history.first().name == "Acme Corporation"
    # a record's only row stays however old; a deleted record keeps its deletion row;
    assert _history_types(untouched.pk) == ["+"]
    assert _history_types(deleted_pk) == ["-"]
    # recent rows stay.
    assert _history_types(fresh.pk) == ["+", "~"]
    assert counts["history:intel.company"] == 3


def test_every_setting_0_deletes_nothing(settings):
    settings.RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS = 0
    settings.RIVALSCOPE_RETAIN_DELIVERIES_DAYS = 0
    settings.RIVALSCOPE_RETAIN_HISTORY_DAYS = 0
    _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=OLD)
    _delivery(DeliveryStatus.SENT, sent_at=OLD, last_attempt_at=OLD)
    company = CompanyFactory()
    company.save()
    _age_history(company.pk, OLD)
    before = (FeedEntry.objects.count(), AlertDelivery.objects.count(), Company.history.count())

    assert retention.purge_expired(now=NOW + timedelta(days=3650)) == {}
    assert (FeedEntry.objects.count(), AlertDelivery.objects.count(), Company.history.count()) == before


def test_the_defaults_are_off():
    assert django_settings.RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS == 0
    assert django_settings.RIVALSCOPE_RETAIN_DELIVERIES_DAYS == 0
    assert django_settings.RIVALSCOPE_RETAIN_HISTORY_DAYS == 0


def test_a_purge_deletes_in_batches_of_bounded_size(settings, monkeypatch):
    settings.RIVALSCOPE_RETAIN_FEED_ENTRIES_DAYS = 30
    monkeypatch.setattr(retention, "BATCH_SIZE", 4)
    feed = FeedFactory()
    for _ in range(10):
        _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=OLD, feed=feed)
    kept = _entry(EntryStatus.PENDING, found_at=OLD, feed=feed)

    with CaptureQueriesContext(connection) as queries:
        counts = retention.purge_expired(now=NOW)

    assert counts == {"feed_entries": 10}
    assert list(FeedEntry.objects.values_list("pk", flat=True)) == [kept.pk]
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].upper().startswith("DELETE")]
    assert len(deletes) == 3  # 4 + 4 + 2


def test_dry_run_counts_and_deletes_nothing(retain_30_days):
    _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=OLD)
    _entry(EntryStatus.FAILED, found_at=OLD)

    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)

    assert FeedEntry.objects.count() == 2
    line = next(line for line in out.getvalue().splitlines() if line.startswith("feed_entries"))
    assert "2 would be deleted" in line


def test_the_command_deletes_and_says_how_many(retain_30_days):
    _entry(EntryStatus.INGESTED, found_at=OLD, ingested_at=OLD)

    out = StringIO()
    call_command("apply_retention", stdout=out)

    assert FeedEntry.objects.count() == 0
    assert "1 deleted" in next(line for line in out.getvalue().splitlines() if line.startswith("feed_entries"))


def test_the_command_says_when_retention_is_off():
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert "Retention is off" in out.getvalue()


def test_beat_runs_the_task_daily_and_the_task_purges(retain_30_days):
    entry = _entry(EntryStatus.INGESTED, found_at=NOW - timedelta(days=400), ingested_at=NOW - timedelta(days=400))

    schedule = django_settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert schedule["task"] == apply_retention_task.name == "intel.tasks.apply_retention_task"
    assert apply_retention_task.run()["feed_entries"] == 1
    assert not FeedEntry.objects.filter(pk=entry.pk).exists()
