"""Rules earn their keep: each tag and event rule's page and list show how many records
it made, how many wait for review, and the share of reviewed ones people confirmed,
with a link to the inbox showing only its records; built-in event triggers too."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from intel.choices import ReviewStatus
from intel.ingest.pipeline import ingest_article
from intel.models import ArticleTag, Event, EventRule, Tag, TagRule
from intel.review import confirm_records, reject_records
from intel.workspace.rule_precision import (
    RuleFigures,
    builtin_labels,
    figures_by_label,
    rule_figures,
    rule_label,
    with_rule_figures,
)
from tests.factories import ArticleFactory, EventFactory, TagFactory

pytestmark = pytest.mark.django_db

NEWS = [
    ("Brightwater Corp hosted a hackathon in India. Analysts expect a price war.", "Wire One"),
    ("Lumenfield Ltd will hold a hackathon in Kenya next month. A price war looms.", "Wire Two"),
    ("Acme Corp plans a hackathon for developers in Brazil, amid a price war.", "Wire Three"),
]


@pytest.fixture
def rules_and_news():
    """An event rule and a tag rule, each firing on three real articles."""
    events = EventRule.objects.create(name="hackathons", event_type="other", match="hackathon", algorithm="any")
    tags = TagRule.objects.create(
        name="price war talk", tag=Tag.objects.create(namespace="theme", name="price-war"), algorithm="literal",
        match="price war",
    )  # fmt: skip
    for text, source in NEWS:
        ingest_article(text=text, published=date(2018, 7, 1), source=source)
    return events, tags


def _made(model, rule):
    return list(model.objects.filter(method_detail=rule_label(rule)).order_by("pk"))


def _figures_box(html: str) -> str:
    found = re.search(r'<div class="module ws-rule-figures" id="rule-figures">(.*?)</div>', html, re.S)
    assert found, "no figures on the page"
    return " ".join(found.group(1).split())


def test_records_carry_the_label_of_the_rule_that_made_them(rules_and_news):
    event_rule, tag_rule = rules_and_news
    assert len(_made(Event, event_rule)) == 3 and rule_label(event_rule) == "rule:hackathons"
    assert len(_made(ArticleTag, tag_rule)) == 3 and rule_label(tag_rule) == "rule:price war talk"
    assert rule_figures(event_rule) == RuleFigures(made=3, proposed=3, confirmed=0, rejected=0)
    assert rule_figures(event_rule).precision is None
    assert rule_figures(event_rule).precision_text() == "not reviewed yet"


def test_precision_is_confirmed_among_reviewed(rules_and_news, staff_user):
    event_rule, tag_rule = rules_and_news
    events = _made(Event, event_rule)
    confirm_records(events[:2], by=staff_user)
    reject_records(events[2:], by=staff_user)
    tags = _made(ArticleTag, tag_rule)
    reject_records(tags[:1], by=staff_user)
    figures = rule_figures(event_rule)
    assert figures == RuleFigures(made=3, proposed=0, confirmed=2, rejected=1)
    assert figures.precision == pytest.approx(2 / 3)
    assert figures.precision_text() == "67% (2 of 3 reviewed)"
    # Waiting records count neither way.
    assert rule_figures(tag_rule) == RuleFigures(made=3, proposed=2, confirmed=0, rejected=1)
    assert rule_figures(tag_rule).precision_text() == "0% (0 of 1 reviewed)"


def test_a_rules_page_shows_its_figures_and_links_to_its_records_in_the_inbox(rules_and_news, staff_client, staff_user):
    event_rule, tag_rule = rules_and_news
    events = _made(Event, event_rule)
    confirm_records(events[:1], by=staff_user)
    reject_records(events[1:2], by=staff_user)

    page = staff_client.get(f"/admin/intel/eventrule/{event_rule.pk}/change/")
    assert page.status_code == 200
    box = _figures_box(page.content.decode())
    assert "Made <strong>3</strong> records" in box and "1 confirmed, 1 rejected" in box
    assert "Precision: <strong>50% (1 of 2 reviewed)</strong>" in box
    link = re.search(r'<a href="([^"]+)">1 waiting for review</a>', box).group(1).replace("&amp;", "&")
    assert link == "/admin/workspace/review/?kind=event&rule=rule%3Ahackathons"
    inbox = staff_client.get(link)
    assert [(item.kind.key, item.pk) for item in inbox.context["page"].items] == [("event", events[2].pk)]
    assert "Rule <code>rule:hackathons</code>: made 3 records, 1 waiting; precision 50% (1 of 2 reviewed)." in (
        " ".join(inbox.content.decode().split())
    )

    box = _figures_box(staff_client.get(f"/admin/intel/tagrule/{tag_rule.pk}/change/").content.decode())
    assert "0 confirmed, 0 rejected" in box and "3 waiting for review" in box
    assert "?kind=articletag&amp;rule=rule%3Aprice+war+talk" in box
    assert "Precision: <strong>not reviewed yet</strong>" in box


def test_the_add_page_has_no_figures(staff_client):
    html = staff_client.get("/admin/intel/eventrule/add/").content.decode()
    assert 'id="rule-figures"' not in html
    assert "Test on past articles" in html  # the page's other button is still there


def _rule_with(name: str, *, confirmed: int, rejected: int, proposed: int) -> EventRule:
    rule = EventRule.objects.create(name=name, event_type="other", match=name)
    for status, n in ((ReviewStatus.CONFIRMED, confirmed), (ReviewStatus.REJECTED, rejected),
                      (ReviewStatus.PROPOSED, proposed)):  # fmt: skip
        for _ in range(n):
            EventFactory(method="rule", method_detail=rule_label(rule), review_status=status)
    return rule


def test_the_rules_list_shows_the_figures_and_sorts_by_precision(staff_client):
    _rule_with("good", confirmed=3, rejected=1, proposed=2)
    _rule_with("poor", confirmed=1, rejected=3, proposed=0)
    _rule_with("new", confirmed=0, rejected=0, proposed=1)
    EventFactory(method="rule", method_detail="rule:gone", review_status=ReviewStatus.CONFIRMED)  # a renamed rule's
    response = staff_client.get("/admin/intel/eventrule/")
    html = " ".join(response.content.decode().split())
    assert "75% (3 of 4 reviewed)" in html and "25% (1 of 4 reviewed)" in html and "not reviewed yet" in html
    assert '<a href="/admin/workspace/review/?kind=event&amp;rule=rule%3Agood">2</a>' in html
    rows = {rule.name: rule for rule in response.context["cl"].result_list}
    assert (rows["good"].rule_made, rows["good"].rule_proposed) == (6, 2)
    assert rows["new"].rule_precision is None
    # Sorted by precision, best first (the precision column is the last).
    column = response.context["cl"].list_display.index("precision")
    best_first = staff_client.get("/admin/intel/eventrule/", {"o": f"-{column}"}).context["cl"].result_list
    assert [rule.name for rule in best_first][:2] == ["good", "poor"]


def test_the_rules_list_costs_the_same_queries_whatever_its_number_of_rules(staff_client, django_assert_num_queries):
    tag = TagFactory()
    article = ArticleFactory()
    for i in range(2):
        rule = TagRule.objects.create(name=f"rule {i}", tag=tag, match=f"word{i}")
        ArticleTag.objects.create(article=article, tag=TagFactory(), method_detail=rule_label(rule),
                                  review_status=ReviewStatus.PROPOSED)  # fmt: skip
    staff_client.get("/admin/intel/tagrule/")  # warm
    with CaptureQueriesContext(connection) as few:
        staff_client.get("/admin/intel/tagrule/")
    for i in range(2, 12):
        rule = TagRule.objects.create(name=f"rule {i}", tag=tag, match=f"word{i}")
        ArticleTag.objects.create(article=ArticleFactory(), tag=tag, method_detail=rule_label(rule),
                                  review_status=ReviewStatus.CONFIRMED)  # fmt: skip
    with django_assert_num_queries(len(few)):
        response = staff_client.get("/admin/intel/tagrule/")
    assert response.content.decode().count("100% (1 of 1 reviewed)") == 10


def test_with_rule_figures_reads_the_figures_with_the_rules_in_one_query(django_assert_num_queries):
    _rule_with("good", confirmed=3, rejected=1, proposed=2)
    _rule_with("idle", confirmed=0, rejected=0, proposed=0)
    with django_assert_num_queries(1):
        rules = {rule.name: rule for rule in with_rule_figures(EventRule.objects.all())}
    assert (rules["good"].rule_made, rules["good"].rule_confirmed, rules["good"].rule_rejected) == (6, 3, 1)
    assert rules["good"].rule_precision == pytest.approx(0.75)
    assert (rules["idle"].rule_made, rules["idle"].rule_precision) == (0, None)


def test_a_renamed_rule_starts_afresh(staff_user):
    rule = _rule_with("old name", confirmed=2, rejected=0, proposed=0)
    rule.name = "new name"
    rule.save()
    assert rule_figures(rule) == RuleFigures()


def test_built_in_triggers_have_figures_and_are_in_the_inbox_rule_filter(staff_client, staff_user):
    ingest_article(
        text="Brightwater Corp plans to enter the Indian market next year. Brightwater Corp signed a distribution "
        "deal with Lumenfield Ltd.",
        published=date(2018, 7, 1),
        source="Wire One",
    )
    entry = Event.objects.get(method_detail="builtin:market entry")
    confirm_records([entry], by=staff_user)
    figures = figures_by_label(Event, builtin_labels())
    assert figures["builtin:market entry"] == RuleFigures(made=1, proposed=0, confirmed=1, rejected=0)
    assert figures["builtin:partnership"].proposed == 1
    assert "builtin:legal" in builtin_labels() and "builtin:legal" not in figures  # made nothing

    response = staff_client.get("/admin/workspace/review/", {"rule": "builtin:partnership"})
    assert [item.method_detail for item in response.context["page"].items] == ["builtin:partnership"]
    html = " ".join(response.content.decode().split())
    assert '<option value="builtin:partnership" selected>builtin:partnership (1 waiting)</option>' in html
    assert '<option value="builtin:market entry">builtin:market entry (0 waiting)</option>' in html
    assert "Rule <code>builtin:partnership</code>: made 1 record, 1 waiting; precision not reviewed yet." in html
