"""An analyst's regular expression that runs out of time on an article is skipped there,
the rest of the article is extracted as usual, and the rule's page says so."""

from __future__ import annotations

import logging
import time

import pytest

from intel.ingest.pipeline import ingest_article
from intel.matching import RuleTimedOut, find_matches
from intel.models import ArticleTag, Event, EventRule, Tag, TagRule
from tests.factories import CompanyFactory

LIMIT = 0.2
RUNAWAY = r"(a+)+$"  # nested repeats: every way of splitting a run of a's is tried before failing
# Ends the article: without a time limit the pattern runs minutes on its run of a's.
SLOW_TAIL = "Realme's test string was " + "a" * 3000 + "b."
TEXT = "Realme opens stores across Indonesia this month. Analysts expect a price war. " + SLOW_TAIL


@pytest.fixture
def time_limit(settings):
    settings.RIVALSCOPE_RULE_REGEX_TIMEOUT = LIMIT


@pytest.fixture
def rules(db, time_limit):
    """A runaway tag rule and event rule, each beside one that works."""
    CompanyFactory(name="Realme")
    price_war = Tag.objects.create(namespace="theme", name="price-war")
    return {
        "tag": TagRule.objects.create(name="price war talk", tag=price_war, algorithm="literal", match="price war"),
        "slow tag": TagRule.objects.create(
            name="runaway tag", tag=Tag.objects.create(namespace="x", name="slow"), algorithm="regex", match=RUNAWAY
        ),
        "event": EventRule.objects.create(
            name="store openings", event_type="market_entry", algorithm="literal", match="opens stores"
        ),
        "slow event": EventRule.objects.create(
            name="runaway event", event_type="other", algorithm="regex", match=RUNAWAY
        ),
    }


def test_a_runaway_pattern_stops_at_the_time_limit():
    started = time.perf_counter()
    with pytest.raises(RuleTimedOut):
        find_matches("a" * 3000 + "b", algorithm="regex", pattern=RUNAWAY, timeout=LIMIT)
    # The regex module looks at the clock now and then, not at every step: a little over.
    assert time.perf_counter() - started < LIMIT + 1.0


def test_the_article_is_ingested_with_its_other_tags_and_events(rules):
    result = ingest_article(text=TEXT, published="2019-03-04")
    assert list(ArticleTag.objects.filter(article=result.article).values_list("tag__name", flat=True)) == ["price-war"]
    assert list(Event.objects.values_list("method_detail", flat=True)) == ["rule:store openings"]


def test_the_timeout_is_recorded_on_the_rule_and_logged(rules, caplog):
    with caplog.at_level(logging.WARNING, logger="intel.models.rules"):
        first = ingest_article(text=TEXT, published="2019-03-04").article
        second = ingest_article(text="Another story. " + TEXT, published="2019-03-05").article
    for name in ("slow tag", "slow event"):
        rule = type(rules[name]).objects.get(pk=rules[name].pk)
        assert (rule.timeouts, rule.last_timeout_article) == (2, second)
        assert rule.last_timeout_at is not None
        assert rule.history.count() == 1  # its creation: a timeout is no edit of the rule
        logged = [r.getMessage() for r in caplog.records if f"{rule.name!r}" in r.getMessage()]
        assert [f"article {first.pk} " in m for m in logged] == [True, False]
    for name in ("tag", "event"):
        assert type(rules[name]).objects.get(pk=rules[name].pk).timeouts == 0


@pytest.mark.parametrize(("name", "url"), [("slow tag", "tagrule"), ("slow event", "eventrule")])
def test_the_rule_s_page_shows_its_timeouts(rules, admin_client, name, url):
    article = ingest_article(text=TEXT, published="2019-03-04").article
    page = admin_client.get(f"/admin/intel/{url}/{rules[name].pk}/change/").content.decode()
    assert 'id="rule-timeouts"' in page
    assert "ran out of time (more than 0.2 s) on\n    <strong>1</strong> article," in page
    assert f'href="/admin/intel/article/{article.pk}/change/"' in page
    quiet = admin_client.get(f"/admin/intel/{url}/{rules[name.removeprefix('slow ')].pk}/change/").content.decode()
    assert 'id="rule-timeouts"' not in quiet


def test_the_rule_tester_shows_where_the_pattern_is_too_slow(rules, staff_client):
    slow = ingest_article(text=TEXT, published="2019-03-04").article
    ingest_article(text="Realme cut prices again. Analysts expect a price war.", published="2019-03-05")
    page = staff_client.post(
        "/admin/intel/tagrule/test/", {"algorithm": "regex", "match": RUNAWAY, "case_sensitive": ""}
    ).content.decode()
    assert "Searched the 2 most recent article(s); the rule matches 0." in page
    assert 'id="rule-timeouts"' in page
    assert f'href="/admin/intel/article/{slow.pk}/change/"' in page
