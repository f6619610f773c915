"""A company's profile and brief in the admin: what it did where, on what sources,
with confirmed and proposed told apart, and bad input answered on the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intel.ingest.pipeline import ingest_article
from intel.models import Company, Event, Market
from intel.review import confirm_records
from tests.seed import ingest_seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def xiaomi() -> Company:
    ingest_seed()
    return Company.objects.get(name="Xiaomi")


def test_the_profile_answers_what_the_company_does_in_a_market_and_on_what_sources(staff_client, xiaomi):
    us = Market.objects.get(iso_code="US")
    page = staff_client.get(reverse("admin:workspace_company", args=[xiaomi.pk]), {"market": us.pk})
    assert page.status_code == 200
    html = page.content.decode()
    entry = Event.objects.get(type="market_entry", participants__company=xiaomi, markets=us)
    assert entry.summary in html
    assert "Timeline in United States" in html
    assert "2019" in html  # "next year" in a July 2018 article
    assert "Reuters" in html or "independent source" in html
    assert 'class="ws-proposed"' in html  # ingested events wait for review
    # Every other event of the timeline is in the United States too.
    timeline = page.context["profile"].timeline
    assert timeline and all(us in e.event.markets.all() for e in timeline)


def test_confirmed_and_proposed_events_are_told_apart(staff_client, staff_user, xiaomi):
    event = Event.objects.filter(participants__company=xiaomi).first()
    confirm_records(Event.objects.filter(pk=event.pk), by=staff_user)
    html = staff_client.get(reverse("admin:workspace_company", args=[xiaomi.pk])).content.decode()
    assert 'class="ws-confirmed"' in html and 'class="ws-proposed"' in html


def test_the_profile_shows_markets_people_articles_and_what_changed(staff_client, staff_user, xiaomi):
    xiaomi.description = "Makes phones."
    xiaomi.save()
    since = (timezone.localdate() - timedelta(days=1)).isoformat()
    page = staff_client.get(reverse("admin:workspace_company", args=[xiaomi.pk]), {"since": since})
    html = page.content.decode()
    assert "United States" in html and "entering" in html
    assert "Xiaomi to enter US market next year" in html  # recent articles
    assert page.context["changes"], "the edit above is a change since yesterday"
    assert any(c.what == "changed" and "description" in c.fields for c in page.context["changes"])


@pytest.mark.parametrize(("params", "message"), [
    ({"market": "abc"}, "is not a market"),
    ({"market": "999999"}, "no events in that market"),
    ({"since": "monday"}, "is not a date"),
])  # fmt: skip
def test_bad_filters_are_a_message_on_the_page(staff_client, xiaomi, params, message):
    page = staff_client.get(reverse("admin:workspace_company", args=[xiaomi.pk]), params)
    assert page.status_code == 200
    assert message in page.content.decode()


def test_an_unknown_company_is_a_404_and_anonymous_users_go_to_the_login(client, staff_client, xiaomi):
    assert staff_client.get(reverse("admin:workspace_company", args=[999999])).status_code == 404
    staff_client.logout()
    response = client.get(reverse("admin:workspace_company", args=[xiaomi.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_brief_fits_events_with_sources_and_quotes_on_a_printable_page(staff_client, xiaomi):
    page = staff_client.get(reverse("admin:workspace_brief", args=[xiaomi.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "rivalscope brief" in html and "Latest events" in html
    assert "window.print()" in html
    assert Event.objects.filter(participants__company=xiaomi).first().summary in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_profile_and_brief_cost_the_same_queries_however_much_news(staff_client, xiaomi):
    urls = [reverse("admin:workspace_company", args=[xiaomi.pk]), reverse("admin:workspace_brief", args=[xiaomi.pk])]
    for url in urls:
        staff_client.get(url)
    before = [_queries(staff_client, url) for url in urls]
    for n, month in enumerate(("08", "09", "10")):
        ingest_article(
            text=f"Xiaomi will launch its Mi {n + 10} phone in India next year, the company said on Monday. "
            "Xiaomi also plans to enter Spain, Reuters reported.",
            published=f"2018-{month}-10", source=f"Wire {n}",
        )  # fmt: skip
    assert [_queries(staff_client, url) for url in urls] == before


def test_the_brief_downloads_as_a_pdf_rendered_without_the_network(staff_client, xiaomi):
    response = staff_client.get(reverse("admin:workspace_brief", args=[xiaomi.pk]), {"format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "xiaomi-brief.pdf" in response["Content-Disposition"]


def test_the_pdf_renderer_fetches_only_static_files():
    from intel.workspace.brief_pdf import NotServed, _static_only

    css = _static_only("http://testserver/static/admin/css/base.css")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css"
    for url in ("http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "http://testserver/static/../x"):
        with pytest.raises(NotServed):
            _static_only(url)
