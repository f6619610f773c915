"""What the browser tests share beyond fixtures: logging in, screenshots, and counting clicks.

The fixtures in conftest.py wrap these; a test imports :class:`Clicks` itself to count
clicks on a page other than ``admin_page`` (``Clicks(analyst_page)``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:  # playwright may be missing: conftest.py then skips the browser tests
    from playwright.sync_api import Locator, Page

# ``RIVALSCOPE_SCREENSHOTS=docs`` (scripts/screenshots.sh) writes screenshots into the
# documentation; otherwise they go to pytest's temporary directory, so that running
# the tests (CI included) never modifies a tracked file.
SCREENSHOTS_ENV = "RIVALSCOPE_SCREENSHOTS"
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def screenshots_dir(tmp_root: Path) -> Path:
    """docs/screenshots/ when regenerating the documentation's images, else ``tmp_root``/screenshots."""
    if os.environ.get(SCREENSHOTS_ENV, "") == "docs":
        return DOCS_SCREENSHOTS
    return tmp_root / "screenshots"


def save_screenshot(page: Page, name: str, directory: Path) -> Path:
    """The whole page (not just the viewport) as ``directory/name.png``; returns the file's path.

    Names are lower-case words joined by hyphens ("admin-home"): they become the
    documentation's file names.
    """
    stem = name.removesuffix(".png")
    if not _NAME.match(stem):
        raise ValueError(f"screenshot name {name!r}: use lower-case letters, digits and hyphens")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stem}.png"
    page.screenshot(path=path, full_page=True, animations="disabled", caret="hide")
    return path


def log_in(page: Page, username: str, password: str, *, next_path: str = "/admin/") -> Page:
    """Log in through the admin's real login form, as a person would; the page ends on ``next_path``."""
    page.goto(f"/admin/login/?next={next_path}")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    if urlsplit(page.url).path != next_path:
        errors = page.locator(".errornote, .errorlist").all_inner_texts()
        raise AssertionError(f"logging in as {username!r} ended on {page.url}: {' '.join(errors) or 'no error shown'}")
    return page


class Clicks:
    """The clicks an analyst makes to answer a question, counted from the admin home.

    Each :meth:`link`, :meth:`button` or :meth:`search` is one click (typing is free);
    :attr:`trail` records where each one led, for the failure message::

        clicks.link("Companies", within="#content")
        clicks.link("Xiaomi")
        clicks.assert_at_most(3, "Which markets has Xiaomi entered?")

    Names are matched exactly and must be unambiguous (Playwright's strict mode): pass
    ``within`` (a CSS selector, e.g. "#content-main") when the side bar repeats a link.
    """

    def __init__(self, page: Page, start: str = "/admin/") -> None:
        self.page = page
        self.trail: list[str] = []
        self.home(start)

    @property
    def count(self) -> int:
        return len(self.trail)

    def home(self, path: str = "/admin/") -> Page:
        """Go (back) to the starting page without counting; the count starts again from zero."""
        self.page.goto(path)
        self.trail.clear()
        return self.page

    def link(self, name: str | re.Pattern[str], *, within: str | None = None, exact: bool = True) -> Page:
        """Click the link with this accessible name (its text, or its title/aria-label)."""
        return self.click(self._scope(within).get_by_role("link", name=name, exact=exact), f"link {name!r}")

    def button(
        self, name: str | re.Pattern[str], *, within: str | None = None, exact: bool = True, navigates: bool = True
    ) -> Page:
        """Click the button with this accessible name; ``navigates=False`` for one that changes the page in place."""
        locator = self._scope(within).get_by_role("button", name=name, exact=exact)
        return self.click(locator, f"button {name!r}", navigates=navigates)

    def search(self, text: str) -> Page:
        """Type into the header's search box and press its Search button: one click."""
        form = self.page.locator("#header form[role=search]")
        form.get_by_role("searchbox").fill(text)
        return self.click(form.get_by_role("button", name="Search", exact=True), f"search {text!r}")

    def click(self, target: Locator | str, label: str | None = None, *, navigates: bool = True) -> Page:
        """Click a locator (or CSS selector); wait for the page it leads to unless ``navigates=False``."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()
        where = urlsplit(self.page.url)
        self.trail.append(f"{label or target} → {where.path}{'?' + where.query if where.query else ''}")
        return self.page

    def assert_at_most(self, limit: int, question: str = "") -> None:
        prefix = f"{question}: " if question else ""
        trail = " / ".join(f"{number}. {step}" for number, step in enumerate(self.trail, 1))
        assert self.count <= limit, f"{prefix}{self.count} clicks, more than {limit}: {trail}"

    def _scope(self, within: str | None) -> Page | Locator:
        return self.page.locator(within) if within else self.page
