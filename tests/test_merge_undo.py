"""A merge can be undone from the kept company: everything returns as it was, or the undo is refused and says why."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.test import Client

from intel.merge import merge_companies, undo_merge, undo_problems
from intel.models import (
    Company,
    CompanyAlias,
    CompanyMerge,
    Event,
    EventParticipant,
    Mention,
    Product,
    Relationship,
    RelationshipEvidence,
    Role,
    Watchlist,
)
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    PersonFactory,
    ProductFactory,
    RelationshipFactory,
    TagFactory,
    WatchlistFactory,
)

pytestmark = pytest.mark.django_db


def _rows(model: type[models.Model], *ignored: str) -> list[str]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in ignored]
    return sorted(repr([getattr(obj, name) for name in fields]) for obj in model._base_manager.all())


def _state() -> dict[str, Any]:
    """Every row a merge touches, as plain values: what an undo must give back exactly."""
    return {
        "companies": _rows(Company, "updated_at"),
        "aliases": _rows(CompanyAlias),
        "mentions": _rows(Mention),
        "participations": _rows(EventParticipant),
        "relationships": _rows(Relationship),
        "relationship_evidence": _rows(RelationshipEvidence),
        "roles": _rows(Role),
        "products": _rows(Product),
        "events": _rows(Event, "updated_at"),
        "tags": sorted(Company.tags.through.objects.values_list("company_id", "tag_id")),
        "watchlists": sorted(Watchlist.companies.through.objects.values_list("watchlist_id", "company_id")),
    }


def _xiaomi_and_mi() -> tuple[Company, Company]:
    """Two records of one company, with something of every kind a merge moves, deletes or fills."""
    keep = CompanyFactory(name="Xiaomi")
    drop = CompanyFactory(name="Mi", website="https://mi.com", wikidata_id="Q1636958", ticker="HKEX:1810", watched=True)
    CompanyAlias.objects.create(company=keep, text="Redmi")
    CompanyAlias.objects.create(company=drop, text="Mi Corp")  # moves
    CompanyAlias.objects.create(company=drop, text="xiaomi")  # the kept name already: deleted
    article = ArticleFactory()
    MentionFactory(article=article, company=keep, start=0, end=6)
    MentionFactory(article=article, company=drop, start=0, end=6)  # twin: deleted
    MentionFactory(article=article, company=drop, start=10, end=12, text="Mi")  # moves
    launch = EventFactory(summary="Mi: product launch (announced)")
    ParticipantFactory(event=launch, company=drop)  # moves, summary renamed
    entry = EventFactory(summary="Xiaomi: market entry – Testland (announced, 2019)")
    ParticipantFactory(event=entry, company=keep)
    ParticipantFactory(event=entry, company=drop)  # twin: deleted
    apple, samsung = CompanyFactory(name="Apple"), CompanyFactory(name="Samsung")
    RelationshipFactory(subject=drop, object=apple, kind="competitor")  # moves as subject
    RelationshipFactory(subject=samsung, object=drop, kind="supplier")  # moves as object
    between = RelationshipFactory(subject=drop, object=keep, kind="partner")  # deleted with its evidence
    RelationshipEvidence.objects.create(relationship=between, article=article, start=0, end=6, text="Xiaomi")
    RelationshipFactory(subject=keep, object=samsung, kind="customer")
    folded = RelationshipFactory(subject=drop, object=samsung, kind="customer")  # folded into keep's twin
    RelationshipEvidence.objects.create(relationship=folded, article=article, start=10, end=12, text="Mi")
    Role.objects.create(person=PersonFactory(), company=drop, title="CEO")
    ProductFactory(name="Mi 11", maker=drop)
    CompanyFactory(name="Poco", parent=drop)
    shared, own = TagFactory(), TagFactory()
    keep.tags.add(shared)
    drop.tags.add(shared, own)
    WatchlistFactory(companies=[drop])
    WatchlistFactory(companies=[drop, keep])
    return keep, drop


def test_undo_gives_back_exactly_what_the_merge_changed(staff_user):
    keep, drop = _xiaomi_and_mi()
    before = _state()
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    assert _state() != before

    result = undo_merge(merge=record, by=staff_user)

    assert _state() == before
    assert result.restored.pk == drop.pk and result.restored.name == "Mi"
    assert result.summaries_restored == 1 and not result.summaries_edited and result.gone == 0
    record.refresh_from_db()
    assert record.undone_by == staff_user and record.undone_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_undo_commits_with_every_foreign_key_whole(django_user_model):
    # Foreign keys are checked at commit (deferred): here the merge and the undo each commit for real.
    user = django_user_model.objects.create_user(username="committer", password="pw", is_staff=True)
    keep, drop = _xiaomi_and_mi()
    before = _state()
    record = merge_companies(keep=keep, drop=drop, by=user).record
    undo_merge(merge=record, by=user)
    assert _state() == before


def test_a_kept_subsidiary_of_the_dropped_company_is_its_subsidiary_again(staff_user):
    group = CompanyFactory(name="Xiaomi Group")
    drop = CompanyFactory(name="Xiaomi", parent=group)
    keep = CompanyFactory(name="Xiaomi Inc", parent=drop)
    before = _state()
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    keep.refresh_from_db()
    assert keep.parent == group

    undo_merge(merge=record, by=staff_user)

    keep.refresh_from_db()
    assert keep.parent_id == drop.pk
    assert _state() == before


def test_undo_is_recorded_in_both_histories_naming_who_undid_it(staff_user, django_user_model):
    second = django_user_model.objects.create_user(username="second", password="pw", is_staff=True)
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    participation = ParticipantFactory(company=drop)
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record

    undo_merge(merge=record, by=second)

    kept_entry = keep.history.latest()
    assert kept_entry.history_user == second
    assert kept_entry.history_change_reason == f"Undid merge of “Mi” (#{drop.pk}) into this one"
    restored_entry = Company.history.filter(id=drop.pk).latest()
    assert (restored_entry.history_type, restored_entry.history_user) == ("+", second)
    assert restored_entry.history_change_reason == f"Restored by undoing its merge into “Xiaomi” (#{keep.pk})"
    moved_back = participation.history.latest()
    assert (moved_back.history_type, moved_back.history_user, moved_back.company_id) == ("~", second, drop.pk)
    assert moved_back.history_change_reason == f"Undid merge of “Mi” (#{drop.pk}) into “Xiaomi” (#{keep.pk})"
    record.refresh_from_db()
    assert (record.merged_by, record.undone_by) == (staff_user, second)


def test_undoing_twice_is_refused_and_changes_nothing(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    undo_merge(merge=record, by=staff_user)
    after_undo = _state()

    with pytest.raises(ValidationError, match=r"This merge was already undone on .* by analyst"):
        undo_merge(merge=record, by=staff_user)
    assert _state() == after_undo


def test_undo_is_refused_when_a_moved_row_was_given_to_another_company_since(staff_user):
    keep, drop, oppo = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi"), CompanyFactory(name="Oppo")
    mention = MentionFactory(company=drop)
    MentionFactory(company=drop)
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    Mention.objects.filter(pk=mention.pk).update(company=oppo)  # a person corrected it: it was Oppo
    after_correction = _state()

    with pytest.raises(ValidationError) as refused:
        undo_merge(merge=record, by=staff_user)

    assert refused.value.messages == [
        f"1 of the 2 mentions the merge moved to “Xiaomi” were moved to another company since (#{mention.pk})."
    ]
    assert _state() == after_correction
    assert CompanyMerge.objects.get().undone_at is None


def test_undo_is_refused_while_the_kept_company_took_part_in_a_later_merge(staff_user):
    keep, drop, later = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi"), CompanyFactory(name="Redmi")
    first = merge_companies(keep=keep, drop=drop, by=staff_user).record
    merge_companies(keep=keep, drop=later, by=staff_user)

    with pytest.raises(
        ValidationError, match=r"“Xiaomi” took part in a later merge \(“Redmi”, .*undo that merge first"
    ):
        undo_merge(merge=first, by=staff_user)
    assert not Company.objects.filter(pk=drop.pk).exists()


def test_merges_are_undone_newest_first_even_when_the_kept_company_was_merged_away(staff_user):
    a, b, c = CompanyFactory(name="Mi"), CompanyFactory(name="Xiaomi"), CompanyFactory(name="Xiaomi Corp")
    event = EventFactory(summary="Mi: product launch (announced)")
    ParticipantFactory(event=event, company=a)
    first = merge_companies(keep=b, drop=a, by=staff_user).record  # Mi into Xiaomi
    second = merge_companies(keep=c, drop=b, by=staff_user).record  # Xiaomi into Xiaomi Corp
    event.refresh_from_db()
    assert event.summary == "Xiaomi Corp: product launch (announced)"

    with pytest.raises(ValidationError, match=r"“Xiaomi” \(#\d+\), which “Mi” was merged into, was itself merged into"):
        undo_merge(merge=first, by=staff_user)

    undo_merge(merge=second, by=staff_user)
    event.refresh_from_db()
    assert event.summary == "Xiaomi: product launch (announced)"
    undo_merge(merge=first, by=staff_user)
    event.refresh_from_db()
    assert event.summary == "Mi: product launch (announced)"
    assert EventParticipant.objects.get(event=event).company_id == a.pk
    assert sorted(Company.objects.values_list("name", flat=True)) == ["Mi", "Xiaomi", "Xiaomi Corp"]


def test_undo_is_refused_when_the_kept_company_was_deleted_since(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    keep.delete()

    with pytest.raises(ValidationError, match=r"“Xiaomi” \(#\d+\), which “Mi” was merged into, was deleted since."):
        undo_merge(merge=record, by=staff_user)
    assert not Company.objects.exists()


def test_undo_is_refused_when_another_company_took_the_wikidata_id(staff_user):
    keep = CompanyFactory(name="Xiaomi", wikidata_id="Q1")
    drop = CompanyFactory(name="Mi", wikidata_id="Q1636958")
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record  # keep had its own id: Q1636958 is free
    CompanyFactory(name="Mi Fund", wikidata_id="Q1636958")

    with pytest.raises(ValidationError, match=r"“Mi Fund” \(#\d+\) now has the Wikidata id Q1636958"):
        undo_merge(merge=record, by=staff_user)


def test_a_summary_edited_since_the_merge_keeps_the_edit(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    launch, edited = EventFactory(summary="Mi: product launch (announced)"), EventFactory(summary="Mi: price cut")
    ParticipantFactory(event=launch, company=drop)
    ParticipantFactory(event=edited, company=drop)
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    Event.objects.filter(pk=edited.pk).update(summary="Xiaomi: price cut in India (completed)")

    result = undo_merge(merge=record, by=staff_user)

    launch.refresh_from_db()
    edited.refresh_from_db()
    assert launch.summary == "Mi: product launch (announced)"
    assert edited.summary == "Xiaomi: price cut in India (completed)"
    assert result.summaries_edited == [edited.pk]
    assert "1 summary(ies) edited since the merge were left as they are" in result.summary()


def test_rows_deleted_since_the_merge_stay_deleted_and_the_rest_returns(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    rejected, kept_mention = MentionFactory(company=drop), MentionFactory(company=drop)
    article = ArticleFactory()
    MentionFactory(article=article, company=keep, start=0, end=6)
    MentionFactory(article=article, company=drop, start=0, end=6)  # twin: deleted by the merge
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    rejected.delete()
    article.delete()  # the twin's article: restoring the twin would make it point at nothing

    result = undo_merge(merge=record, by=staff_user)

    assert list(Mention.objects.filter(company_id=drop.pk).values_list("pk", flat=True)) == [kept_mention.pk]
    assert result.gone == 1 and result.restored_rows == 0
    assert "1 moved row(s) deleted since the merge stay deleted." in result.summary()


def test_the_restored_company_gets_a_new_slug_if_its_own_was_taken(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    CompanyFactory(name="Mi", slug="mi")

    result = undo_merge(merge=record, by=staff_user)

    assert result.restored.slug == "mi-2"
    assert "Its slug “mi” was taken since; it is now “mi-2”." in result.summary()


def test_a_refusal_is_known_before_asking(staff_user):
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    assert undo_problems(record) == []
    undo_merge(merge=record, by=staff_user)
    record.refresh_from_db()
    assert undo_problems(record)[0].startswith("This merge was already undone on")


# --- In the admin -------------------------------------------------------------------------


def _merged(staff_user: Any) -> tuple[Company, Company, Event, CompanyMerge]:
    keep, drop = CompanyFactory(name="Xiaomi"), CompanyFactory(name="Mi")
    event = EventFactory(summary="Mi: product launch (announced)")
    ParticipantFactory(event=event, company=drop)
    record = merge_companies(keep=keep, drop=drop, by=staff_user).record
    return keep, drop, event, record


def _undo_url(record: CompanyMerge) -> str:
    return f"/admin/intel/company/{record.kept_id}/merges/{record.pk}/undo/"


def test_the_kept_companys_history_and_change_pages_offer_the_undo(staff_client, staff_user):
    keep, _, _, record = _merged(staff_user)

    history = staff_client.get(f"/admin/intel/company/{keep.pk}/history/").content.decode()
    change = staff_client.get(f"/admin/intel/company/{keep.pk}/change/").content.decode()

    assert "Merges into this company" in history and "Undo this merge" in history
    assert f'href="{_undo_url(record)}"' in history
    assert f'href="{_undo_url(record)}"' in change and "Undo merge of “Mi”" in change


def test_undo_in_the_admin_asks_first_then_restores_on_post(staff_client, staff_user):
    keep, drop, event, record = _merged(staff_user)

    page = staff_client.get(_undo_url(record))
    assert page.status_code == 200
    assert "Yes, undo this merge" in page.content.decode() and "1 event roles moved back" in page.content.decode()
    assert not Company.objects.filter(pk=drop.pk).exists()  # asking changes nothing

    done = staff_client.post(_undo_url(record))

    assert done.status_code == 302 and done["Location"] == f"/admin/intel/company/{drop.pk}/change/"
    event.refresh_from_db()
    assert event.summary == "Mi: product launch (announced)"
    assert Company.objects.get(pk=drop.pk).history.latest().history_user == staff_user
    page = staff_client.get(done["Location"]).content.decode()
    assert "Restored “Mi”" in page
    history = staff_client.get(f"/admin/intel/company/{keep.pk}/history/").content.decode()
    assert "Undone" in history and "Undo this merge" not in history


def test_undoing_twice_in_the_admin_is_refused_with_the_reason(staff_client, staff_user):
    _, drop, _, record = _merged(staff_user)
    staff_client.post(_undo_url(record))

    again = staff_client.post(_undo_url(record), follow=True)

    html = again.content.decode()
    assert again.status_code == 200
    assert "The merge was not undone: This merge was already undone on" in html
    assert 'id="undo-problems"' in html and "Yes, undo this merge" not in html
    assert Company.objects.filter(pk=drop.pk).count() == 1


def test_undo_in_the_admin_needs_the_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    _, drop, _, record = _merged(staff_user)

    assert client.post(_undo_url(record)).status_code == 403
    assert not Company.objects.filter(pk=drop.pk).exists()


def test_undo_in_the_admin_needs_the_right_to_delete_companies(client, django_user_model, staff_user):
    editor = django_user_model.objects.create_user(username="editor", password="pw", is_staff=True)
    editor.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="intel", codename__in=["view_company", "change_company"])
    )
    client.force_login(editor)
    _, drop, _, record = _merged(staff_user)

    assert client.get(_undo_url(record)).status_code == 403
    assert client.post(_undo_url(record)).status_code == 403
    assert not Company.objects.filter(pk=drop.pk).exists()


def test_the_undo_page_of_a_merge_into_another_company_is_not_found(staff_client, staff_user):
    _, _, _, record = _merged(staff_user)
    other = CompanyFactory()
    assert staff_client.get(f"/admin/intel/company/{other.pk}/merges/{record.pk}/undo/").status_code == 404


def test_the_undo_page_says_why_when_the_kept_company_was_merged_away(staff_client, staff_user):
    keep, _, _, record = _merged(staff_user)
    merge_companies(keep=CompanyFactory(name="Xiaomi Corp"), drop=keep, by=staff_user)

    page = staff_client.get(_undo_url(record))

    html = page.content.decode()
    assert page.status_code == 200
    assert "was itself merged into “Xiaomi Corp”" in html and "undo that merge first" in html
    assert "Yes, undo this merge" not in html


def test_company_pages_without_merges_render_as_before(staff_client):
    company = CompanyFactory()
    for url in (
        "/admin/intel/company/add/",
        f"/admin/intel/company/{company.pk}/change/",
        f"/admin/intel/company/{company.pk}/history/",
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert "Undo" not in response.content.decode()
