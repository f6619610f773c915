"""The world's countries and main regions as markets, from maintained datasets.

* Countries: ISO 3166-1 from ``pycountry`` (names, official names, codes).
* Demonyms ("Indian", "European"): ``countryinfo`` for countries, a short table for regions.
* Regions: the UN M49 geoscheme (continents and sub-regions) and the EU-27 from
  ``country_converter``'s country table, plus a few trade groupings analysts use
  that are defined by composition of those (Greater China, Latin America).

``load_reference_markets`` is idempotent: the data migration calls it with the
historical models, ``manage.py load_reference_data`` with the live ones to pick up
a newer dataset. It never deletes what analysts added.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

# Abbreviations and everyday names the datasets lack. Keyed by ISO 3166-1 alpha-2.
EXTRA_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "USA", "U.S.A.", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E."),
    "CN": ("PRC", "mainland China"),
    "KR": ("Korea",),
    "RU": ("Russian Federation",),
    "CZ": ("Czech Republic",),
    "NL": ("Holland",),
    "TR": ("Turkey",),
    "CI": ("Ivory Coast",),
}

# Everyday names of regions, by the region's name below.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "Southern Asia": ("South Asia",),
    "South-eastern Asia": ("Southeast Asia", "South East Asia", "South-East Asia", "SE Asia"),
    "Eastern Asia": ("East Asia",),
    "Western Asia": ("Middle East",),
    "Northern America": ("North America",),
    "European Union": ("EU", "E.U."),
    "Latin America": ("LatAm", "Latin America and the Caribbean"),
    "Australia and New Zealand": ("Australasia", "ANZ"),
}

# Groupings defined by the regions or countries they are made of.
COMPOSITE_REGIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Greater China": {"countries": ("CN", "HK", "MO", "TW")},
    "Latin America": {"regions": ("Caribbean", "Central America", "South America")},
}

# Adjectives naming regions, by the region's name ("the European market").
REGION_DEMONYMS: dict[str, tuple[str, ...]] = {
    "Europe": ("European",),
    "Asia": ("Asian",),
    "Africa": ("African",),
    "Latin America": ("Latin American",),
    "Western Asia": ("Middle Eastern",),
    "South-eastern Asia": ("Southeast Asian",),
    "Southern Asia": ("South Asian",),
    "Northern America": ("North American",),
}

CONTINENT_NAMES = {"America": "Americas"}


def _text(value: Any) -> str:
    """A table cell as text; pandas gives NaN (a float) for an empty cell."""
    return value.strip() if isinstance(value, str) else ""


def _is_case_sensitive(alias: str) -> bool:
    """Abbreviations ("US", "U.K.", "EU") only match as written; names match in any case."""
    letters = alias.replace(".", "").replace(" ", "")
    return alias.isupper() or len(letters) <= 3 or "." in alias


@dataclass
class RegionSpec:
    name: str
    countries: set[str] = field(default_factory=set)  # alpha-2 codes
    regions: set[str] = field(default_factory=set)  # names of other regions
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()


@dataclass
class CountrySpec:
    iso: str
    name: str
    m49: str
    aliases: list[str]
    demonyms: list[str] = field(default_factory=list)


def build_reference_data() -> tuple[list[CountrySpec], list[RegionSpec]]:
    """Read both datasets and return what to load, with nothing touching the database."""
    import country_converter  # pandas-backed and slow to import: only when loading
    import pycountry
    from countryinfo import CountryInfo, CountryNotFoundError

    table = country_converter.CountryConverter().data
    by_iso3: dict[str, dict[str, Any]] = {row["ISO3"]: row for row in table.to_dict("records")}

    countries: list[CountrySpec] = []
    subregion_countries: dict[str, set[str]] = defaultdict(set)
    subregion_continent: dict[str, Counter[str]] = defaultdict(Counter)
    eu: set[str] = set()
    demonym_claims: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for entry in pycountry.countries:
        row = by_iso3.get(entry.alpha_3, {})
        short = _text(row.get("name_short"))
        common = getattr(entry, "common_name", "") or ""
        name = short or common or entry.name
        aliases = [
            entry.name,
            common,
            getattr(entry, "official_name", "") or "",
            _text(row.get("name_official")),
            *EXTRA_COUNTRY_ALIASES.get(entry.alpha_2, ()),
        ]
        unique: list[str] = []
        for alias in aliases:
            alias = alias.strip()
            if alias and alias.casefold() != name.casefold() and alias.casefold() not in {a.casefold() for a in unique}:
                unique.append(alias)
        try:
            info = CountryInfo(entry.alpha_2)
            demonym, population = (info.demonym() or "").strip(), info.population() or 0
        except (CountryNotFoundError, KeyError):
            demonym, population = "", 0
        if demonym:
            demonym_claims[demonym].append((population, entry.alpha_2))
        countries.append(CountrySpec(iso=entry.alpha_2, name=name, m49=entry.numeric, aliases=unique))
        subregion = _text(row.get("UNregion"))
        continent = _text(row.get("continent"))
        if subregion and subregion != "Antarctica":
            subregion_countries[subregion].add(entry.alpha_2)
            if continent:
                subregion_continent[subregion][CONTINENT_NAMES.get(continent, continent)] += 1
        if _text(row.get("EU27")):
            eu.add(entry.alpha_2)

    # "Chinese" is claimed by China, Hong Kong and Macau; "American" by the US and
    # its territories: a demonym names the most populous claimant only.
    by_iso_spec = {spec.iso: spec for spec in countries}
    for demonym, claims in demonym_claims.items():
        by_iso_spec[max(claims)[1]].demonyms.append(demonym)

    regions: dict[str, RegionSpec] = {}
    continents: dict[str, set[str]] = defaultdict(set)
    for subregion, isos in sorted(subregion_countries.items()):
        regions[subregion] = RegionSpec(subregion, countries=isos)
        continent = subregion_continent[subregion].most_common(1)[0][0]
        continents[continent].add(subregion)
    for continent, subregions in continents.items():
        regions[continent] = RegionSpec(continent, regions=subregions)
    regions["World"] = RegionSpec("World", regions=set(continents))
    regions["European Union"] = RegionSpec("European Union", countries=eu)
    for name, parts in COMPOSITE_REGIONS.items():
        regions[name] = RegionSpec(
            name, countries=set(parts.get("countries", ())), regions=set(parts.get("regions", ()))
        )
    for name, aliases in REGION_ALIASES.items():
        if name in regions:
            regions[name].aliases = aliases
    for name, demonyms in REGION_DEMONYMS.items():
        if name in regions:
            regions[name].demonyms = demonyms
    return countries, list(regions.values())


def _add_aliases(alias_model: Any, market: Any, aliases: Iterable[str], *, demonyms: Iterable[str] = ()) -> None:
    existing = {text.casefold() for text in alias_model.objects.filter(market=market).values_list("text", flat=True)}
    new = []
    for alias, is_demonym in [*((a, False) for a in aliases), *((d, True) for d in demonyms)]:
        if alias.casefold() in existing or alias.casefold() == market.name.casefold():
            continue
        existing.add(alias.casefold())
        # Demonyms are adjectives written capitalised: "Indian", never "indian".
        case_sensitive = True if is_demonym else _is_case_sensitive(alias)
        new.append(alias_model(market=market, text=alias, case_sensitive=case_sensitive, is_demonym=is_demonym))
    alias_model.objects.bulk_create(new)


def load_reference_markets(market_model: Any, alias_model: Any) -> dict[str, int]:
    """Create or update every country and region market. Returns counts by kind."""
    countries, regions = build_reference_data()
    by_iso: dict[str, Any] = {}
    for spec in countries:
        market, _ = market_model.objects.update_or_create(
            iso_code=spec.iso,
            defaults={"name": spec.name, "kind": "country", "m49_code": spec.m49, "slug": slugify(spec.name)},
        )
        by_iso[spec.iso] = market
        _add_aliases(alias_model, market, spec.aliases, demonyms=spec.demonyms)

    by_name: dict[str, Any] = {}
    for spec in regions:
        market, _ = market_model.objects.update_or_create(
            slug=slugify(spec.name), kind="region", defaults={"name": spec.name}
        )
        by_name[spec.name] = market
        _add_aliases(alias_model, market, spec.aliases, demonyms=spec.demonyms)
    for spec in regions:
        members = [by_iso[iso] for iso in sorted(spec.countries) if iso in by_iso]
        members += [by_name[name] for name in sorted(spec.regions) if name in by_name]
        by_name[spec.name].members.add(*members)
    return {"countries": len(by_iso), "regions": len(by_name)}
