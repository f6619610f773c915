"""``migrate`` alone loads the world's countries and main regions as markets."""

from __future__ import annotations

import pytest

from intel.models import Market, MarketAlias
from intel.reference_data import load_reference_markets

pytestmark = pytest.mark.django_db


def test_all_iso_countries_are_markets():
    assert Market.objects.filter(kind="country").count() == 249
    assert Market.objects.get(iso_code="US").name == "United States"


def test_us_aliases_are_one_market_and_short_ones_are_case_sensitive():
    us = Market.objects.get(iso_code="US")
    aliases = {a.text: a.case_sensitive for a in us.aliases.all()}
    for alias in ("US", "U.S.", "USA", "America", "United States of America"):
        assert alias in aliases
    assert aliases["US"] is True and aliases["U.S."] is True
    assert aliases["America"] is False


@pytest.mark.parametrize(
    ("region", "member_iso"),
    [
        ("Europe", "DE"),
        ("Western Europe", "FR"),
        ("Southern Asia", "IN"),
        ("Greater China", "TW"),
        ("European Union", "IT"),
        ("Latin America", "BR"),
        ("World", "CN"),
    ],
)
def test_regions_contain_their_countries(region, member_iso):
    market = Market.objects.get(name=region, kind="region")
    assert Market.objects.get(iso_code=member_iso).pk in market.all_countries()


def test_regions_have_everyday_aliases():
    assert MarketAlias.objects.get(text="South Asia").market.name == "Southern Asia"
    assert MarketAlias.objects.get(text="EU").case_sensitive is True


def test_greater_china_is_exactly_its_four_members():
    market = Market.objects.get(name="Greater China")
    assert sorted(Market.objects.filter(pk__in=market.all_countries()).values_list("iso_code", flat=True)) == [
        "CN",
        "HK",
        "MO",
        "TW",
    ]


def test_loading_again_creates_nothing_new_and_keeps_analysts_aliases():
    us = Market.objects.get(iso_code="US")
    MarketAlias.objects.create(market=us, text="the States")
    markets, aliases = Market.objects.count(), MarketAlias.objects.count()
    load_reference_markets(Market, MarketAlias)
    assert (Market.objects.count(), MarketAlias.objects.count()) == (markets, aliases)
