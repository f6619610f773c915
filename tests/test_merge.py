"""Merging two companies moves everything to the one kept, renames it in event summaries, and is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from intel.merge import merge_companies, rename_in_label
from intel.models import Company, CompanyAlias, CompanyMerge, Event, EventParticipant, Mention, Relationship
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    ProductFactory,
    RelationshipFactory,
    TagFactory,
    WatchlistFactory,
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


# --- Labels that name the dropped company -----------------------------------------------


def test_merge_renames_the_dropped_company_in_the_summaries_of_its_events(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    launch = EventFactory(summary="Mi: product launch (announced)")
    ParticipantFactory(event=launch, company=drop)
    deal = EventFactory(summary="Leica: partnership (with Mi, Mi Home) – Testland (announced, 2019)")
    ParticipantFactory(event=deal, company=CompanyFactory(name="Leica"))
    ParticipantFactory(event=deal, company=drop, role="partner")
    ParticipantFactory(event=deal, company=CompanyFactory(name="Mi Home"), role="partner")
    # "Mi" here is another company's event: the dropped company took no part in it.
    other = EventFactory(summary="Mi: product launch (rumoured)")
    ParticipantFactory(event=other, company=CompanyFactory(name="Mi"))

    result = merge_companies(keep=keep, drop=drop, by=staff_user)

    launch.refresh_from_db()
    deal.refresh_from_db()
    other.refresh_from_db()
    assert launch.summary == "Xiaomi: product launch (announced)"
    assert deal.summary == "Leica: partnership (with Xiaomi, Mi Home) – Testland (announced, 2019)"
    assert other.summary == "Mi: product launch (rumoured)"
    assert result.rewritten_summaries == 2
    entry = launch.history.latest()
    assert entry.history_user == staff_user
    assert entry.history_change_reason == f"Merged “Mi” (#{drop.pk}) into “Xiaomi” (#{keep.pk})"


def test_merge_does_not_rename_inside_the_kept_companys_longer_name():
    keep, drop = CompanyFactory(name="Xiaomi Corp"), CompanyFactory(name="Xiaomi")
    event = EventFactory(summary="Xiaomi Corp: partnership (with Xiaomi) (announced)")
    ParticipantFactory(event=event, company=keep)
    ParticipantFactory(event=event, company=drop, role="partner")

    merge_companies(keep=keep, drop=drop)

    event.refresh_from_db()
    assert event.summary == "Xiaomi Corp: partnership (with Xiaomi Corp) (announced)"
    assert EventParticipant.objects.filter(event=event).count() == 2  # actor and partner: different roles


@pytest.mark.parametrize(
    ("text", "old", "new", "others", "expected"),
    [
        ("Mi: product launch (announced)", "Mi", "Xiaomi", [], "Xiaomi: product launch (announced)"),
        ("Micromax: launch (with Mi) – India", "Mi", "Xiaomi", [], "Micromax: launch (with Xiaomi) – India"),
        ("mi: launch", "Mi", "Xiaomi", [], "mi: launch"),
        ("AT&T: lawsuit (against T-Mobile)", "AT&T", "AT&T Inc.", [], "AT&T Inc.: lawsuit (against T-Mobile)"),
        ("Yahoo!: acquisition (of Tumblr)", "Yahoo!", "Yahoo", [], "Yahoo: acquisition (of Tumblr)"),
        ("Mi Home: launch (with Mi)", "Mi", "Xiaomi", ["Mi Home"], "Mi Home: launch (with Xiaomi)"),
        (
            "Xiaomi Corp: deal (with Xiaomi)",
            "Xiaomi",
            "Xiaomi Corp",
            ["Xiaomi Corp"],
            "Xiaomi Corp: deal (with Xiaomi Corp)",
        ),
    ],
)
def test_a_label_is_renamed_by_whole_exact_names(text, old, new, others, expected):
    assert rename_in_label(text, old=old, new=new, others=others) == expected


def test_merging_through_the_api_renames_summaries_and_records_the_merge(staff_api, staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    event = EventFactory(summary="Mi: product launch (announced)")
    ParticipantFactory(event=event, company=drop)

    response = staff_api.post(f"/api/v1/companies/{keep.pk}/merge/", {"drop": drop.pk}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["moved"]["participations"] == 1
    assert staff_api.get(f"/api/v1/events/{event.pk}/").json()["summary"] == "Xiaomi: product launch (announced)"
    record = CompanyMerge.objects.get()
    assert (record.kept_id, record.dropped_pk, record.merged_by) == (keep.pk, drop.pk, staff_user)
    assert record.summaries == {str(event.pk): ["Mi: product launch (announced)", "Xiaomi: product launch (announced)"]}
    assert record.moved["participations"] == [EventParticipant.objects.get(event=event).pk]


def test_merge_records_the_dropped_company_whole():
    keep = CompanyFactory(name="Xiaomi")
    drop = CompanyFactory(name="Mi", website="https://mi.com", wikidata_id="Q1636958", ticker="HKEX:1810")
    tag = TagFactory()
    drop.tags.add(tag)
    watchlist = WatchlistFactory(companies=[drop])

    record = merge_companies(keep=keep, drop=drop).record

    record.refresh_from_db()
    assert record.dropped["pk"] == drop.pk
    assert record.dropped["fields"]["wikidata_id"] == "Q1636958"  # as it was, before the merge freed it
    assert record.dropped["fields"]["tags"] == [tag.pk]
    assert record.dropped["watchlists"] == [watchlist.pk]
    assert record.kept_before["website"] == ["", "https://mi.com"]
    assert record.added["alias"] == CompanyAlias.objects.get(company=keep, text="Mi").pk


def test_merge_puts_the_kept_company_on_the_dropped_ones_watchlists():
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi", watched=True)
    only_drop = WatchlistFactory(companies=[drop])
    both = WatchlistFactory(companies=[drop, keep])

    merge_companies(keep=keep, drop=drop)

    assert list(only_drop.companies.all()) == [keep]
    assert list(both.companies.all()) == [keep]


def test_merge_history_reasons_fit_their_column_whatever_the_names():
    keep, drop = CompanyFactory(name="K" * 200), CompanyFactory(name="D" * 200)
    ParticipantFactory(company=drop)
    merge_companies(keep=keep, drop=drop)
    reasons = [
        keep.history.latest().history_change_reason,
        Company.history.filter(id=drop.pk).latest().history_change_reason,
    ]
    reasons += list(EventParticipant.history.values_list("history_change_reason", flat=True))
    reasons += list(Event.history.values_list("history_change_reason", flat=True))
    assert all(len(reason or "") <= 100 for reason in reasons)
