"""A market's page: what the market is, who is in it on what evidence, for readers only."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from intel.choices import EventStatus, EventType, MarketKind, ReviewStatus
from intel.models import Evidence, Market, MarketAlias
from intel.workspace.market_page import time_label
from tests.factories import ArticleFactory, CompanyFactory, EventFactory, ParticipantFactory, SourceFactory

pytestmark = pytest.mark.django_db


def page_of(client, market: Market) -> str:
    response = client.get(f"/admin/workspace/markets/{market.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def event_in(market: Market, company, *, evidence: int = 1, **fields):
    """An event of the company in the market, with one piece of evidence per outlet."""
    event = EventFactory(**fields)
    event.markets.add(market)
    ParticipantFactory(event=event, company=company)
    for n in range(evidence):
        article = ArticleFactory(body=f"{company.name} news {event.pk}-{n}. It enters {market.name}.")
        Evidence.objects.create(event=event, article=article, start=0, end=10, text=f"{company.name} said {n}.")
    return event


@pytest.fixture
def india() -> Market:
    return Market.objects.get(iso_code="IN")


def test_the_page_says_what_the_market_is_and_links_its_parents_and_segments(staff_client, india):
    budget = Market.objects.create(
        name="Budget smartphones in India", kind=MarketKind.SEGMENT, base=india, category="smartphones",
        price_tier="budget",
    )  # fmt: skip
    MarketAlias.objects.create(market=india, text="Bharat")
    region = india.member_of.order_by("name").first()
    assert region is not None  # the reference data puts every country in a region

    html = page_of(staff_client, india)
    assert "<h1>India</h1>" in html or ">India<" in html
    assert "Country" in html and "ISO IN" in html
    assert "Bharat" in html
    assert f'<a href="/admin/workspace/markets/{region.pk}/">{region.name}</a>' in html
    assert f'<a href="/admin/workspace/markets/{budget.pk}/">Budget smartphones in India</a>' in html

    html = page_of(staff_client, budget)
    assert "Narrows" in html
    assert f'<a href="/admin/workspace/markets/{india.pk}/">India</a>' in html
    assert "Smartphones" in html and "Budget" in html


def test_a_region_lists_what_it_is_made_of(staff_client):
    europe = Market.objects.get(name="Western Europe")
    germany = Market.objects.get(iso_code="DE")
    html = page_of(staff_client, europe)
    assert "Made of" in html
    assert f'<a href="/admin/workspace/markets/{germany.pk}/">Germany</a>' in html


def test_companies_are_grouped_by_presence_with_the_events_behind_each(staff_client, india):
    present, entering, leaving, rumoured = (CompanyFactory(name=n) for n in ("Acme", "Bolt", "Crux", "Dyna"))
    event_in(india, present, type=EventType.MARKET_ENTRY, status=EventStatus.COMPLETED, summary="Acme entered India")
    event_in(india, entering, type=EventType.MARKET_ENTRY, status=EventStatus.PLANNED, summary="Bolt plans India")
    event_in(india, leaving, type=EventType.MARKET_EXIT, status=EventStatus.COMPLETED, summary="Crux left India")
    event_in(india, rumoured, type=EventType.MARKET_ENTRY, status=EventStatus.RUMOURED, summary="Dyna may come")

    html = page_of(staff_client, india)
    for group, company, summary in (
        ("present", present, "Acme entered India"),
        ("entering", entering, "Bolt plans India"),
        ("leaving", leaving, "Crux left India"),
        ("rumoured", rumoured, "Dyna may come"),
    ):
        card = html.split(f'id="ws-{group}"', 1)[1].split("</section>", 1)[0]
        assert f'<a href="/admin/workspace/companies/{company.pk}/" class="ws-company-link">{company.name}</a>' in card
        assert summary in card
    present_card = html.split('id="ws-present"', 1)[1].split("</section>", 1)[0]
    assert "Completed" in present_card and "2019" in present_card and "1 source" in present_card
    assert "Bolt" not in present_card


def test_evidence_shows_the_sentence_outlet_date_and_links_the_article(staff_client, india):
    company = CompanyFactory(name="Acme")
    event = EventFactory(type=EventType.MARKET_ENTRY, status=EventStatus.COMPLETED, summary="Acme entered India")
    event.markets.add(india)
    ParticipantFactory(event=event, company=company)
    article = ArticleFactory(
        title="Acme lands", source=SourceFactory(name="Daily Wire Service"), published_on=date(2019, 3, 4),
        body="Acme <script>x</script> opened its first store in India.",
    )  # fmt: skip
    Evidence.objects.create(
        event=event, article=article, start=0, end=40, text="Acme <script>x</script> opened a store"
    )

    html = page_of(staff_client, india)
    assert "<details" in html and "Evidence (1)" in html
    assert "Acme &lt;script&gt;x&lt;/script&gt; opened a store" in html
    assert "<script>x</script>" not in html
    assert f'<a href="/admin/workspace/articles/{article.pk}/">Acme lands</a>' in html
    assert "Daily Wire Service, 4 Mar 2019" in html


def test_recent_events_tell_confirmed_from_proposed_and_leave_rejected_out(staff_client, india):
    company = CompanyFactory()
    confirmed = event_in(india, company, summary="Confirmed entry", review_status=ReviewStatus.CONFIRMED)
    proposed = event_in(india, company, summary="Proposed entry", review_status=ReviewStatus.PROPOSED)
    event_in(india, company, summary="Rejected entry", review_status=ReviewStatus.REJECTED)

    html = page_of(staff_client, india)
    recent = html.split('id="ws-recent"', 1)[1].split("</section>", 1)[0]
    assert f'<li class="ws-confirmed" id="ws-recent-event-{confirmed.pk}">' in recent
    assert f'<li class="ws-proposed" id="ws-recent-event-{proposed.pk}">' in recent
    assert "Rejected entry" not in html


def test_position_claims_are_listed_with_their_independent_sources(staff_client, india):
    company = CompanyFactory(name="Acme")
    event_in(
        india, company, evidence=3, type=EventType.MARKET_POSITION, status=EventStatus.COMPLETED,
        summary="Acme is number two in India with 18% share",
    )  # fmt: skip
    event_in(india, company, type=EventType.MARKET_ENTRY, status=EventStatus.COMPLETED, summary="Acme entered")

    html = page_of(staff_client, india)
    claims = html.split('id="ws-claims"', 1)[1].split("</section>", 1)[0]
    assert "Acme is number two in India with 18% share" in claims
    assert "3 sources" in claims
    assert "Acme entered" not in claims
    assert f'href="/admin/workspace/companies/{company.pk}/"' in claims


def test_an_empty_market_says_so(staff_client):
    html = page_of(staff_client, Market.objects.get(iso_code="FR"))
    assert "No rank or share is claimed for this market." in html
    assert "No events about this market yet." in html


def test_an_unknown_market_is_not_found(staff_client):
    assert staff_client.get("/admin/workspace/markets/999999999/").status_code == 404


def test_the_market_admin_links_to_the_page(staff_client, india):
    page = f'<a href="/admin/workspace/markets/{india.pk}/">Open page</a>'
    assert page in staff_client.get("/admin/intel/market/", {"q": "India"}).content.decode()
    assert page in staff_client.get(f"/admin/intel/market/{india.pk}/change/").content.decode()
    assert staff_client.get("/admin/intel/market/add/").status_code == 200


def test_a_reader_on_the_staff_may_read_the_page_but_is_offered_no_edit(client, reader, india):
    reader.is_staff = True
    reader.save(update_fields=["is_staff"])
    company = CompanyFactory(name="Acme")
    event_in(india, company, type=EventType.MARKET_ENTRY, status=EventStatus.COMPLETED, summary="Acme entered India")
    client.force_login(reader)
    html = page_of(client, india)
    assert "Acme entered India" in html
    assert f'href="/admin/intel/market/{india.pk}/change/"' not in html


def test_staff_without_view_permissions_are_refused(client, django_user_model, india):
    user = django_user_model.objects.create_user(username="clerk", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(f"/admin/workspace/markets/{india.pk}/").status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, india):
    response = client.get(f"/admin/workspace/markets/{india.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_page_costs_the_same_queries_however_many_companies_and_events(
    staff_client, india, django_assert_num_queries
):
    def add(n: int) -> None:
        for _ in range(n):
            company = CompanyFactory()
            for kind, status in ((EventType.MARKET_ENTRY, EventStatus.COMPLETED),
                                 (EventType.MARKET_POSITION, EventStatus.COMPLETED),
                                 (EventType.MARKET_EXIT, EventStatus.RUMOURED)):  # fmt: skip
                event_in(india, company, evidence=2, type=kind, status=status)

    add(1)
    with django_assert_num_queries(QUERIES):
        page_of(staff_client, india)
    add(8)
    with django_assert_num_queries(QUERIES):
        html = page_of(staff_client, india)
    assert html.count("Evidence (2)") >= 9


# Session and user (2); the market with its base (1); its aliases, regions, members and
# segments (4); the overview's events with participants, markets, regulators, tags (5);
# the listed events' evidence with articles and sources (1).
QUERIES = 13


@pytest.mark.parametrize(
    ("start", "end", "precision", "said"),
    [
        (date(2019, 1, 1), date(2019, 12, 31), "year", "2019"),
        (date(2019, 1, 1), date(2020, 12, 31), "year", "2019–2020"),
        (date(2019, 7, 1), date(2019, 9, 30), "quarter", "Q3 2019"),
        (date(2019, 7, 1), date(2019, 7, 31), "month", "Jul 2019"),
        (date(2019, 7, 4), date(2019, 7, 4), "day", "2019-07-04"),
        (date(2019, 7, 4), None, "", "2019-07-04"),
        (date(2019, 7, 4), date(2019, 7, 9), "day", "2019-07-04 – 2019-07-09"),
        (None, date(2019, 12, 31), "year", "by 2019"),
        (None, None, "", "undated"),
    ],
)
def test_times_read_at_their_precision(start, end, precision, said):
    assert time_label(start, end, precision) == said
