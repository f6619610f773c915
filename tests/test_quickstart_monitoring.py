"""The quick start shows monitoring without the internet: the app serves a sample feed, a watchlist on Xiaomi alerts."""

from __future__ import annotations

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from intel.choices import AlertKind, EntryStatus
from intel.models import Alert, Feed, FeedEntry, Watchlist
from tests.monitoring import run_cycle


@pytest.mark.django_db
def test_the_app_serves_the_sample_feed_and_answers_conditional_requests(client):
    response = client.get("/sample/feed.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert b"Xiaomi to launch phones in the US next year" in response.content
    again = client.get("/sample/feed.xml", headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


@pytest.mark.django_db
def test_the_quickstart_command_sets_up_the_sample_feed_and_watchlist_once(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("quickstart", "--port", "8123", stdout=out)
    call_command("quickstart", "--port", "8124", stdout=out)
    feed = Feed.objects.get()
    assert feed.url == "http://127.0.0.1:8124/sample/feed.xml"  # follows the web port
    watchlist = Watchlist.objects.get()
    assert [c.name for c in watchlist.companies.all()] == ["Xiaomi"]
    assert "its alerts appear within a minute or two" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_checking_the_sample_feed_raises_the_alerts_a_new_user_should_see(live_server, settings, tmp_path):
    port = urlsplit(live_server.url).port
    settings.VAR_DIR = tmp_path
    # An earlier transactional test may have flushed the markets the migration loads.
    call_command("load_reference_data", stdout=StringIO())
    # What config/settings/local.py does for the quick start: that host and port, by name.
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = []
    settings.RIVALSCOPE_FETCH_ALLOWED_HOSTS = [f"127.0.0.1:{port}/sample/"]
    call_command("quickstart", "--port", str(port), stdout=StringIO())

    run_cycle()

    assert set(FeedEntry.objects.values_list("status", flat=True)) == {EntryStatus.INGESTED}
    alerts = {alert.headline: alert for alert in Alert.objects.all()}
    # Related news, a new story once (its syndicated copy raises nothing), and the
    # passing mention of Xiaomi in a Samsung story is below the watchlist's minimum.
    assert set(alerts) == {"Xiaomi to launch phones in the US next year", "Xiaomi opens its first store in Spain"}
    us = alerts["Xiaomi to launch phones in the US next year"]
    assert us.kind == AlertKind.NEW_SOURCE
    assert (
        "new source for: Xiaomi: market entry – United States (planned, 2019); now 2 independent sources" in us.message
    )


def test_the_sample_feed_is_not_served_where_it_is_switched_off(client, settings):
    settings.RIVALSCOPE_SERVE_SAMPLE_FEED = False  # production's default
    assert client.get("/sample/feed.xml").status_code == 404
