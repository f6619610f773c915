"""Real-browser fixtures: Playwright drives Debian's chromium against pytest-django's live server.

    pytestmark = pytest.mark.browser

    def test_companies_are_one_click_from_home(clicks, screenshot):
        clicks.link("Companies", within="#content-main")
        expect(clicks.page.locator("h1")).to_have_text("Select company to change")
        clicks.assert_at_most(1)
        screenshot(clicks.page, "companies")

* ``browser``: chromium (/usr/bin/chromium, headless), started once for all the tests in
  this package. Skipped, with the reason, where /usr/bin/chromium or playwright is missing.
* ``page``: a new page in its own browser context (own cookies), at 1366x900, whose
  relative URLs go to the live server (``page.goto("/admin/")``). Another viewport:
  ``@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}])``;
  more pages, or other context options: ``new_page(viewport=..., locale=...)``.
* ``admin_page``: a page logged in through the admin's login form as ``staff_user``
  (tests/conftest.py: a superuser), on the admin home.
* ``analyst_page``: a page logged in the same way as ``staff_analyst``: staff, not a
  superuser, in the "Analysts" group (intel/roles.py), as analysts' accounts are.
* ``screenshot(page, name)``: saves the whole page as ``name``.png in pytest's temporary
  directory, or in docs/screenshots/ when RIVALSCOPE_SCREENSHOTS=docs
  (scripts/screenshots.sh); returns the path.
* ``clicks``: counts the clicks from the admin home (``admin_page``) to an answer;
  ``Clicks(analyst_page)`` (tests/browser/helpers.py) for another page.

When a test fails, each of its pages is saved as a screenshot in the test's temporary
directory and the path is shown in the report's "browser" section.

The database: ``live_server`` makes each test transactional (the server thread must see
what the test writes), and a transactional test ends by flushing every table. The flush
re-runs ``post_migrate`` (content types, permissions, the roles' groups come back) but
not the data migration that loads the reference markets; ``reference_markets`` reloads
them when they are missing, with intel/reference_data.py's loader.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.helpers import Clicks, log_in, save_screenshot, screenshots_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root in a container, where chromium's sandbox will not start
    "--disable-dev-shm-usage",  # containers often have a 64 MB /dev/shm: chromium would crash on long pages
    "--disable-gpu",  # no GPU in CI; software rendering, as for every headless run
    "--font-render-hinting=none",  # steadier glyphs from machine to machine, for the documentation's screenshots
]
VIEWPORT = {"width": 1366, "height": 900}
ADMIN_PASSWORD = "pw-browser-admin"
ANALYST_PASSWORD = "pw-browser-analyst"
TIMEOUT_MS = 15_000  # fail a missing element in seconds, not Playwright's default half a minute

_PAGES = pytest.StashKey[list["Page"]]()
_FAILURE_DIR = pytest.StashKey[Path]()


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless chromium, started once for the tests of this package.

    Playwright's sync API runs an asyncio event loop in this thread, and leaves it
    marked as running between calls (it switches between greenlets). Django's
    async-unsafe guard then takes every ORM call of the test thread — the test's own
    writes, pytest-django's flush — for a call from async code and raises
    ``SynchronousOnlyOperation``. Nothing here is async (the live server answers in its
    own thread), so ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set exactly while Playwright runs.

    The scope is the package, not the session, for the same reason: stopping
    Playwright after the last browser test unmarks the loop, so the tests that follow
    (and their asyncio, if any) run as if no browser had been started.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y --no-install-recommends chromium")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is missing: pip install -r requirements/dev.txt"
    )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_api.sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def reference_markets(transactional_db: None) -> None:
    """The countries and regions migration 0002 loads, back if an earlier transactional test flushed them."""
    from django.db import transaction

    from intel.models import Market, MarketAlias
    from intel.reference_data import load_reference_markets

    if not Market.objects.filter(kind="country").exists():
        with transaction.atomic():
            load_reference_markets(Market, MarketAlias)


@pytest.fixture
def viewport() -> dict[str, int]:
    """The pages' size; a test asks for another with ``@pytest.mark.parametrize("viewport", [...])``."""
    return dict(VIEWPORT)


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest,
    browser: Browser,
    live_server: Any,
    reference_markets: None,
    viewport: dict[str, int],
    tmp_path: Path,
) -> Iterator[Callable[..., Page]]:
    """Make pages, each in a fresh browser context; keyword arguments go to ``browser.new_context``."""
    contexts = []
    pages: list[Page] = []
    request.node.stash[_PAGES] = pages
    request.node.stash[_FAILURE_DIR] = tmp_path

    def make(**options: Any) -> Page:
        settings = {
            "base_url": live_server.url,
            "viewport": viewport,
            "locale": "en-US",
            "timezone_id": "UTC",
            "color_scheme": "light",
            "reduced_motion": "reduce",
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


@pytest.fixture
def admin_page(page: Page, staff_user: Any) -> Page:
    """Logged in as a superuser (tests/conftest.py's ``staff_user``) through the login form, on the admin home."""
    staff_user.set_password(ADMIN_PASSWORD)  # known here whatever tests/conftest.py chooses
    staff_user.save(update_fields=["password"])
    return log_in(page, staff_user.username, ADMIN_PASSWORD)


@pytest.fixture
def staff_analyst(transactional_db: None, django_user_model: Any) -> Any:
    """An analyst's account: staff (may use the admin), not a superuser, in the "Analysts" group."""
    from django.contrib.auth.models import Group

    from intel.roles import ANALYSTS

    user = django_user_model.objects.create_user(username="staff-analyst", password=ANALYST_PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=ANALYSTS))
    return user


@pytest.fixture
def analyst_page(new_page: Callable[..., Page], staff_analyst: Any) -> Page:
    """Logged in as ``staff_analyst`` through the login form, on the admin home."""
    return log_in(new_page(), staff_analyst.username, ANALYST_PASSWORD)


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots_dir(tmp_path_factory.getbasetemp())


@pytest.fixture
def screenshot(screenshot_dir: Path) -> Callable[[Page, str], Path]:
    """``screenshot(page, "admin-home")``: the whole page as admin-home.png; returns its path."""

    def take(page: Page, name: str) -> Path:
        return save_screenshot(page, name, screenshot_dir)

    return take


@pytest.fixture
def clicks(admin_page: Page) -> Clicks:
    """Clicks counted from the admin home, logged in as a superuser."""
    return Clicks(admin_page)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test's pages, as screenshots in its temporary directory (never in docs/)."""
    report = yield
    if report.when == "call" and report.failed:
        from playwright.sync_api import Error

        directory = item.stash.get(_FAILURE_DIR, None)
        for number, page in enumerate(item.stash.get(_PAGES, [])):
            if directory is None or page.is_closed():
                continue
            path = directory / f"failure-{number}.png"
            try:
                page.screenshot(path=path, full_page=True)
            except Error as error:
                report.sections.append(("browser", f"page {number} ({page.url}): no screenshot: {error}"))
            else:
                report.sections.append(("browser", f"page {number} ({page.url}): {path}"))
    return report
