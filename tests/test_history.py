"""Every change to a core record is kept, bulk changes included, and shown in the admin."""

from __future__ import annotations

import pytest

from intel.models import Company, Event
from tests.factories import CompanyFactory, EventFactory

pytestmark = pytest.mark.django_db


def test_save_and_delete_are_recorded():
    company = CompanyFactory(name="ZTE")
    company.watched = True
    company.save()
    pk = company.pk
    company.delete()
    types = list(Company.history.filter(id=pk).order_by("history_date").values_list("history_type", "watched"))
    assert types == [("+", False), ("~", True), ("-", True)]


def test_queryset_update_is_recorded_with_before_and_after():
    a, b = CompanyFactory(), CompanyFactory()
    CompanyFactory()  # untouched
    changed = Company.objects.filter(pk__in=[a.pk, b.pk]).update(watched=True)
    assert changed == 2
    for company in (a, b):
        latest, previous = company.history.order_by("-history_date", "-history_id")[:2]
        assert latest.history_type == "~" and latest.watched is True
        assert previous.watched is False
        assert latest.history_change_reason == "bulk update"
        assert [change.field for change in latest.diff_against(previous).changes] == ["watched"]
    assert Company.history.filter(history_change_reason="bulk update").count() == 2


def test_bulk_create_and_bulk_update_are_recorded():
    created = Company.objects.bulk_create([Company(name="Huawei", slug="huawei"), Company(name="Honor", slug="honor")])
    assert Company.history.filter(history_type="+", history_change_reason="bulk create").count() == 2
    for company in created:
        company.ticker = "X"
    Company.objects.bulk_update(created, ["ticker"])
    assert Company.history.filter(history_type="~", ticker="X").count() == 2


def test_queryset_delete_is_recorded():
    events = [EventFactory(), EventFactory()]
    Event.objects.all().delete()
    assert Event.history.filter(history_type="-").count() == len(events)


def test_admin_change_records_the_user_and_the_history_page_shows_it(staff_client, staff_user):
    company = CompanyFactory(name="Samsung")
    response = staff_client.post(
        f"/admin/intel/company/{company.pk}/change/",
        {
            "name": "Samsung Electronics",
            "slug": company.slug,
            "website": "",
            "description": "",
            "ticker": "",
            "wikidata_id": "",
            "watched": "on",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "products-TOTAL_FORMS": "0",
            "products-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    latest = company.history.latest()
    assert latest.history_user == staff_user and latest.name == "Samsung Electronics"
    page = staff_client.get(f"/admin/intel/company/{company.pk}/history/")
    assert page.status_code == 200
    assert b"Samsung Electronics" in page.content and b"analyst" in page.content


def test_bulk_review_from_the_admin_records_the_reviewer_in_history(staff_client, staff_user):
    from tests.factories import ProposedCompanyFactory

    proposed = [ProposedCompanyFactory(), ProposedCompanyFactory()]
    staff_client.post(
        "/admin/intel/company/", {"action": "confirm_selected", "_selected_action": [c.pk for c in proposed]}
    )
    for company in proposed:
        latest = company.history.latest()
        assert (latest.review_status, latest.history_user, latest.history_change_reason) == (
            "confirmed",
            staff_user,
            "bulk update",
        )
