"""Watching a company puts it on the watcher's default watchlist; unwatching takes it off."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from intel.models import Company, Watchlist
from intel.watching import DEFAULT_WATCHLIST_NAME, default_watchlist, set_watched
from tests.factories import CompanyFactory, UserFactory, WatchlistFactory

pytestmark = pytest.mark.django_db


def _listed(user: Any) -> list[str]:
    return sorted(default_watchlist(user).companies.values_list("name", flat=True))


def test_the_default_watchlist_is_made_once_with_in_app_alerts(staff_user):
    first = default_watchlist(staff_user)
    assert (first.name, first.owner, first.in_app, first.email, first.active) == (
        DEFAULT_WATCHLIST_NAME, staff_user, True, False, True,
    )  # fmt: skip
    assert default_watchlist(staff_user) == first
    assert Watchlist.objects.count() == 1


def test_set_watched_sets_the_flag_and_files_the_companies(staff_user):
    acme, bolt = CompanyFactory(name="Acme"), CompanyFactory(name="Bolt", watched=True)

    watchlist = set_watched([acme, bolt], True, by=staff_user)

    assert watchlist == default_watchlist(staff_user)
    assert _listed(staff_user) == ["Acme", "Bolt"]
    assert list(Company.objects.filter(watched=True).order_by("name").values_list("name", flat=True)) == [
        "Acme",
        "Bolt",
    ]
    entry = acme.history.latest()
    assert (entry.watched, entry.history_user, entry.history_change_reason) == (True, staff_user, "Watched")
    assert bolt.history.count() == 1  # already watched: not saved again


def test_unwatching_takes_the_company_off_only_the_users_own_list(staff_user):
    acme = CompanyFactory(name="Acme")
    set_watched([acme], True, by=staff_user)
    colleague_list = WatchlistFactory(owner=UserFactory(), companies=[acme])

    set_watched([acme], False, by=staff_user)

    acme.refresh_from_db()
    assert not acme.watched
    assert _listed(staff_user) == []
    assert list(colleague_list.companies.all()) == [acme]
    assert acme.history.latest().history_change_reason == "No longer watched"


# --- The admin --------------------------------------------------------------------------


def _change_form(company: Company, **changes: Any) -> dict[str, Any]:
    data = {
        "name": company.name,
        "slug": company.slug,
        "website": company.website,
        "description": company.description,
        "ticker": company.ticker,
        "wikidata_id": company.wikidata_id,
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("aliases", "roles", "products")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    if company.watched:
        data["watched"] = "on"
    for name, value in changes.items():
        if name == "watched":
            data.pop("watched", None)
            if value:
                data["watched"] = "on"
        else:
            data[name] = value
    return data


def test_ticking_watched_on_the_company_form_files_it_for_the_user(staff_client, staff_user):
    acme = CompanyFactory(name="Acme")

    response = staff_client.post(f"/admin/intel/company/{acme.pk}/change/", _change_form(acme, watched=True))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _listed(staff_user) == ["Acme"]
    acme.refresh_from_db()
    assert acme.watched

    staff_client.post(f"/admin/intel/company/{acme.pk}/change/", _change_form(acme, watched=False))
    assert _listed(staff_user) == []
    acme.refresh_from_db()
    assert not acme.watched


def test_saving_the_form_without_touching_watched_files_nothing(staff_client, staff_user):
    acme = CompanyFactory(name="Acme", watched=True)  # watched by someone else's doing
    response = staff_client.post(f"/admin/intel/company/{acme.pk}/change/", _change_form(acme, ticker="X:ACME"))
    assert response.status_code == 302
    assert not Watchlist.objects.exists()


def test_adding_a_watched_company_in_the_admin_files_it(staff_client, staff_user):
    response = staff_client.post("/admin/intel/company/add/", _change_form(Company(name="Acme"), watched=True))
    assert response.status_code == 302
    assert _listed(staff_user) == ["Acme"]


def test_the_watched_column_of_the_company_list_files_and_unfiles(staff_client, staff_user):
    acme, bolt = CompanyFactory(name="Acme"), CompanyFactory(name="Bolt", watched=True)
    set_watched([bolt], True, by=staff_user)

    # The list is ordered by name: Acme, then Bolt. Tick Acme, untick Bolt.
    response = staff_client.post(
        "/admin/intel/company/",
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": str(acme.pk),
            "form-0-watched": "on",
            "form-1-id": str(bolt.pk),
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert _listed(staff_user) == ["Acme"]
    assert list(Company.objects.filter(watched=True).values_list("name", flat=True)) == ["Acme"]


@pytest.mark.parametrize(("ticked", "listed"), [(True, ["Acme", "Bolt"]), (False, [])])
def test_importing_with_the_watched_box_files_the_companies(staff_client, staff_user, ticked, listed):
    upload = SimpleUploadedFile("watch.csv", b"name,aliases\nAcme,ACME Corp\nBolt,\n", content_type="text/csv")
    data: dict[str, Any] = {"file": upload}
    if ticked:
        data["watched"] = "on"

    response = staff_client.post("/admin/intel/company/import/", data)

    assert response.status_code == 302
    assert Company.objects.count() == 2
    assert _listed(staff_user) == listed


# --- The API ------------------------------------------------------------------------------


def test_watching_through_the_api_files_it_for_the_caller(analyst_api, analyst):
    created = analyst_api.post("/api/v1/companies/", {"name": "Acme", "watched": True}, format="json")
    assert created.status_code == 201, created.content
    assert _listed(analyst) == ["Acme"]

    company_url = f"/api/v1/companies/{created.json()['id']}/"
    assert analyst_api.patch(company_url, {"ticker": "X:ACME"}, format="json").status_code == 200
    assert _listed(analyst) == ["Acme"]

    assert analyst_api.patch(company_url, {"watched": False}, format="json").status_code == 200
    assert _listed(analyst) == []
    assert Company.objects.get().watched is False


def test_creating_an_unwatched_company_through_the_api_files_nothing(analyst_api):
    assert analyst_api.post("/api/v1/companies/", {"name": "Acme"}, format="json").status_code == 201
    assert not Watchlist.objects.exists()
