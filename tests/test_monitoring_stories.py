"""From entry to alert: duplicates across feeds, related news, relevance, and one alert per story per watchlist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from intel.choices import AlertKind, EntryStatus
from intel.models import Alert, Article, Company, FeedEntry
from intel.quickstart import store_sample_article
from tests import feeds
from tests.factories import FeedFactory, WatchlistFactory
from tests.monitoring import RSS, run_cycle

pytestmark = pytest.mark.django_db

US_PLAN = {
    "guid": "urn:techwire:xiaomi-us",
    "title": "Xiaomi to launch phones in the US next year",
    "link": "https://techwire.example/xiaomi-us",
    "source": "TechWire",
    "text": "<p>Chinese smartphone maker Xiaomi plans to enter the US market next year, senior vice president "
    "Wang Xiang said on Tuesday. The company is talking to American carriers about selling its budget handsets."
    "</p><p>Analysts said the move would put Xiaomi in direct competition with Apple and Samsung.</p>",
}
SPAIN = {
    "guid": "urn:eurotech:xiaomi-spain",
    "title": "Xiaomi opens its first store in Spain",
    "link": "https://eurotech.example/xiaomi-spain",
    "source": "EuroTech",
    "text": "<p>Xiaomi opened its first official store in Madrid on Saturday, the company said, as it expands into "
    "European markets. The Chinese maker launched its Mi A2 smartphone in Spain at the same time.</p>"
    "<p>Queues formed outside the shop hours before it opened.</p>",
}
SPAIN_COPY = {
    **SPAIN,
    "guid": "urn:copynews:xiaomi-spain",
    "link": "https://copynews.example/xiaomi-spain",
    "source": "CopyNews",
    "text": SPAIN["text"] + "<p>(Syndicated.)</p>",
}
PASSING = {
    "guid": "urn:mobiledaily:samsung",
    "title": "Samsung cuts Galaxy prices in India",
    "link": "https://mobiledaily.example/samsung",
    "source": "Mobile Daily",
    "text": "<p>Samsung lowered the prices of three Galaxy models in India on Thursday, ahead of the holidays.</p>"
    "<p>The Korean company faces strong competition in the country's budget segment.</p>"
    "<p>Rivals such as Xiaomi have not changed their prices.</p>",
}


@pytest.fixture(autouse=True)
def local_fetching(settings):
    settings.RIVALSCOPE_FETCH_ALLOWED_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def xiaomi_watchlist():
    store_sample_article()  # Xiaomi's 2019 US plan is a known event with one source
    return WatchlistFactory(name="Xiaomi", companies=[Company.objects.get(name="Xiaomi")])


def _serve(http_server, path, items):
    http_server.route(path, body=feeds.rss(items), headers=RSS)
    return FeedFactory(url=http_server.url(path))


def test_a_second_outlet_on_a_known_event_is_new_evidence_and_the_alert_says_so(http_server, xiaomi_watchlist):
    _serve(http_server, "/techwire.xml", [US_PLAN])

    run_cycle()

    alert = Alert.objects.get()
    assert alert.kind == AlertKind.NEW_SOURCE
    assert alert.event.summary == "Xiaomi: market entry – United States (planned, 2019)"
    assert alert.independent_sources == 2
    assert (
        "new source for: Xiaomi: market entry – United States (planned, 2019); now 2 independent sources"
        in alert.message
    )
    assert alert.relevance == 1.0 and "Xiaomi in the headline" in alert.reasons


def test_one_story_syndicated_by_several_outlets_is_one_story_with_one_alert(http_server, xiaomi_watchlist):
    _serve(http_server, "/eurotech.xml", [SPAIN, SPAIN_COPY])  # both copies in one feed, one batch
    third = {**SPAIN_COPY, "guid": "urn:third:x", "link": "https://third.example/x", "source": "Third"}
    _serve(http_server, "/other.xml", [{**third, "text": SPAIN["text"] + "<p>(Via Third.)</p>"}])

    run_cycle()

    original = Article.objects.get(url="https://eurotech.example/xiaomi-spain")
    copies = Article.objects.filter(duplicate_of=original)
    assert copies.count() == 2  # near-duplicates, each with its own source
    assert Alert.objects.count() == 1
    assert Alert.objects.get().story == original


def test_the_same_guid_in_two_feeds_is_ingested_once(http_server, xiaomi_watchlist):
    _serve(http_server, "/a.xml", [SPAIN])
    run_cycle()
    _serve(http_server, "/b.xml", [{**SPAIN, "link": "https://mirror.example/elsewhere", "text": "<p>Other words entirely here.</p>"}])

    run_cycle()

    assert Article.objects.filter(title=SPAIN["title"]).count() == 1
    assert list(FeedEntry.objects.order_by("pk").values_list("status", flat=True)) == [
        EntryStatus.INGESTED,
        EntryStatus.DUPLICATE,
    ]
    assert Alert.objects.count() == 1


def test_the_same_url_under_another_guid_is_ingested_once(http_server, xiaomi_watchlist):
    _serve(http_server, "/a.xml", [SPAIN])
    _serve(http_server, "/b.xml", [{**SPAIN, "guid": "42", "link": SPAIN["link"] + "?utm_source=rss"}])

    run_cycle()
    run_cycle(now=timezone.now() + timedelta(hours=2))

    assert Article.objects.filter(title=SPAIN["title"]).count() == 1
    assert sorted(FeedEntry.objects.values_list("status", flat=True)) == [EntryStatus.DUPLICATE, EntryStatus.INGESTED]
    assert Alert.objects.count() == 1


def test_the_same_text_at_another_address_is_one_article(http_server, xiaomi_watchlist):
    _serve(http_server, "/a.xml", [SPAIN])
    run_cycle()
    _serve(http_server, "/b.xml", [{**SPAIN, "guid": "urn:b", "link": "https://b.example/same-text"}])

    run_cycle()

    assert Article.objects.filter(title=SPAIN["title"]).count() == 1
    assert FeedEntry.objects.get(guid="urn:b").status == EntryStatus.DUPLICATE
    assert Alert.objects.count() == 1


def test_a_passing_mention_is_below_the_minimum_and_raises_nothing(http_server, xiaomi_watchlist):
    _serve(http_server, "/md.xml", [PASSING])
    run_cycle()
    assert Article.objects.filter(title=PASSING["title"]).exists()
    assert not Alert.objects.exists()


def test_a_watchlist_that_asks_for_little_hears_of_passing_mentions(http_server, xiaomi_watchlist):
    xiaomi_watchlist.min_relevance = 0.2
    xiaomi_watchlist.save()
    _serve(http_server, "/md.xml", [PASSING])
    run_cycle()
    alert = Alert.objects.get()
    assert alert.relevance == 0.3 and alert.reasons == ["Xiaomi mentioned in passing"]


def test_each_watchlist_gets_its_own_alert_for_a_story(http_server, xiaomi_watchlist):
    other = WatchlistFactory(name="Spain", keywords="store\nMadrid")
    _serve(http_server, "/a.xml", [SPAIN])
    run_cycle()
    assert set(Alert.objects.values_list("watchlist__name", flat=True)) == {"Xiaomi", "Spain"}
    keyword_alert = Alert.objects.get(watchlist=other)
    assert keyword_alert.reasons[0] == "keyword “store” in the headline"
    assert keyword_alert.relevance == 0.9


def test_event_types_narrow_a_watchlist_and_can_be_all_it_watches(http_server, xiaomi_watchlist):
    entries_only = WatchlistFactory(name="Entries", event_types=["market_entry"])
    launches = WatchlistFactory(name="Xiaomi launches", event_types=["legal"], companies=[Company.objects.get(name="Xiaomi")])
    _serve(http_server, "/a.xml", [US_PLAN])
    run_cycle()
    alert = Alert.objects.get(watchlist=entries_only)
    assert alert.relevance == 0.6 and "event type: Market entry" in alert.reasons
    # Xiaomi in the headline (1.0) but no legal event: halved to 0.5, which still reaches 0.5.
    assert Alert.objects.get(watchlist=launches).relevance == 0.5


def test_a_bad_item_fails_alone_and_the_rest_are_ingested(http_server, xiaomi_watchlist):
    future = timezone.now() + timedelta(days=400)
    bad = {"guid": "urn:bad", "title": " ", "text": " "}
    _serve(http_server, "/a.xml", [SPAIN, bad, {**US_PLAN, "published": future}])
    run_cycle()
    statuses = dict(FeedEntry.objects.values_list("guid", "status"))
    assert statuses == {
        SPAIN["guid"]: EntryStatus.INGESTED,
        "urn:bad": EntryStatus.FAILED,
        US_PLAN["guid"]: EntryStatus.INGESTED,  # a date in the future is read as today
    }
    assert "neither a title nor any text" in FeedEntry.objects.get(guid="urn:bad").error


def test_an_alert_is_sent_on_each_channel_once_and_shown_in_the_admin(http_server, xiaomi_watchlist, staff_client):
    from django.core import mail

    xiaomi_watchlist.email, xiaomi_watchlist.email_to = True, "xiaomi-team@example.com"
    xiaomi_watchlist.save()
    _serve(http_server, "/a.xml", [SPAIN])
    run_cycle()
    run_cycle(now=timezone.now() + timedelta(hours=2))

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["xiaomi-team@example.com"]
    page = staff_client.get("/admin/intel/alert/").content.decode()
    assert "Xiaomi opens its first store in Spain" in page
