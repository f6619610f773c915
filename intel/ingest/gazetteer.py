"""The gazetteer: every name and alias of companies, markets, people and products in
one Aho-Corasick automaton (pyahocorasick), cached per process and rebuilt only
when a name or alias changed (``EntityIndexVersion``, bumped by signals).

Matching rules:
* whole words only; a possessive ("Xiaomi's") still matches, and a product's
  plural ("iPhones") matches the product;
* the longest match wins ("Galaxy Note" over "Galaxy");
* case-sensitive names (primary names, short or ambiguous aliases such as "US" or
  "Apple") match only as written, others in any case;
* a demonym ("Indian") is returned flagged; the caller decides where it names a market.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import ahocorasick
from django.db.models import F, Q

from intel.choices import MarketKind, ReviewStatus
from intel.models import (
    Company,
    CompanyAlias,
    EntityIndexVersion,
    Market,
    MarketAlias,
    Person,
    PersonAlias,
    Product,
    ProductAlias,
)

# Which kind wins when one text names several records ("Apple" the company and a product).
KIND_PRIORITY = {"company": 0, "product": 1, "person": 2, "market": 3}


@dataclass(frozen=True)
class Entry:
    kind: str
    target_id: int
    surface: str
    case_sensitive: bool
    demonym: bool
    primary: bool


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry
    ambiguous: bool


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def lower_same_length(text: str) -> str:
    """``text.lower()`` with offsets kept: the few characters whose lower case is longer stay as they are."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Gazetteer:
    def __init__(self, entries: list[Entry]) -> None:
        self.automaton = ahocorasick.Automaton()
        grouped: dict[str, list[Entry]] = {}
        for entry in entries:
            key = lower_same_length(entry.surface.strip())
            if len(key) >= 2:
                grouped.setdefault(key, []).append(entry)
        for key, group in grouped.items():
            self.automaton.add_word(key, (len(key), tuple(group)))
        self.size = len(grouped)
        self.demonyms = frozenset(e.surface for e in entries if e.demonym)
        if self.size:
            self.automaton.make_automaton()

    def find(self, text: str) -> list[Match]:
        """Every non-overlapping whole-word match, longest first at each position."""
        if not self.size:
            return []
        haystack = lower_same_length(text)
        found: list[Match] = []
        n = len(text)
        for end_index, (length, group) in self.automaton.iter(haystack):
            start, end = end_index - length + 1, end_index + 1
            if start > 0 and _is_word_char(text[start - 1]):
                continue
            exact = [e for e in group if text[start:end] == e.surface]
            usable = [e for e in group if not e.case_sensitive] + [e for e in exact if e.case_sensitive]
            if not usable:
                continue
            if end < n and _is_word_char(text[end]):
                # Only a product's plural may run on: "iPhones", "Pixels".
                plural = text[end : end + 2] if text[end : end + 2] == "es" else text[end : end + 1]
                after = end + len(plural)
                if plural not in {"s", "es"} or (after < n and _is_word_char(text[after])):
                    continue
                usable = [e for e in usable if e.kind == "product"]
                if not usable:
                    continue
                end = after
            usable.sort(key=lambda e: (e.surface != text[start:end], KIND_PRIORITY[e.kind], not e.primary))
            targets = {(e.kind, e.target_id) for e in usable}
            found.append(Match(start, end, usable[0], ambiguous=len(targets) > 1))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        chosen: list[Match] = []
        cursor = -1
        for match in found:
            if match.start >= cursor:
                chosen.append(match)
                cursor = match.end
        return chosen


def load_entries() -> list[Entry]:
    """Every name and alias worth matching (rejected records are left out)."""
    entries: list[Entry] = []
    not_rejected = ~Q(review_status=ReviewStatus.REJECTED)
    for pk, name in Company.objects.filter(not_rejected).values_list("pk", "name"):
        entries.append(Entry("company", pk, name, True, False, True))
    for pk, text, cs in CompanyAlias.objects.filter(company__in=Company.objects.filter(not_rejected)).values_list(
        "company_id", "text", "case_sensitive"
    ):
        entries.append(Entry("company", pk, text, cs, False, False))
    markets = Market.objects.exclude(kind=MarketKind.SEGMENT)
    for pk, name in markets.values_list("pk", "name"):
        entries.append(Entry("market", pk, name, True, False, True))
    for pk, text, cs, demonym in MarketAlias.objects.filter(market__in=markets).values_list(
        "market_id", "text", "case_sensitive", "is_demonym"
    ):
        entries.append(Entry("market", pk, text, cs, demonym, False))
    for pk, name in Person.objects.filter(not_rejected).values_list("pk", "name"):
        entries.append(Entry("person", pk, name, True, False, True))
    for pk, text, cs in PersonAlias.objects.filter(person__in=Person.objects.filter(not_rejected)).values_list(
        "person_id", "text", "case_sensitive"
    ):
        entries.append(Entry("person", pk, text, cs, False, False))
    for pk, name in Product.objects.filter(not_rejected).values_list("pk", "name"):
        entries.append(Entry("product", pk, name, True, False, True))
    for pk, text, cs in ProductAlias.objects.filter(product__in=Product.objects.filter(not_rejected)).values_list(
        "product_id", "text", "case_sensitive"
    ):
        entries.append(Entry("product", pk, text, cs, False, False))
    return entries


_lock = threading.Lock()
_cached: tuple[int, Gazetteer] | None = None


def current_version() -> int:
    return EntityIndexVersion.objects.values_list("version", flat=True).first() or 0


def get_gazetteer() -> Gazetteer:
    """The cached gazetteer, rebuilt when the names changed since it was built (one query)."""
    global _cached
    version = current_version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, Gazetteer(load_entries()))
        return _cached[1]


def bump_version() -> None:
    """Mark every process's gazetteer stale.

    Runs inside the caller's transaction, if any, so the new names and the new
    version commit (or roll back) together.
    """
    updated = EntityIndexVersion.objects.filter(pk=1).update(version=F("version") + 1)
    if not updated:
        EntityIndexVersion.objects.get_or_create(pk=1, defaults={"version": 1})
