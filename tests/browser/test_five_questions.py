"""The five questions an analyst asks, answered from the admin home in at most three
clicks each, in a real browser, on the quick start's data plus a few more articles
(sentences written for these tests). Each saves a full-page screenshot: with
``RIVALSCOPE_SCREENSHOTS=docs`` (scripts/screenshots.sh) they become docs/screenshots/."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from intel.ingest.pipeline import ingest_article
from intel.models import Company, Watchlist
from intel.quickstart import store_sample_article

pytestmark = pytest.mark.browser

MORE_NEWS = [
    ("OnePlus to sell its phones in India", "Smartphone maker OnePlus will start selling its phones in India next "
     "month, its chief executive Pete Lau said on Monday. OnePlus already sells in China and Europe.", "Wire One"),
    ("Xiaomi is India's top smartphone vendor", "Xiaomi became the top smartphone vendor in India with a 30% market "
     "share, research firm Canalys said. Xiaomi has launched its Redmi phones across the country.", "Wire Two"),
    ("Brightwave Mobile pulls out of India", "Handset maker Brightwave Mobile said it would pull out of India by "
     "December and close its stores there, after losing market share to Xiaomi.", "Wire Three"),
    ("Xiaomi plans US launch", "Xiaomi plans to enter the US market next year with its phones, the company said, "
     "confirming earlier reports.", "Wire Four"),
]  # fmt: skip


@pytest.fixture
def news(reference_markets: None, staff_user) -> None:
    store_sample_article()
    for title, text, source in MORE_NEWS:
        ingest_article(text=text, title=title, published=date.today().isoformat(), source=source)
    xiaomi = Company.objects.get(name="Xiaomi")
    xiaomi.watched = True
    xiaomi.save()
    watchlist = Watchlist.objects.create(name="Phones", owner=staff_user)
    watchlist.companies.add(xiaomi)


def test_q1_what_xiaomi_does_in_the_united_states_and_on_what_sources(news, clicks, screenshot):
    clicks.search("Xiaomi")
    clicks.link("Xiaomi", within="#ws-found-companies")
    page = clicks.link("United States", within="#ws-timeline .ws-chips")
    clicks.assert_at_most(3, "What is Xiaomi doing in the United States, and on what sources?")
    expect(page.locator("#ws-timeline h2")).to_contain_text("Timeline in United States")
    timeline = page.locator("#ws-timeline")
    expect(timeline).to_contain_text("market entry – United States")
    expect(timeline).to_contain_text("2019")
    timeline.locator("details.ws-evidence summary").first.click()
    expect(timeline.locator("details.ws-evidence").first).to_contain_text("independent source")
    screenshot(page, "q1-company-in-a-market")


def test_q2_who_is_present_entering_or_leaving_india(news, clicks, screenshot):
    clicks.search("India")
    page = clicks.link("India", within="#ws-found-markets")
    clicks.assert_at_most(3, "Who is present in, entering, or leaving India?")
    expect(page.locator("#ws-present")).to_contain_text("Xiaomi")
    expect(page.locator("#ws-entering")).to_contain_text("OnePlus")
    expect(page.locator("#ws-leaving")).to_contain_text("Brightwave Mobile")
    screenshot(page, "q2-market")


def test_q3_what_is_new_for_my_watchlist_since_monday(news, clicks, screenshot):
    page = clicks.page
    section = page.locator("#ws-watchlist-news")
    expect(section).to_contain_text("since")
    expect(section).to_contain_text("Xiaomi")
    clicks.assert_at_most(3, "What is new for my watchlist since Monday?")
    screenshot(page, "q3-dashboard")


def test_q4_what_needs_my_review_best_supported_first(news, clicks, screenshot):
    page = clicks.link("Review inbox")
    clicks.assert_at_most(3, "What needs my review, the best-supported proposals first?")
    expect(page.locator("#content")).to_contain_text("Xiaomi")
    screenshot(page, "q4-review-inbox")


def test_q5_a_one_page_brief_on_oneplus(news, clicks, screenshot):
    clicks.search("OnePlus")
    clicks.link("OnePlus", within="#ws-found-companies")
    page = clicks.link("Brief")
    clicks.assert_at_most(3, "A one-page brief on OnePlus I can send to a colleague")
    expect(page.locator(".ws-brief-page")).to_contain_text("Latest events")
    expect(page.locator(".ws-brief-page")).to_contain_text("India")
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    screenshot(page, "q5-brief")
