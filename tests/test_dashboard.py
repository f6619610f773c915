"""The admin's home page is a dashboard: what waits for review, new alerts, events by
week and type, the watched companies' mentions, failing feeds, and what is new for
the user's watchlist since Monday; the models below it grouped by purpose."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from intel.ingest.pipeline import ingest_article
from intel.models import Company, Event
from intel.roles import ANALYSTS
from intel.workspace.dashboard import last_monday
from tests.factories import AlertFactory, CompanyFactory, FeedFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


def _home(client, **params):
    return client.get(reverse("admin:index"), params)


def test_what_waits_for_review_is_counted_by_kind_with_links_to_the_inbox(staff_client):
    ingest_article(text="Brightwater Corp said on Monday it would enter India next year.", published="2021-03-08")
    page = _home(staff_client)
    waiting = {w.kind: w.count for w in page.context["waiting"]}
    assert waiting["company"] == Company.objects.filter(review_status="proposed").count() >= 1
    assert waiting["event"] == Event.objects.filter(review_status="proposed").count() >= 1
    assert f'{reverse("admin:workspace_inbox")}?kind=company' in page.content.decode()


def test_events_by_week_are_a_chart_with_its_numbers(staff_client):
    ingest_article(text="Brightwater Corp said on Monday it would enter India next year.", published="2021-03-08")
    page = _home(staff_client)
    html = page.content.decode()
    assert "<svg" in html and "Events by week and type" in html
    weekly = page.context["events_by_week"]
    assert len(weekly.weeks) == 8 and weekly.weeks[-1] == last_monday(timezone.localdate())
    assert ("Market entry", [0] * 7 + [1]) in weekly.series
    assert "<title>" in html  # every bar's tooltip holds its number


def test_watched_companies_mentions_this_week_against_last(staff_client):
    today = timezone.localdate()
    CompanyFactory(name="Brightwater", watched=True)
    for days_ago in (1, 2, 9):
        ingest_article(
            text=f"Brightwater said it sold more solar panels, report number {days_ago}.",
            published=(today - timedelta(days=days_ago)).isoformat(), source=f"Wire {days_ago}",
        )  # fmt: skip
    [trend] = _home(staff_client).context["watched_trends"]
    assert (trend.name, trend.this_week, trend.last_week, trend.change) == ("Brightwater", 2, 1, 1)


def test_new_for_the_watchlist_since_monday_and_since_a_chosen_day(staff_client, staff_user):
    brightwater = CompanyFactory(name="Brightwater")
    WatchlistFactory(owner=staff_user, companies=[brightwater])
    ingest_article(text="Brightwater said on Monday it would enter India next year.", published="2021-03-08")
    page = _home(staff_client)
    assert page.context["since"] == last_monday(timezone.localdate())
    [event] = page.context["new_events"]
    assert event.summary in page.content.decode()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert _home(staff_client, since=tomorrow).context["new_events"] == []


def test_a_bad_since_is_a_message_and_monday_is_used(staff_client):
    page = _home(staff_client, since="last tuesday")
    assert page.status_code == 200
    assert "is not a date" in page.content.decode()
    assert page.context["since"] == last_monday(timezone.localdate())


def test_unread_alerts_and_failing_feeds_are_shown(staff_client, staff_user):
    alert = AlertFactory(watchlist=WatchlistFactory(owner=staff_user), headline="Brightwater enters India")
    FeedFactory(name="Solar wire", error_count=3, last_error="HTTP 503")
    FeedFactory(name="Healthy wire", error_count=0)
    page = _home(staff_client)
    html = page.content.decode()
    assert alert.headline in html
    assert "Solar wire" in html and "HTTP 503" in html and "Healthy wire" not in html


def test_models_are_grouped_by_purpose_and_internals_hidden_from_non_superusers(client, staff_client, django_user_model):
    html = _home(staff_client).content.decode()
    for group in ("Intelligence", "Review", "Monitoring", "Rules", "Reference data", "System"):
        assert f">{group}<" in html or f"{group}</" in html
    analyst = django_user_model.objects.create_user(username="ana", password="pw-ana", is_staff=True)
    analyst.groups.add(Group.objects.get(name=ANALYSTS))
    client.force_login(analyst)
    groups = [g["name"] for g in _home(client).context["app_list"]]
    assert "Intelligence" in groups and "System" not in groups
    assert "Heartbeats" not in _home(client).content.decode()


def test_the_dashboard_costs_the_same_queries_however_much_news(staff_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert _home(staff_client).status_code == 200
        return len(captured.captured_queries)

    CompanyFactory(name="Brightwater", watched=True)
    ingest_article(text="Brightwater said on Monday it would enter India next year.", published=date.today().isoformat())
    _home(staff_client)
    before = count()
    for n in range(3):
        ingest_article(
            text=f"Brightwater will launch its Sun {n} panel in Spain, the company said.",
            published=date.today().isoformat(), source=f"Wire {n}",
        )  # fmt: skip
    assert count() == before
