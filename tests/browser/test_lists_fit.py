"""Every admin list fits a 1366 px screen: no sideways scrolling, and the review
status column (where a model has one) in view, with real rows in it."""

from __future__ import annotations

import pytest
from django.contrib import admin

from intel.quickstart import store_sample_article
from tests.factories import AlertFactory, FeedEntryFactory, RelationshipFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def rows(reference_markets: None) -> None:
    store_sample_article()
    FeedEntryFactory()
    AlertFactory()
    RelationshipFactory()


def test_every_list_fits_1366_px_with_its_review_status_in_view(rows, admin_page):
    wide = []
    for model in admin.site._registry:
        if model._meta.app_label != "intel":
            continue
        opts = model._meta
        admin_page.goto(f"/admin/{opts.app_label}/{opts.model_name}/")
        overflow = admin_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        status = admin_page.locator("th.column-review_status")
        status_right = status.evaluate("th => th.getBoundingClientRect().right") if status.count() else 0
        if overflow > 0 or status_right > 1366:
            wide.append(f"{opts.model_name}: {overflow}px too wide, review status ends at {status_right:.0f}px")
    assert not wide, "; ".join(wide)
