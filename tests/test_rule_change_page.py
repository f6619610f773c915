"""Tag rules' and event rules' change pages share one template: each shows the rule's
figures and a button that tests the unsaved rule on past articles through its own
admin's test view."""

from __future__ import annotations

import pytest

from intel.models import EventRule, TagRule
from tests.factories import TagFactory

pytestmark = pytest.mark.django_db


def tag_rule() -> TagRule:
    return TagRule.objects.create(name="Realme named", tag=TagFactory(), algorithm="literal", match="Realme")


def event_rule() -> EventRule:
    return EventRule.objects.create(name="price war", event_type="pricing", match="price war")


@pytest.mark.parametrize(("make", "kind"), [(tag_rule, "tagrule"), (event_rule, "eventrule")])
def test_a_rules_page_tests_through_its_own_view(admin_client, make, kind):
    rule = make()
    page = admin_client.get(f"/admin/intel/{kind}/{rule.pk}/change/").content.decode()
    assert f'formaction="/admin/intel/{kind}/test/"' in page
    assert "Test on past articles (does not save)" in page
    add = admin_client.get(f"/admin/intel/{kind}/add/").content.decode()
    assert f'formaction="/admin/intel/{kind}/test/"' in add
