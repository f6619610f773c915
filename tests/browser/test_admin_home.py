"""The admin home in a real browser: rivalscope's header, the search box, the models grouped by purpose."""

from __future__ import annotations

import pytest

expect = pytest.importorskip("playwright.sync_api", reason="playwright is missing").expect

pytestmark = pytest.mark.browser

# intel/admin_site.py's MODEL_GROUPS, as an analyst reads them on the home page.
ANALYSTS_GROUPS = ["Intelligence", "Review", "Monitoring", "Rules"]


def group_names(page):
    return [text.strip() for text in page.locator("#content-main .module caption").all_text_contents()]


def test_a_superuser_sees_rivalscope_the_search_box_and_every_group(admin_page, screenshot):
    page = admin_page
    expect(page).to_have_title("Competitive intelligence | rivalscope")
    expect(page.locator("#header #site-name")).to_have_text("rivalscope")
    search = page.locator("#header").get_by_role("search").get_by_role("searchbox")
    expect(search).to_be_visible()
    expect(search).to_have_attribute("name", "q")
    expect(page.get_by_role("heading", name="Records, by purpose")).to_be_visible()

    groups = group_names(page)
    assert [g for g in groups if g in ANALYSTS_GROUPS] == ANALYSTS_GROUPS, groups  # all four, in this order
    assert "System" in groups
    for name in [*ANALYSTS_GROUPS, "System"]:
        expect(page.locator("#content-main caption").get_by_text(name, exact=True)).to_be_visible()
    expect(page.locator("#content-main .app-system").get_by_role("link", name="Users", exact=True)).to_be_visible()

    path = screenshot(page, "admin-home")
    assert path.name == "admin-home.png" and path.stat().st_size > 10_000


def test_an_analyst_sees_the_groups_but_not_the_system_group(analyst_page, screenshot):
    page = analyst_page
    expect(page.locator("#header #site-name")).to_have_text("rivalscope")
    expect(page.locator("#header").get_by_role("search").get_by_role("searchbox")).to_be_visible()
    for name in ANALYSTS_GROUPS:
        expect(page.locator("#content-main caption").get_by_text(name, exact=True)).to_be_visible()
    expect(page.locator("#content-main .app-system")).to_have_count(0)
    assert "System" not in group_names(page)
    screenshot(page, "admin-home-analyst")


def test_the_header_search_is_one_click_from_home(clicks):
    clicks.search("Xiaomi")
    expect(clicks.page.locator("#header").get_by_role("searchbox")).to_have_value("Xiaomi")
    assert clicks.page.url.endswith("?q=Xiaomi")
    clicks.assert_at_most(1, "Where is Xiaomi mentioned?")
