"""Proposed records are confirmed or rejected by a person, and a rejection is remembered."""

from __future__ import annotations

import pytest

from intel.choices import ReviewStatus
from intel.models import Company, Mention, RejectedProposal
from intel.review import (
    confirm_records,
    models_with_rejections,
    reject_records,
    rejected_fingerprints,
)
from tests.factories import MentionFactory, ProposedCompanyFactory

pytestmark = pytest.mark.django_db


def test_confirming_records_says_who_and_when(staff_user):
    proposed = [ProposedCompanyFactory(), ProposedCompanyFactory()]
    assert confirm_records(Company.objects.all(), by=staff_user) == 2
    for company in proposed:
        company.refresh_from_db()
        assert company.review_status == ReviewStatus.CONFIRMED
        assert company.reviewed_by == staff_user
        assert company.reviewed_at is not None


def test_a_rejected_proposal_is_remembered_after_the_record_is_gone(staff_user):
    company = ProposedCompanyFactory(name="Chinese Technology")
    reject_records([company], by=staff_user)
    company.delete()
    # The same name proposed again, by another article, is recognised as rejected.
    again = Company(name="  chinese   technology ")
    fresh = Company(name="Chinese Telecom")
    fingerprints = [again.proposal_fingerprint(), fresh.proposal_fingerprint()]
    assert rejected_fingerprints(Company, fingerprints) == {again.proposal_fingerprint()}


def test_rejected_fingerprints_checks_many_in_one_query(staff_user, django_assert_num_queries):
    rejected = [ProposedCompanyFactory(), ProposedCompanyFactory()]
    reject_records(rejected, by=staff_user)
    candidates = [c.proposal_fingerprint() for c in rejected] + [Company(name="fresh").proposal_fingerprint()]
    with django_assert_num_queries(1):
        found = rejected_fingerprints(Company, candidates)
    assert found == set(candidates[:2])


def test_models_with_rejections_names_the_rejected_kinds_in_one_query(staff_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert models_with_rejections() == frozenset()
    reject_records([ProposedCompanyFactory()], by=staff_user)
    reject_records([MentionFactory()], by=staff_user)
    with django_assert_num_queries(1):
        assert models_with_rejections() == {"intel.company", "intel.mention"}


def test_rejecting_twice_keeps_one_memory(staff_user):
    company = ProposedCompanyFactory()
    reject_records([company], by=staff_user)
    reject_records([company], by=staff_user)
    assert RejectedProposal.objects.count() == 1


def test_confirming_a_rejected_record_forgets_the_rejection(staff_user):
    mention = MentionFactory()
    reject_records([mention], by=staff_user)
    assert rejected_fingerprints(Mention, [mention.proposal_fingerprint()])
    confirm_records(Mention.objects.all(), by=staff_user)
    assert not rejected_fingerprints(Mention, [mention.proposal_fingerprint()])


def test_admin_bulk_actions_confirm_and_reject(staff_client):
    a, b, c = ProposedCompanyFactory(), ProposedCompanyFactory(), ProposedCompanyFactory()
    staff_client.post("/admin/intel/company/", {"action": "confirm_selected", "_selected_action": [a.pk, b.pk]})
    staff_client.post("/admin/intel/company/", {"action": "reject_selected", "_selected_action": [c.pk]})
    statuses = dict(Company.objects.values_list("pk", "review_status"))
    assert statuses == {a.pk: "confirmed", b.pk: "confirmed", c.pk: "rejected"}
    assert RejectedProposal.objects.get().description == str(c)


def test_records_a_person_adds_in_the_admin_are_confirmed_and_theirs(staff_client, staff_user):
    response = staff_client.post(
        "/admin/intel/company/add/",
        {
            "name": "Xiaomi",
            "slug": "",
            "website": "",
            "description": "",
            "ticker": "",
            "wikidata_id": "",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-text": "Mi",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "products-TOTAL_FORMS": "0",
            "products-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    company = Company.objects.get(name="Xiaomi")
    assert (company.review_status, company.method, company.reviewed_by) == ("confirmed", "manual", staff_user)
    assert company.slug == "xiaomi"
    assert list(company.aliases.values_list("text", flat=True)) == ["Mi"]
