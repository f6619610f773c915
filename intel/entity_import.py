"""Importing a watch list of companies from CSV (the CLI and the admin call this)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from intel.choices import MarketKind, Method, ReviewStatus
from intel.models import Company, CompanyAlias, Market
from intel.models.slugs import unique_slug

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
REQUIRED = ("name",)


class ImportError_(Exception):  # "ImportError" is a builtin
    """The file was refused; ``errors`` lists every problem with its row number."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors[:20]) + (f" (and {len(errors) - 20} more)" if len(errors) > 20 else ""))
        self.errors = errors


@dataclass
class ImportResult:
    created: list[Company] = field(default_factory=list)
    updated: list[Company] = field(default_factory=list)
    aliases_added: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.created)} compan(y/ies) created, {len(self.updated)} updated, "
            f"{self.aliases_added} alias(es) added."
        )


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportError_([f"The file is larger than {MAX_IMPORT_BYTES // 1024 // 1024} MB."])
    if b"\x00" in data[:4096]:
        raise ImportError_(["This is not a CSV text file (it looks binary)."])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportError_([f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."]) from exc


def _country(value: str, countries: dict[str, Market]) -> Market | None:
    return countries.get(value.strip().casefold()) if value.strip() else None


def _country_index() -> dict[str, Market]:
    index: dict[str, Market] = {}
    for market in Market.objects.filter(kind=MarketKind.COUNTRY).prefetch_related("aliases"):
        index[market.name.casefold()] = market
        index[market.iso_code.casefold()] = market
        for alias in market.aliases.all():
            if not alias.is_demonym:
                index.setdefault(alias.text.casefold(), market)
    return index


def import_companies(data: bytes | str, *, by: Any = None, watched: bool = True) -> ImportResult:
    """Create or update companies from CSV: name, aliases (``;``-separated), country, website.

    More columns are allowed and ignored. A company is matched by name or alias,
    ignoring case, so importing the same list again updates and never duplicates.
    All or nothing: any bad row refuses the whole file with every row's problem.
    """
    text = _decode(data)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise ImportError_([f"The CSV needs a header row with a {', '.join(missing)!r} column (found: {header})."])
    countries = _country_index()
    rows: list[tuple[int, dict[str, str]]] = []
    errors: list[str] = []
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            errors.append(f"More than {MAX_ROWS} rows: split the file.")
            break
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        name = row.get("name", "")
        if not name:
            errors.append(f"Row {number}: the name is empty.")
            continue
        if len(name) > 200:
            errors.append(f"Row {number}: the name is longer than 200 characters.")
        if row.get("country") and _country(row["country"], countries) is None:
            errors.append(f"Row {number}: unknown country {row['country']!r} (use an ISO code or a name).")
        website = row.get("website", "")
        if website and not website.lower().startswith(("http://", "https://")):
            errors.append(f"Row {number}: the website must start with http:// or https://.")
        rows.append((number, row))
    if errors:
        raise ImportError_(errors)
    result = ImportResult()
    with transaction.atomic():
        for _, row in rows:
            _import_row(row, countries, result, by=by, watched=watched)
    return result


def _import_row(
    row: dict[str, str], countries: dict[str, Market], result: ImportResult, *, by: Any, watched: bool
) -> None:
    name = row["name"]
    aliases = [a.strip() for a in row.get("aliases", "").split(";") if a.strip()]
    company = Company.objects.filter(Q(name__iexact=name) | Q(aliases__text__iexact=name)).order_by("pk").first()
    country = _country(row.get("country", ""), countries)
    if company is None:
        company = Company(
            name=name,
            slug=unique_slug(Company, name),
            method=Method.IMPORT,
            review_status=ReviewStatus.CONFIRMED,
            reviewed_by=by,
        )
        result.created.append(company)
    else:
        result.updated.append(company)
        if company.review_status == ReviewStatus.PROPOSED:
            # An analyst's watch list vouches for a company the system only guessed.
            company.review_status, company.reviewed_by, company.reviewed_at = ReviewStatus.CONFIRMED, by, timezone.now()
    company.headquarters = country or company.headquarters
    company.website = row.get("website") or company.website
    company.watched = company.watched or watched
    company._history_user = by  # type: ignore[attr-defined]
    company.save()
    known = {a.casefold() for a in company.aliases.values_list("text", flat=True)} | {company.name.casefold()}
    for alias in aliases:
        if alias.casefold() not in known:
            CompanyAlias.objects.create(company=company, text=alias[:200], case_sensitive=len(alias) <= 3)
            known.add(alias.casefold())
            result.aliases_added += 1
