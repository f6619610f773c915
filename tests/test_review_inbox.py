"""The review inbox: every proposed record of every kind in one queue, best supported
first, with the sentence each came from; confirm, reject, edit and merge from it, one
row or many at once; filters, pages, permissions, bad input, and a fixed number of
queries per page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.choices import ReviewStatus
from intel.ingest.pipeline import ingest_article
from intel.models import (
    ArticleTag,
    Company,
    CompanyAlias,
    Evidence,
    Person,
    Quote,
    RejectedProposal,
    RelationshipEvidence,
    Role,
)
from intel.roles import ANALYSTS, READERS
from intel.workspace.inbox import PER_PAGE, inbox_items, read_filters
from intel.workspace.inbox_decisions import apply_decision, parse_targets
from intel.workspace.inbox_kinds import KINDS, InboxError
from intel.workspace.snippets import sentence_bounds
from tests.factories import (
    ArticleFactory,
    CompanyFactory,
    EventFactory,
    MentionFactory,
    ParticipantFactory,
    PersonFactory,
    ProductFactory,
    ProposedCompanyFactory,
    RelationshipFactory,
    SourceFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

INBOX = "/admin/workspace/review/"
PROPOSED = {"review_status": ReviewStatus.PROPOSED, "method": "discovered", "confidence": 0.6}


# --- Users -------------------------------------------------------------------------------


def _staff_in(django_user_model, username, group):
    user = django_user_model.objects.create_user(username=username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def analyst_client(client, django_user_model):
    """Staff in the Analysts group: views and changes every kind, deletes nothing (so merges nothing)."""
    client.force_login(_staff_in(django_user_model, "inbox-analyst", ANALYSTS))
    return client


@pytest.fixture
def reader_client(client, django_user_model):
    """Staff in the Readers group: views every kind, changes none."""
    client.force_login(_staff_in(django_user_model, "inbox-reader", READERS))
    return client


def _text(response) -> str:
    return response.content.decode()


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _follow(client, data, url=INBOX):
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    return response


def _status(record) -> str:
    record.refresh_from_db()
    return record.review_status


# --- Records of every kind -----------------------------------------------------------------


def _every_kind(n: int = 1, *, start: int = 0) -> dict[str, list]:
    """``n`` proposed records of each of the nine kinds, each with the rows its sentence comes from."""
    made: dict[str, list] = {key: [] for key in KINDS}
    source = SourceFactory()
    for i in range(start, start + n):
        body = (
            f"Acme{i} Corp plans to enter the Testland market. Jo Bloggs{i}, chief executive of Acme{i} Corp, "
            f"said: “We are ready.” Acme{i} Corp and Zenith{i} Ltd are rivals. Prices of Phone{i} fell."
        )
        article = ArticleFactory(body=body, source=source, title=f"Story {i}")
        at = body.index
        company = ProposedCompanyFactory(name=f"Acme{i}")
        rival = CompanyFactory(name=f"Zenith{i}")
        person = PersonFactory(name=f"Jo Bloggs{i}", **PROPOSED)
        product = ProductFactory(name=f"Phone{i}", maker=company, **PROPOSED)
        made["company"].append(company)
        made["person"].append(person)
        made["product"].append(product)
        made["mention"].append(
            MentionFactory(article=article, company=company, start=0, end=len(f"Acme{i} Corp"), text=f"Acme{i} Corp")
        )
        # The other names' mentions are confirmed: one proposed mention an article.
        confirmed = {"review_status": ReviewStatus.CONFIRMED}
        MentionFactory(
            article=article, company=None, person=person, start=at("Jo"), end=at("Jo") + len(f"Jo Bloggs{i}"),
            text=f"Jo Bloggs{i}", **confirmed,
        )  # fmt: skip
        MentionFactory(
            article=article, company=None, product=product, start=at("Phone"), end=at("Phone") + len(f"Phone{i}"),
            text=f"Phone{i}", **confirmed,
        )  # fmt: skip
        MentionFactory(
            article=article, company=rival, start=at("Zenith"), end=at("Zenith") + len(f"Zenith{i} Ltd"),
            text=f"Zenith{i} Ltd", **confirmed,
        )  # fmt: skip
        again = at(f"Acme{i} Corp and")
        MentionFactory(article=article, company=company, start=again, end=again + len(f"Acme{i} Corp"),
                       text=f"Acme{i} Corp", **confirmed)  # fmt: skip
        event = EventFactory(summary=f"Acme{i} enters Testland", method="rule", method_detail="builtin:market entry",
                             **{k: v for k, v in PROPOSED.items() if k != "method"})  # fmt: skip
        ParticipantFactory(event=event, company=company)
        first = body.index(".") + 1
        Evidence.objects.create(event=event, article=article, start=0, end=first, text=body[:first])
        made["event"].append(event)
        relationship = RelationshipFactory(subject=company, object=rival, **PROPOSED)
        sentence = body.index(f"Acme{i} Corp and")
        finish = body.index("rivals.") + len("rivals.")
        RelationshipEvidence.objects.create(
            relationship=relationship, article=article, start=sentence, end=finish, text=body[sentence:finish]
        )
        made["relationship"].append(relationship)
        made["role"].append(Role.objects.create(person=person, company=company, title="chief executive", **PROPOSED))
        quote_start = at("“") + 1
        made["quote"].append(
            Quote.objects.create(article=article, text="We are ready.", start=quote_start,
                                 end=quote_start + len("We are ready."), speaker=person, **PROPOSED)
        )  # fmt: skip
        made["articletag"].append(
            ArticleTag.objects.create(
                article=article,
                tag=TagFactory(),
                method="rule",
                method_detail="rule:market entry wording",
                reason=f"rule “market entry wording”: “enter the Testland market” at {at('enter')}",
                review_status=ReviewStatus.PROPOSED,
                confidence=0.75,
            )
        )
    return made


# --- What the page shows -------------------------------------------------------------------


def test_every_kind_of_proposal_is_in_the_queue_with_its_sentence(staff_client):
    made = _every_kind()
    response = staff_client.get(INBOX)
    assert response.status_code == 200
    page = response.context["page"]
    # Mentions are a kind filter away: every linked name is one, they would bury the records.
    assert {item.kind.key for item in page.items} == set(KINDS) - {"mention"}
    assert page.count == 8
    assert "8 records wait for review" in _text(response) and "and 1 mention of names" in _text(response)
    mentions = staff_client.get(INBOX, {"kind": "mention"}).context["page"]
    assert [item.kind.key for item in mentions.items] == ["mention"]
    html = _text(response)
    # A name is marked in the sentence it came from, and the sentence links to its article.
    assert '<mark class="ws-company">Acme0 Corp</mark> plans to enter the Testland market.' in html
    assert '<mark class="ws-person">Jo Bloggs0</mark>' in html
    assert '<mark class="ws-product">Phone0</mark>' in html
    assert '<mark class="ws-quote">We are ready.</mark>' in html
    assert '<mark class="ws-tag">enter the Testland market</mark>' in html
    # The relationship's evidence marks the names mentioned in it.
    assert (
        '<mark class="ws-company">Acme0 Corp</mark> and <mark class="ws-company">Zenith0 Ltd</mark> are rivals.' in html
    )
    assert f'href="/admin/workspace/articles/{made["quote"][0].article_id}/"' in html
    # The rule that made a record is shown, and filters the queue by it.
    assert "builtin:market entry" in html and "?rule=builtin%3Amarket+entry" in html
    # Every row can be confirmed, rejected and edited; a company can be merged.
    company = made["company"][0]
    assert f'value="confirm company:{company.pk}"' in html and f'value="reject company:{company.pk}"' in html
    assert f'href="/admin/intel/company/{company.pk}/change/"' in html
    assert f'href="/admin/workspace/review/merge/{company.pk}/"' in html
    assert f'href="/admin/intel/event/{made["event"][0].pk}/change/"' in html


def test_the_queue_ranks_by_articles_then_publishers_then_confidence(staff_client):
    wire, post = SourceFactory(name="Wire"), SourceFactory(name="Post")
    twice = ProposedCompanyFactory(name="Twice", confidence=0.3)
    two_outlets = ProposedCompanyFactory(name="Two Outlets", confidence=0.3)
    sure = ProposedCompanyFactory(name="Sure", confidence=0.9)
    unsure = ProposedCompanyFactory(name="Unsure", confidence=0.5)
    for company, sources in ((twice, [wire, wire]), (two_outlets, [wire, post]), (sure, [wire]), (unsure, [post])):
        for source in sources:
            MentionFactory(article=ArticleFactory(source=source), company=company, review_status=ReviewStatus.CONFIRMED)
    ProposedCompanyFactory(name="Unnamed", confidence=0.99)  # no article names it
    names = [item.name for item in inbox_items(kind="company").items]
    assert names == ["Two Outlets", "Twice", "Sure", "Unsure", "Unnamed"]
    response = staff_client.get(INBOX, {"kind": "company"})
    assert re.search(r"2 / 2.*2 / 1.*1 / 1.*1 / 1.*0 / 0", _text(response), re.S)


def test_real_news_lands_in_the_inbox_with_its_sentences(staff_client):
    ingest_article(
        text="Brightwater Corp plans to enter the Indian market next year, said Jane Okafor, chief executive of "
        "Brightwater Corp. Brightwater Corp signed a distribution deal with Lumenfield Ltd.",
        published=date(2018, 7, 1),
        source="Wire One",
    )
    ingest_article(text="Shares of Brightwater Corp rose after it agreed to buy a rival.", source="Wire Two")
    page = inbox_items()
    first = page.items[0]
    assert (first.kind.key, first.name, first.support_articles, first.support_sources) == (
        "company",
        "Brightwater",
        2,
        2,
    )
    response = staff_client.get(INBOX, {"rule": "builtin:market entry"})
    items = response.context["page"].items
    assert {(item.kind.key, item.method_detail) for item in items} == {("event", "builtin:market entry")}
    html = _text(response)
    assert "Brightwater: market entry" in html
    assert (
        '<mark class="ws-company">Brightwater Corp</mark> plans to enter the <mark class="ws-market">Indian</mark>'
        in html
    )


def test_the_rule_filter_offers_analysts_rules_and_built_in_triggers(staff_client):
    _every_kind()
    response = staff_client.get(INBOX)
    values = [choice.value for choice in response.context["rules"]]
    assert "rule:market entry wording" in values  # a built-in tag rule (data migration)
    assert "builtin:market entry" in values and "builtin:acquisition" in values
    choice = next(c for c in response.context["rules"] if c.value == "builtin:market entry")
    assert choice.waiting == 1
    assert '<option value="builtin:market entry">builtin:market entry (1 waiting)</option>' in _text(response)


# --- Filters and pages -------------------------------------------------------------------


def test_filters_by_kind_rule_and_support(staff_client):
    made = _every_kind(2)
    MentionFactory(article=ArticleFactory(), company=made["company"][0])  # a second article names Acme0
    by_kind = staff_client.get(INBOX, {"kind": "event"}).context["page"]
    assert [item.kind.key for item in by_kind.items] == ["event", "event"]
    by_rule = staff_client.get(INBOX, {"rule": "rule:market entry wording"}).context["page"]
    assert {item.kind.key for item in by_rule.items} == {"articletag"} and by_rule.count == 2
    by_support = staff_client.get(INBOX, {"min_support": "2"}).context["page"]
    assert [(item.kind.key, item.pk) for item in by_support.items] == [("company", made["company"][0].pk)]
    nothing = staff_client.get(INBOX, {"rule": "rule:no such rule"})
    assert nothing.context["page"].count == 0 and "Nothing matches these filters." in _text(nothing)


def test_pages_hold_fifty_records_and_keep_the_filters(staff_client):
    for i in range(PER_PAGE + 5):
        ProposedCompanyFactory(name=f"Firm {i:03}")
    first = staff_client.get(INBOX, {"kind": "company"})
    assert len(first.context["page"].items) == PER_PAGE
    assert "?kind=company&amp;page=2" in _text(first)
    second = staff_client.get(INBOX, {"kind": "company", "page": "2"})
    assert len(second.context["page"].items) == 5
    assert "records 51–55 of 55" in _text(second)
    shown = {item.pk for item in first.context["page"].items} | {item.pk for item in second.context["page"].items}
    assert len(shown) == PER_PAGE + 5


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kind": "spaceship"}, "There is no kind of record called “spaceship”: showing every kind."),
        ({"page": "two"}, "“two” is not a page number: showing the first page."),
        ({"page": "0"}, "“0” is not a page number: showing the first page."),
        ({"page": "99"}, "There is no page 99: showing page 1, the last."),
        ({"page": "9" * 5000}, "showing page 1, the last."),
        ({"min_support": "-1"}, "“-1” is not a number of articles: showing any support."),
        ({"min_support": "²"}, "“²” is not a number of articles: showing any support."),
    ],
)
def test_bad_filters_are_explained_on_the_page(staff_client, params, message):
    _every_kind()
    response = staff_client.get(INBOX, params)
    assert response.status_code == 200
    assert any(message in error for error in response.context["errors"]), response.context["errors"]
    assert message in _text(response)
    assert response.context["page"].count == 8  # the bad filter is left off (mentions only when asked)


def test_nul_characters_in_the_filters_are_harmless(staff_client):
    made = _every_kind()
    response = staff_client.get(INBOX, {"rule": "builtin:market entry\x00", "kind": "\x00"})
    assert response.status_code == 200
    assert [item.kind.key for item in response.context["page"].items] == ["event"]
    merge = staff_client.get(f"/admin/workspace/review/merge/{made['company'][0].pk}/", {"q": "Zen\x00ith"})
    assert merge.status_code == 200 and [c.name for c in merge.context["candidates"]] == ["Zenith0"]


def test_read_filters_keeps_what_it_can():
    filters, errors = read_filters(
        {"kind": "event", "rule": " builtin:pricing ", "min_support": "3", "page": "2"}, visible=list(KINDS)
    )
    assert (filters.kind, filters.rule, filters.min_support, filters.page, errors) == (
        "event", "builtin:pricing", 3, 2, []
    )  # fmt: skip
    filters, errors = read_filters({"kind": "event"}, visible=["company"])
    assert filters.kind is None and errors == ["You may not view events: showing the kinds you may."]


# --- Decisions ---------------------------------------------------------------------------


def test_an_analyst_confirms_a_row_and_it_leaves_the_queue(analyst_client):
    made = _every_kind()
    company = made["company"][0]
    response = _follow(analyst_client, {"row": f"confirm company:{company.pk}"}, f"{INBOX}?kind=company")
    assert response.redirect_chain[-1][0] == f"{INBOX}?kind=company"  # back to the same filters
    assert _status(company) == ReviewStatus.CONFIRMED
    assert company.reviewed_by.username == "inbox-analyst"
    assert "Confirmed 1 record(s)." in _messages(response)
    assert company.pk not in [item.pk for item in response.context["page"].items]


def test_rejecting_a_row_is_remembered(analyst_client):
    made = _every_kind()
    event = made["event"][0]
    response = _follow(analyst_client, {"row": f"reject event:{event.pk}"})
    assert _status(event) == ReviewStatus.REJECTED
    assert RejectedProposal.objects.filter(model_label="intel.event").count() == 1
    assert "Rejected 1 record(s). They will not be proposed again." in _messages(response)


def test_bulk_actions_decide_records_of_several_kinds_at_once(analyst_client):
    made = _every_kind(2)
    chosen = [made["company"][0], made["event"][1], made["quote"][0], made["articletag"][1], made["mention"][0]]
    tokens = [
        f"{key}:{record.pk}"
        for key, record in zip(["company", "event", "quote", "articletag", "mention"], chosen, strict=True)
    ]
    response = _follow(analyst_client, {"action": "reject", "selected": tokens})
    assert "Rejected 5 record(s). They will not be proposed again." in _messages(response)
    assert all(_status(record) == ReviewStatus.REJECTED for record in chosen)
    assert _status(made["company"][1]) == ReviewStatus.PROPOSED
    _follow(
        analyst_client,
        {"action": "confirm", "selected": [f"role:{made['role'][0].pk}", f"person:{made['person'][1].pk}"]},
    )
    assert _status(made["role"][0]) == _status(made["person"][1]) == ReviewStatus.CONFIRMED


@pytest.mark.parametrize(
    "bad",
    [
        "company:999999",  # no such record
        "event:{company}",  # the company's id, said to be an event's: not an event
        "spaceship:1",
        "company:abc",
        "company:",
        "nonsense",
        "company:-1",
    ],
)
def test_a_post_with_bad_ids_changes_nothing(analyst_client, bad):
    made = _every_kind()
    company = made["company"][0]
    ProposedCompanyFactory(pk=5000)  # a company's id that no event has
    token = bad.format(company=5000)
    response = _follow(analyst_client, {"action": "confirm", "selected": [f"company:{company.pk}", token]})
    assert _status(company) == ReviewStatus.PROPOSED
    assert "nothing was changed" in " ".join(_messages(response))
    response = _follow(analyst_client, {"row": f"reject {token}"})
    assert "nothing was changed" in " ".join(_messages(response))
    assert not Company.objects.exclude(review_status=ReviewStatus.PROPOSED).filter(pk__in=[company.pk, 5000]).exists()
    assert RejectedProposal.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "confirm"}, "Select at least one record first."),
        ({"action": "approve", "selected": ["company:{pk}"]}, "“approve” is not a decision: confirm or reject."),
        ({"row": "delete company:{pk}"}, "“delete” is not a decision: confirm or reject."),
        ({}, "Select at least one record first."),
    ],
)
def test_a_post_without_a_decision_or_a_record_says_so(analyst_client, data, message):
    company = ProposedCompanyFactory()
    filled = {k: [v.format(pk=company.pk) for v in value] if isinstance(value, list) else value.format(pk=company.pk)
              for k, value in data.items()}  # fmt: skip
    assert _messages(_follow(analyst_client, filled)) == [message]
    assert _status(company) == ReviewStatus.PROPOSED


def test_records_reviewed_meanwhile_are_left_as_they_are(analyst_client, staff_user):
    first, second = ProposedCompanyFactory(), ProposedCompanyFactory()
    apply_decision(verdict="confirm", targets=[("company", first.pk)], by=staff_user)  # a colleague, just before
    response = _follow(
        analyst_client, {"action": "reject", "selected": [f"company:{first.pk}", f"company:{second.pk}"]}
    )
    assert _status(first) == ReviewStatus.CONFIRMED and _status(second) == ReviewStatus.REJECTED
    assert (
        "Rejected 1 record(s). They will not be proposed again. 1 had been reviewed already" in _messages(response)[0]
    )


def test_apply_decision_and_parse_targets_refuse_bad_input(staff_user):
    company = ProposedCompanyFactory()
    assert parse_targets([f"company:{company.pk}", f"company:{company.pk}", "event:7"]) == [
        ("company", company.pk), ("event", 7)
    ]  # fmt: skip
    with pytest.raises(InboxError, match="is not a record of the inbox"):
        parse_targets(["company:1:2"])
    with pytest.raises(InboxError, match="No company with id 424242"):
        apply_decision(verdict="confirm", targets=[("company", company.pk), ("company", 424242)], by=staff_user)
    assert _status(company) == ReviewStatus.PROPOSED
    result = apply_decision(verdict="confirm", targets=[("company", company.pk)], by=staff_user)
    assert (result.changed, result.skipped) == (1, 0)


# --- Permissions -------------------------------------------------------------------------


def test_a_reader_sees_the_queue_but_cannot_decide(reader_client):
    made = _every_kind()
    response = reader_client.get(INBOX)
    assert response.status_code == 200 and response.context["page"].count == 8
    html = _text(response)
    assert 'name="selected"' not in html and "ws-confirm" not in html and "Confirm selected" not in html
    assert ">View</a>" in html and "Merge…" not in html
    company = made["company"][0]
    response = _follow(reader_client, {"row": f"confirm company:{company.pk}"})
    assert _messages(response) == ["Reviewing companies needs their change permission: nothing was changed."]
    _follow(reader_client, {"action": "reject", "selected": [f"company:{company.pk}", f"event:{made['event'][0].pk}"]})
    assert _status(company) == _status(made["event"][0]) == ReviewStatus.PROPOSED
    assert RejectedProposal.objects.count() == 0


def test_the_inbox_shows_only_the_kinds_one_may_view(client, django_user_model):
    _every_kind()
    user = django_user_model.objects.create_user(username="companies-only", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_company"))
    client.force_login(user)
    response = client.get(INBOX)
    assert [item.kind.key for item in response.context["page"].items] == ["company"]
    assert [key for key, _, _ in response.context["kinds"]] == ["company"]
    response = client.get(INBOX, {"kind": "event"})
    assert response.context["errors"] == ["You may not view events: showing the kinds you may."]
    assert "Acme0 enters Testland" not in _text(response)


def test_the_inbox_is_refused_without_any_view_permission_and_to_non_staff(client, django_user_model):
    user = django_user_model.objects.create_user(username="nobody", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get(INBOX).status_code == 403
    assert client.post(INBOX, {"action": "confirm", "selected": ["company:1"]}).status_code == 403
    user.is_staff = False
    user.save()
    assert client.get(INBOX).status_code == 302  # to the admin's login


# --- Merging -------------------------------------------------------------------------------


def test_a_proposed_company_is_merged_into_the_one_chosen(staff_client):
    known = CompanyFactory(name="Brightwater Corporation")
    CompanyFactory(name="Brightwater Solar")
    proposed = ProposedCompanyFactory(name="Brightwater")
    mention = MentionFactory(article=ArticleFactory(body="Brightwater said so."), company=proposed, end=11,
                             text="Brightwater")  # fmt: skip
    url = f"/admin/workspace/review/merge/{proposed.pk}/"
    page = staff_client.get(url)
    assert page.status_code == 200
    assert [c.name for c in page.context["candidates"]] == ["Brightwater Corporation", "Brightwater Solar"]
    assert '<mark class="ws-company">Brightwater</mark> said so.' in _text(page)
    assert [c.name for c in staff_client.get(url, {"q": "solar"}).context["candidates"]] == ["Brightwater Solar"]
    response = _follow(staff_client, {"keep": str(known.pk)}, url)
    assert response.redirect_chain[-1][0] == INBOX
    assert "Merged “Brightwater” into “Brightwater Corporation”" in _messages(response)[0]
    assert not Company.objects.filter(pk=proposed.pk).exists()
    assert CompanyAlias.objects.filter(company=known, text="Brightwater").exists()
    mention.refresh_from_db()
    assert mention.company_id == known.pk


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        ("", "Choose the company to keep."),
        ("abc", "Choose the company to keep."),
        ("999999", "No company with id 999999 to keep: nothing was merged."),
        ("{self}", "A company cannot be merged into itself."),
    ],
)
def test_a_bad_merge_changes_nothing(staff_client, keep, message):
    proposed = ProposedCompanyFactory(name="Brightwater")
    url = f"/admin/workspace/review/merge/{proposed.pk}/"
    response = _follow(staff_client, {"keep": keep.format(self=proposed.pk)}, url)
    assert _messages(response) == [message]
    assert Company.objects.filter(pk=proposed.pk).exists()


def test_merging_needs_the_delete_permission(analyst_client):
    known, proposed = CompanyFactory(name="Brightwater Corporation"), ProposedCompanyFactory(name="Brightwater")
    html = _text(analyst_client.get(INBOX))
    assert "Merge…" not in html
    url = f"/admin/workspace/review/merge/{proposed.pk}/"
    assert "needs a staff account with the permission to delete companies" in _text(analyst_client.get(url))
    response = _follow(analyst_client, {"keep": str(known.pk)}, url)
    assert _messages(response) == ["Merging companies needs a staff account with the permission to delete companies."]
    assert Company.objects.filter(pk=proposed.pk).exists()


def test_merging_a_company_that_does_not_exist_says_so(staff_client):
    response = staff_client.get("/admin/workspace/review/merge/424242/", follow=True)
    assert response.redirect_chain[-1][0] == INBOX
    assert _messages(response) == ["No company with id 424242: nothing to merge."]


# --- Keys and cost -------------------------------------------------------------------------


def test_the_page_loads_its_keys_and_styles_from_static_files(staff_client):
    _every_kind()
    html = _text(staff_client.get(INBOX))
    assert '<script src="/static/intel/inbox.js" defer></script>' in html
    assert 'href="/static/intel/inbox.css"' in html
    assert "cdn" not in html.lower()
    script = (Path(settings.BASE_DIR) / "intel" / "static" / "intel" / "inbox.js").read_text()
    for key in ('"j"', '"n"', '"k"', '"p"', '"c"', '"r"', '"e"', '"x"'):
        assert f"case {key}:" in script
    # The keys press the row's own buttons and links: the classes the script looks for are there.
    assert 'class="ws-row"' in html and 'class="ws-confirm"' in html and 'class="ws-reject"' in html
    assert 'class="ws-edit"' in html


def _queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX, params or {}).status_code == 200
    return len(captured)


def test_a_page_costs_the_same_queries_whatever_its_number_of_rows(analyst_client, django_assert_num_queries):
    _every_kind(1)
    _queries(analyst_client)  # warm: what a first request caches is not the page's cost
    few = _queries(analyst_client)
    _every_kind(4, start=1)  # 40 rows without the mentions: still one page, now five of each kind
    assert inbox_items().count == 40
    with django_assert_num_queries(few):
        response = analyst_client.get(INBOX)
    assert len(response.context["page"].items) == 40
    # A filtered page costs no more than it did, and a rule's figures two queries more.
    assert _queries(analyst_client, {"kind": "event"}) < few
    assert _queries(analyst_client, {"rule": "builtin:market entry"}) <= few + 2


def test_the_kinds_filter_counts_what_waits_of_each_kind(staff_client):
    made = _every_kind(2)
    Person.objects.filter(pk=made["person"][0].pk).update(review_status=ReviewStatus.CONFIRMED)
    kinds = {key: n for key, _, n in staff_client.get(INBOX).context["kinds"]}
    assert kinds == {key: 2 for key in KINDS} | {"person": 1}


def test_a_sentence_ends_at_its_stop_not_at_an_abbreviation():
    text = "Earlier news. Brightwater Corp. said Acme Inc. will enter India. Later news."
    start = text.index("Acme")
    begin, end = sentence_bounds(text, start, start + 4)
    assert text[begin:end] == "Brightwater Corp. said Acme Inc. will enter India."
