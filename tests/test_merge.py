"""Merging two companies moves everything to the one kept and is recorded in history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from intel.merge import merge_companies
from intel.models import Company, CompanyAlias, EventParticipant, Mention, Relationship
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    ProductFactory,
    RelationshipFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def test_merge_moves_aliases_mentions_events_and_relationships(staff_user):
    keep = CompanyFactory(name="Xiaomi")
    drop = CompanyFactory(name="Xiaomi Corp", website="https://mi.com", wikidata_id="Q1636958", watched=True)
    CompanyAlias.objects.create(company=drop, text="Mi")
    CompanyAlias.objects.create(company=drop, text="xiaomi")  # same as keep's name: dropped
    mention = MentionFactory(company=drop)
    participation = ParticipantFactory(company=drop)
    apple = CompanyFactory(name="Apple")
    rel = RelationshipFactory(subject=drop, object=apple)
    product = ProductFactory(maker=drop)
    tag = TagFactory()
    drop.tags.add(tag)

    result = merge_companies(keep=keep, drop=drop, by=staff_user)

    assert not Company.objects.filter(pk=drop.pk).exists()
    keep.refresh_from_db()
    assert sorted(keep.aliases.values_list("text", flat=True)) == ["Mi", "Xiaomi Corp"]
    assert Mention.objects.get(pk=mention.pk).company == keep
    assert EventParticipant.objects.get(pk=participation.pk).company == keep
    assert Relationship.objects.get(pk=rel.pk).subject == keep
    product.refresh_from_db()
    assert product.maker == keep
    assert list(keep.tags.all()) == [tag]
    assert (keep.website, keep.wikidata_id, keep.watched) == ("https://mi.com", "Q1636958", True)
    assert result.moved_mentions == 1 and result.moved_relationships == 1


def test_merge_is_recorded_in_both_histories(staff_user):
    keep, drop = CompanyFactory(name="Huawei"), CompanyFactory(name="Huawei Technologies")
    merge_companies(keep=keep, drop=drop, by=staff_user)
    kept_entry = keep.history.latest()
    assert kept_entry.history_change_reason == f"Merged company “Huawei Technologies” (#{drop.pk}) into this one"
    assert kept_entry.history_user == staff_user
    dropped_entry = Company.history.filter(id=drop.pk).latest()
    assert dropped_entry.history_type == "-"
    assert dropped_entry.history_change_reason == f"Merged into “Huawei” (#{keep.pk})"


def test_merge_drops_twin_mentions_and_self_relationships():
    keep, drop = CompanyFactory(), CompanyFactory()
    article = ArticleFactory()
    MentionFactory(article=article, company=keep, start=0, end=6)
    MentionFactory(article=article, company=drop, start=0, end=6)
    RelationshipFactory(subject=drop, object=keep)
    event = EventFactory()
    ParticipantFactory(event=event, company=keep)
    ParticipantFactory(event=event, company=drop)

    merge_companies(keep=keep, drop=drop)

    assert Mention.objects.filter(article=article).count() == 1
    assert not Relationship.objects.exists()
    assert EventParticipant.objects.filter(event=event).count() == 1


def test_merging_a_company_into_itself_is_refused_and_changes_nothing():
    company = CompanyFactory()
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        merge_companies(keep=company, drop=company)
    assert Company.objects.filter(pk=company.pk).exists()


def test_merge_from_the_admin_asks_which_to_keep_then_merges(staff_client):
    a, b = CompanyFactory(name="OnePlus"), CompanyFactory(name="One Plus")
    url = "/admin/intel/company/"
    page = staff_client.post(url, {"action": "merge_selected", "_selected_action": [a.pk, b.pk]})
    assert page.status_code == 200
    assert b"Choose the company to keep" in page.content
    done = staff_client.post(
        url, {"action": "merge_selected", "_selected_action": [a.pk, b.pk], "post": "yes", "keep": a.pk}, follow=True
    )
    assert "Merged “One Plus” into “OnePlus”" in done.content.decode()
    assert list(Company.objects.values_list("name", flat=True)) == ["OnePlus"]


def test_merge_from_the_admin_needs_exactly_two(staff_client):
    ids = [CompanyFactory().pk for _ in range(3)]
    response = staff_client.post(
        "/admin/intel/company/", {"action": "merge_selected", "_selected_action": ids}, follow=True
    )
    assert "Select exactly two companies to merge." in response.content.decode()
    assert Company.objects.count() == 3
