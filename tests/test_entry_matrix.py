"""The market-entry matrix: a watchlist's companies × markets, each cell the latest entry,
exit or presence with its evidence one click away, filtered, downloadable, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from intel.choices import EventStatus, EventType, MarketKind, ReviewStatus
from intel.models import Market
from intel.workspace.matrix import Segment, entry_matrix
from tests.factories import CompanyFactory, EventFactory, ParticipantFactory, UserFactory, WatchlistFactory

pytestmark = pytest.mark.django_db

URL = "/admin/workspace/matrix/"


def event(company, *markets, type=EventType.MARKET_ENTRY, status=EventStatus.COMPLETED, year: int | None = 2019,
          **fields):  # fmt: skip
    """An event of the company in the markets, over one year (undated without one)."""
    made = EventFactory(
        type=type,
        status=status,
        time_start=date(year, 1, 1) if year else None,
        time_end=date(year, 12, 31) if year else None,
        time_precision="year" if year else "",
        **fields,
    )
    made.markets.add(*markets)
    ParticipantFactory(event=made, company=company)
    return made


def cells(response) -> dict[tuple[str, str], str]:
    """The table the page shows: (company, market) → the cell's text, empty cells left out."""
    matrix = response.context["matrix"]
    names = [name for _, name in matrix.markets]
    return {
        (row.name, names[i]): cell.text for row in response.context["rows"] for i, cell in enumerate(row.cells) if cell
    }


def link(made) -> str:
    return f'href="/admin/intel/event/{made.pk}/change/#evidence-group"'


@pytest.fixture
def us():
    return Market.objects.get(iso_code="US")


@pytest.fixture
def india():
    return Market.objects.get(iso_code="IN")


@pytest.fixture
def germany():
    return Market.objects.get(iso_code="DE")


def test_rows_are_the_first_watchlist_and_each_cell_the_latest_status(staff_client, staff_user, us, india):
    acme, bolt, crux = (CompanyFactory(name=n) for n in ("Acme", "Bolt", "Crux"))
    WatchlistFactory(name="A rivals", owner=staff_user, companies=[acme, bolt])
    WatchlistFactory(name="B others", owner=staff_user, companies=[crux])
    event(acme, us, status=EventStatus.ANNOUNCED, year=2018)
    completed = event(acme, us, status=EventStatus.COMPLETED, year=2019)
    planned = event(bolt, india, status=EventStatus.PLANNED, year=2020)
    event(crux, us, status=EventStatus.COMPLETED)

    response = staff_client.get(URL)
    assert response.status_code == 200
    assert [name for _, name in response.context["matrix"].companies] == ["Acme", "Bolt"]
    assert [name for _, name in response.context["matrix"].markets] == ["India", "United States"]
    assert cells(response) == {("Acme", "United States"): "present (2019)", ("Bolt", "India"): "entering (2020)"}
    html = response.content.decode()
    assert f"{link(completed)}>present</a>" in html
    assert f"{link(planned)}>entering</a>" in html
    assert f'<a href="/admin/workspace/companies/{acme.pk}/" class="ws-company-link">Acme</a>' in html
    assert f'<a href="/admin/workspace/markets/{us.pk}/">United States</a>' in html
    assert "the watchlist “A rivals”" in html


def test_another_of_ones_watchlists_can_be_chosen_but_not_someone_elses(staff_client, staff_user, us):
    acme, crux = CompanyFactory(name="Acme"), CompanyFactory(name="Crux")
    WatchlistFactory(name="A rivals", owner=staff_user, companies=[acme])
    mine = WatchlistFactory(name="B others", owner=staff_user, companies=[crux])
    theirs = WatchlistFactory(name="Secret", owner=UserFactory(), companies=[crux])
    event(acme, us)
    event(crux, us)

    response = staff_client.get(URL, {"watchlist": mine.pk})
    assert list(cells(response)) == [("Crux", "United States")]

    response = staff_client.get(URL, {"watchlist": theirs.pk})
    assert response.status_code == 200
    assert list(cells(response)) == [("Acme", "United States")]
    assert f"“{theirs.pk}” is not one of your watchlists." in response.content.decode()
    assert "Secret" not in response.content.decode()


def test_without_a_watchlist_the_rows_are_the_watched_companies(staff_client, us):
    watched, other = CompanyFactory(name="Watched Co", watched=True), CompanyFactory(name="Other Co")
    event(watched, us)
    event(other, us)
    response = staff_client.get(URL)
    assert list(cells(response)) == [("Watched Co", "United States")]
    assert "the watched companies" in response.content.decode()


def test_companies_and_markets_can_be_chosen_by_id(staff_client, us, india):
    acme, bolt, crux = (CompanyFactory(name=n) for n in ("Acme", "Bolt", "Crux"))
    event(acme, us)
    event(acme, india, status=EventStatus.PLANNED)
    event(bolt, india)
    event(crux, us)

    response = staff_client.get(f"{URL}?company={acme.pk}&company={bolt.pk}")
    assert cells(response) == {
        ("Acme", "United States"): "present (2019)",
        ("Acme", "India"): "entering (2019)",
        ("Bolt", "India"): "present (2019)",
    }
    response = staff_client.get(f"{URL}?company={acme.pk},{bolt.pk}&market={us.pk}")
    assert [name for _, name in response.context["matrix"].markets] == ["United States"]
    assert cells(response) == {("Acme", "United States"): "present (2019)"}
    assert [row.name for row in response.context["rows"]] == ["Acme", "Bolt"]  # Bolt: nothing known there


def test_exits_rumours_and_cancellations_say_what_they_are(staff_client, us, india, germany):
    acme, bolt, crux = (CompanyFactory(name=n) for n in ("Acme", "Bolt", "Crux"))
    event(acme, us, year=2019)
    left = event(acme, us, type=EventType.MARKET_EXIT, year=2021)
    event(bolt, india, type=EventType.MARKET_EXIT, status=EventStatus.RUMOURED)
    event(crux, germany, status=EventStatus.CANCELLED)
    event(crux, us, type=EventType.MARKET_POSITION, status=EventStatus.COMPLETED, year=2022)
    event(crux, india, type=EventType.PARTNERSHIP, status=EventStatus.COMPLETED)  # says nothing of presence

    response = staff_client.get(URL, {"company": [acme.pk, bolt.pk, crux.pk]})
    assert cells(response) == {
        ("Acme", "United States"): "leaving (2021)",
        ("Bolt", "India"): "exit rumoured (2019)",
        ("Crux", "Germany"): "entry cancelled (2019)",
        ("Crux", "United States"): "present (2022)",
    }
    assert f"{link(left)}>leaving</a>" in response.content.decode()


def test_proposed_events_are_marked_and_rejected_ones_ignored(staff_client, us):
    acme = CompanyFactory(name="Acme")
    proposed = event(acme, us, year=2019, review_status=ReviewStatus.PROPOSED)
    event(acme, us, type=EventType.MARKET_EXIT, year=2022, review_status=ReviewStatus.REJECTED)
    response = staff_client.get(URL, {"company": acme.pk})
    assert cells(response) == {("Acme", "United States"): "present (2019)"}
    html = response.content.decode()
    assert 'class="ws-cell ws-cell-present ws-proposed"' in html
    assert link(proposed) in html


def test_segment_filters_by_kind_and_by_a_parent_market(staff_client, us, germany):
    europe = Market.objects.get(name="Europe")
    budget = Market.objects.create(
        name="Budget phones in Germany", kind=MarketKind.SEGMENT, base=germany, category="smartphones",
        price_tier="budget",
    )  # fmt: skip
    acme = CompanyFactory(name="Acme", watched=True)
    for market in (us, germany, europe, budget):
        event(acme, market)

    def columns(**params) -> list[str]:
        response = staff_client.get(URL, params)
        assert response.status_code == 200
        return [name for _, name in response.context["matrix"].markets]

    assert columns() == ["Budget phones in Germany", "Europe", "Germany", "United States"]
    assert columns(kind="segment") == ["Budget phones in Germany"]
    assert columns(kind="country") == ["Germany", "United States"]
    assert columns(within=europe.pk) == ["Budget phones in Germany", "Europe", "Germany"]
    assert columns(within=germany.pk) == ["Budget phones in Germany", "Germany"]
    assert columns(within=europe.pk, kind="country") == ["Germany"]
    assert columns(market=[us.pk, budget.pk], kind="country") == ["United States"]
    assert columns(market=[us.pk, budget.pk, Market.objects.get(iso_code="FR").pk], within=europe.pk) == [
        "Budget phones in Germany",
        "France",  # chosen, and in Europe: shown though nothing is known there
    ]
    html = staff_client.get(URL).content.decode()
    assert f'<option value="{europe.pk}">Europe</option>' in html
    assert f'<option value="{germany.pk}">Germany</option>' in html  # it has a segment


def test_the_period_bounds_the_events_time(staff_client, us):
    acme = CompanyFactory(name="Acme", watched=True)
    event(acme, us, year=2018)
    event(acme, us, type=EventType.MARKET_EXIT, year=2021)
    event(acme, us, type=EventType.MARKET_EXIT, status=EventStatus.RUMOURED, year=None)

    assert cells(staff_client.get(URL)) == {("Acme", "United States"): "leaving (2021)"}
    assert cells(staff_client.get(URL, {"from": "2017-01-01", "to": "2019-06-30"})) == {
        ("Acme", "United States"): "present (2018)"
    }
    assert cells(staff_client.get(URL, {"from": "2020"})) == {("Acme", "United States"): "leaving (2021)"}
    assert cells(staff_client.get(URL, {"to": "2017"})) == {}
    assert "No market entry, exit or presence of these companies matches the filters" in (
        staff_client.get(URL, {"to": "2017"}).content.decode()
    )


def test_the_csv_is_the_same_table_with_formulas_defused(staff_client, us, india):
    evil = CompanyFactory(name='=HYPERLINK("http://evil.example")', watched=True)
    plain = CompanyFactory(name="Acme", watched=True)
    event(evil, us)
    event(plain, india, status=EventStatus.PLANNED, year=2020)

    response = staff_client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="market-entry-matrix.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Company", "India", "United States"],
        ['\'=HYPERLINK("http://evil.example")', "", "present (2019)"],
        ["Acme", "entering (2020)", ""],
    ]
    html = staff_client.get(URL).content.decode()
    assert 'href="?format=csv"' in html


def test_malformed_filters_are_said_on_the_page_never_a_server_error(staff_client, us):
    acme = CompanyFactory(name="Acme", watched=True)
    event(acme, us)
    response = staff_client.get(
        URL,
        {
            "company": ["abc", "999999998", "99999999999999999999999"],
            "market": ["12x", "999999997"],
            "within": "nowhere",
            "kind": "planet",
            "from": "2019-13-45",
            "to": "yesterday",
            "watchlist": "zzz",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    for message in (
        "“abc” is not a company id.",
        "“99999999999999999999999” is not a company id.",
        "There is no company #999999998.",
        "“12x” is not a market id.",
        "There is no market #999999997.",
        "“nowhere” is not a market id.",
        "“planet” is not a kind of market",
        "“2019-13-45” is not a date for “from”",
        "“yesterday” is not a date for “to”",
        "“zzz” is not one of your watchlists.",
    ):
        assert message in html
    assert cells(response) == {("Acme", "United States"): "present (2019)"}  # what could be read still applies


def test_an_unknown_parent_market_and_a_backward_period_are_said(staff_client, us):
    acme = CompanyFactory(name="Acme", watched=True)
    event(acme, us)
    response = staff_client.get(URL, {"within": "999999996", "from": "2020-01-01", "to": "2019-01-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is no market #999999996." in html
    assert "The period ends (2019-01-01) before it starts (2020-01-01); it is left out." in html
    assert cells(response) == {("Acme", "United States"): "present (2019)"}


def test_a_download_with_unreadable_filters_is_refused_with_the_messages(staff_client, us):
    event(CompanyFactory(watched=True), us)
    response = staff_client.get(URL, {"format": "csv", "from": "soon"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "“soon” is not a date for “from”" in response.content.decode()


def test_the_market_page_links_to_the_matrix_of_that_market(staff_client, us, india):
    acme = CompanyFactory(name="Acme", watched=True)
    event(acme, us)
    event(acme, india)
    html = staff_client.get(f"/admin/workspace/markets/{us.pk}/").content.decode()
    assert f'href="/admin/workspace/matrix/?market={us.pk}"' in html
    response = staff_client.get(URL, {"market": us.pk})
    assert cells(response) == {("Acme", "United States"): "present (2019)"}


def test_with_no_companies_the_page_says_how_to_get_some(staff_client):
    html = staff_client.get(URL).content.decode()
    assert "No companies to show" in html


def many(owner, companies: int, markets: list[Market]) -> None:
    """A watchlist of ``companies`` companies, each with an entry and a rumoured exit per market."""
    made = [CompanyFactory() for _ in range(companies)]
    WatchlistFactory(name="Rivals", owner=owner, companies=made)
    for company in made:
        for market in markets:
            event(company, market, year=2018)
            event(company, market, type=EventType.MARKET_EXIT, status=EventStatus.RUMOURED, year=2020)


# Session and user (2); the user's watchlists and the first one's companies (2); the
# matrix (4: events, their companies, their markets, the markets' names); the parent
# markets to narrow to (1).
PAGE_QUERIES = 9


def test_the_page_and_download_cost_the_same_queries_whatever_the_size(
    staff_client, staff_user, django_assert_num_queries
):
    small = list(Market.objects.filter(kind=MarketKind.COUNTRY).order_by("pk")[:2])
    large = list(Market.objects.filter(kind=MarketKind.COUNTRY).order_by("pk")[2:8])
    many(staff_user, 2, small)
    with django_assert_num_queries(PAGE_QUERIES):
        assert staff_client.get(URL).status_code == 200
    with django_assert_num_queries(PAGE_QUERIES - 1):  # no choices to draw
        assert staff_client.get(URL, {"format": "csv"}).status_code == 200

    staff_user.watchlists.all().delete()
    many(staff_user, 8, large)
    with django_assert_num_queries(PAGE_QUERIES):
        response = staff_client.get(URL)
    assert len(response.context["rows"]) == 8 and len(response.context["matrix"].markets) == 6
    assert set(cells(response).values()) == {"exit rumoured (2020)"}
    with django_assert_num_queries(PAGE_QUERIES - 1):
        assert staff_client.get(URL, {"format": "csv"}).status_code == 200
    europe = Market.objects.get(name="Europe")
    # The market narrowed to (1) and the membership table to walk (1).
    with django_assert_num_queries(PAGE_QUERIES + 2):
        assert staff_client.get(URL, {"within": europe.pk, "from": "2018", "to": "2020"}).status_code == 200


def test_entry_matrix_is_four_queries_five_within_a_market(django_assert_num_queries, us, india, germany):
    companies = [CompanyFactory(name=f"Co {n}") for n in range(5)]
    for company in companies:
        event(company, us)
        event(company, india, status=EventStatus.PLANNED)
        event(company, germany, type=EventType.MARKET_EXIT)
    europe = Market.objects.get(name="Europe")
    with django_assert_num_queries(4):
        matrix = entry_matrix(companies)
    assert len(matrix.cells) == 15
    with django_assert_num_queries(5):
        matrix = entry_matrix(companies, segment=Segment(within=europe))
    assert matrix.markets == [(germany.pk, "Germany")]
    assert {cell.label for cell in matrix.cells.values()} == {"leaving"}
    with django_assert_num_queries(1):  # no events in the period: nothing more to ask
        matrix = entry_matrix(companies, [us], start=date(2030, 1, 1))
    assert matrix.markets == [(us.pk, "United States")] and matrix.cells == {}
    with django_assert_num_queries(0):
        assert entry_matrix([]).rows() == []


def test_a_reader_on_the_staff_sees_the_matrix_of_their_own_watchlist(client, reader, us):
    reader.is_staff = True
    reader.save(update_fields=["is_staff"])
    acme = CompanyFactory(name="Acme")
    WatchlistFactory(name="Mine", owner=reader, companies=[acme])
    event(acme, us)
    client.force_login(reader)
    response = client.get(URL)
    assert response.status_code == 200
    assert cells(response) == {("Acme", "United States"): "present (2019)"}
    assert client.get(URL, {"format": "csv"}).status_code == 200


def test_staff_without_view_permissions_are_refused(client, django_user_model):
    user = django_user_model.objects.create_user(username="clerk", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
