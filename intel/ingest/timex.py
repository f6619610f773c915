"""Stage 6 of ingestion: time phrases in news text, resolved against the publication date.

Contract
--------
``find_time_expressions(text, reference=..., reference_precision=...)`` reads

* ``text``: one sentence or paragraph of an article;
* ``reference``: the publication date, or ``None`` when it is unknown;
* ``reference_precision``: how much of ``reference`` is actually known, one of ``"day"``,
  ``"month"``, ``"quarter"`` or ``"year"`` (the values of ``intel.choices.DatePrecision``).
  Only that much of the date is used: with ``"year"`` the month and day of ``reference`` are ignored.

and returns a list of ``TimeExpression``, sorted by ``start``, that never overlap. Each one names its
span (``text[start:end] == phrase``) and an inclusive date range ``date_start..date_end`` with a
``precision`` (``"day"``, ``"month"``, ``"quarter"``, ``"year"``), or ``None``/``None``/``""`` when
the phrase was recognised but cannot be resolved; it then stays as text. ``relative`` is True for
phrases whose meaning depends on the reference date ("next year", "in September", "Q3"), resolved or
not. Where patterns overlap the longest match wins ("by the end of next year" beats "next year").
Matching is case-insensitive, except that a month name standing without a four-digit year must be
capitalised (so the verbs "may" and "march" are never months). Nothing here touches the database.

Choices for ambiguous phrases
-----------------------------
* Prepositions stay outside the phrase ("in 2019" gives the phrase "2019") unless they change the
  range: "in two years", "within two years" and "by the end of ..." keep them.
* A relative phrase needs the reference known at least to its own unit: "next year" resolves with
  any precision, "next quarter" needs "quarter" or finer, "next month" and "in September" need
  "month" or "day", and weeks and days ("next week", "tomorrow", "in 3 days") need "day".
  Otherwise, or when ``reference`` is None, they come back unresolved with ``relative=True``.
* "the following year" / "the previous year" are read against the reference date (an approximation:
  in the text they usually point at a date mentioned earlier).
* "in N years" is the single year reference+N (precision year); "N years ago" is reference-N.
  "within N years" and "the next/coming N years" run from the reference (as far as it is known: the
  day, the first of the month, ...) to the last day of year reference+N. "the past/last N years" runs
  from the first day of year reference-N to the reference. Months, quarters, weeks and days work the
  same way in their own unit. "in a year" alone (often "the highest in a year") is not matched; "in
  a year's time" is. Known limit: "the highest in two years" is read as the future year.
* "the coming months", "the next few months", "the following months" (no count) mean 6 months: the
  reference to the end of the 6th month after it, precision month. A countless "the coming years" or
  "the next few weeks" comes back unresolved.
* Weeks run Monday to Sunday; there is no week precision, so a week has precision "day".
* "this/next/last/the current quarter" is the calendar quarter of the reference, shifted.
  "by the end of the quarter", "by the end of this quarter" and "by quarter-end" are the current
  quarter as a whole (precision quarter); the phrase keeps "by the end of" so a reader can tell a
  deadline from a period. In general "by/before/until the end of X" resolves to all of X.
* "early 2019" / "the beginning of 2019" is January-April, "mid-2019" / "the middle of 2019" is
  May-August, "late 2019" / "the end of 2019" is September-December, each with precision month
  (thirds of a year). "by the end of 2019" is the whole of 2019 (deadline, precision year).
  On anything smaller than a year ("early July", "the end of next month") these modifiers widen the
  phrase but leave its range alone.
* Halves ("the first half of 2019", "H1 2019", "1H19") end on quarter boundaries and have precision
  "quarter". "H1"/"H2" need a year ("H2" alone is also hydrogen); "Q3" alone means Q3 of the
  reference year. "the third quarter" without a year is likewise the reference year's.
* "FY2019", "FY19", "fiscal 2019" are approximated by the calendar year 2019 (fiscal years differ by
  company). Two-digit years 00-69 are 2000-2069, 70-99 are 1970-1999.
* A month without a year ("in September", "September 12") is the next such month on or after the
  reference month (needs month precision), except after "since", which looks back to the latest one
  on or before it. "next September" is strictly after, "last September" strictly before, "this
  September" the reference year's. A bare month needs a cue before it (in, by, since, until, from,
  during, before, after, through, early/mid/late, the end of, next/last/this).
* "earlier this year" runs from 1 January to the reference, "later this year" from the reference to
  31 December (precision month, or the reference's own precision when that is coarser).
* A bare year (1900-2100) counts only after in/by/since/until/from/during/of/for/before/after/
  through/between/and/or/to/around/year, at the start of a sentence or line, or after an opening
  quote or bracket, and not when it is part of a larger number ("2,019", "2019.5", "2018-19"), a
  percentage, or a count ("2019 units").
* "today"/"tonight" is the reference day, "yesterday"/"tomorrow" one day either side.

Speed: every pattern is compiled once at import. The text is first folded to lower-case ASCII words
in one C-level pass (bytes.translate) and intersected with the trigger words. Text with no digit and
none of year(s), month(s), quarter(s), week(s), day(s), today, tonight, tomorrow, yesterday or a
month name returns at once. Otherwise each pattern runs only when its own trigger words are present
("ago" for "two years ago", "q" and a digit for "Q3", ...).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from .prefixscan import Text, finditer

__all__ = ["TimeExpression", "find_time_expressions", "resolve_range_overlap"]

DAY = "day"
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"
WEEK = "week"  # a unit for arithmetic only; its ranges have precision "day"
_RANK = {DAY: 0, WEEK: 0, MONTH: 1, QUARTER: 2, YEAR: 3}
_PRECISIONS = (DAY, MONTH, QUARTER, YEAR)


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """One time phrase in a text and the inclusive date range it stands for."""

    start: int  # character offset in text (inclusive)
    end: int  # character offset (exclusive); text[start:end] == phrase
    phrase: str
    date_start: date | None  # None when it cannot be resolved (then it stays as text)
    date_end: date | None
    precision: str  # "day" | "month" | "quarter" | "year" | "" when unresolved
    relative: bool  # True for phrases resolved against the reference date


@dataclass(frozen=True)
class _Ref:
    day: date | None
    precision: str

    def knows(self, unit: str) -> bool:
        """Whether the reference is known finely enough for arithmetic in ``unit``."""
        return self.day is not None and _RANK[self.precision] <= _RANK[unit]

    @property
    def first(self) -> date:
        """First day of the known part of the reference."""
        assert self.day is not None
        return _period(self.precision, self.day, 0)[0]

    @property
    def last(self) -> date:
        """Last day of the known part of the reference."""
        assert self.day is not None
        return _period(self.precision, self.day, 0)[1]


# start, end, precision, relative
_Resolved = tuple[date | None, date | None, str, bool]
_Handler = Callable[[re.Match[str], _Ref], _Resolved | None]


# ---------------------------------------------------------------------------------------------
# Date arithmetic


def _month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _months_range(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), _month_range(year, last)[1]


def _period(unit: str, day: date, shift: int) -> tuple[date, date]:
    """The ``unit`` period containing ``day``, moved by ``shift`` whole units."""
    if unit == YEAR:
        return date(day.year + shift, 1, 1), date(day.year + shift, 12, 31)
    if unit == QUARTER:
        index = day.year * 4 + (day.month - 1) // 3 + shift
        year, quarter = divmod(index, 4)
        return _months_range(year, quarter * 3 + 1, quarter * 3 + 3)
    if unit == MONTH:
        year, month0 = divmod(day.year * 12 + day.month - 1 + shift, 12)
        return _month_range(year, month0 + 1)
    if unit == WEEK:
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(days=6)
    moved = day + timedelta(days=shift)
    return moved, moved


def _output_precision(unit: str) -> str:
    return DAY if unit == WEEK else unit


def _unresolved(relative: bool = True) -> _Resolved:
    return None, None, "", relative


def _two_digit_year(yy: int) -> int:
    return 2000 + yy if yy < 70 else 1900 + yy


_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "thirty": 30,
}
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_DIGITS = re.compile(r"[0-9]+")


def _offset(word: str) -> int:
    """+1, -1 or 0 for the direction word of a relative phrase ("next", "the previous", "this")."""
    word = word.lower()
    if any(w in word for w in ("next", "following", "coming")):
        return 1
    if any(w in word for w in ("last", "previous", "prior", "past")):
        return -1
    return 0


def _count(word: str | None) -> int | None:
    """The number in "two years", "3 months"; None for no count or "few"/"several"."""
    if word is None:
        return None
    word = word.lower()
    if word.isdigit():
        return int(word)
    if "couple" in word:
        return 2
    return _NUMBER_WORDS.get(word)


def _anchor_year(anchor: str, ref: _Ref) -> tuple[int | None, bool]:
    """The year named by "2019", "FY19", "'19", "next year", "the year"; and whether it was relative."""
    digits = _DIGITS.findall(anchor)
    if digits:
        number = digits[-1]
        return (int(number) if len(number) == 4 else _two_digit_year(int(number))), False
    if not ref.knows(YEAR):
        return None, True
    assert ref.day is not None
    return ref.day.year + _offset(anchor), True


def _month_year(month: int, ref: _Ref, rule: str) -> int | None:
    """Year of a month named without one: "on_or_after", "after", "before", "on_or_before" the reference."""
    if not ref.knows(MONTH):
        return None
    assert ref.day is not None
    year, current = ref.day.year, ref.day.month
    if rule == "on_or_after":
        return year if month >= current else year + 1
    if rule == "after":
        return year if month > current else year + 1
    if rule == "before":
        return year if month < current else year - 1
    return year if month <= current else year - 1


# ---------------------------------------------------------------------------------------------
# Patterns (all compiled once, case-insensitive)

_Y4 = r"(?:19[0-9]{2}|20[0-9]{2}|2100)"
_FISCAL = rf"(?:fiscal\s+(?:year\s+)?(?:{_Y4}|'[0-9][0-9])|FY\s?'?(?:{_Y4}|[0-9][0-9]))"
_REL_YEAR = r"(?:next|this|last|the\s+(?:coming|following|previous|prior|current|next))\s+year"
_YA = rf"(?:{_FISCAL}|{_Y4}|{_REL_YEAR})(?![\w-])"  # a year anchor
_YA_OF = rf"(?:{_FISCAL}|{_Y4}|{_REL_YEAR}|the\s+year)(?![\w-])"  # after "of", "the year" is allowed
_MON = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november|december"
    r"|sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\b\.?"
)
_MON_START = r"(?=[adfjmnos])"  # lets the engine skip most positions cheaply
_NUM = (
    r"(?P<n>[0-9]{1,3}|(?:an|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|eighteen"
    r"|twenty|thirty|a\s+couple\s+of|a\s+few|few|several)\b)"
)
_UNIT = r"(?P<unit>year|month|quarter|week|day)"
_REL_WORD = r"(?P<w>next|this|last|the\s+(?:coming|following|previous|prior|current|next))"
_DEADLINE = r"(?:by|before|until|till|through)"
_NOT_OF = r"(?!\s+of\b)"  # "the last week of June" is not "last week"
_FLAGS = re.IGNORECASE

# The cheap gate. Text is folded to lower-case ASCII words (every other character, digits included,
# becomes a space) in one C-level pass. Each rule lists groups of words; it runs only when every group
# has a word in the text. "0" stands for "the text contains a digit" (patterns use [0-9], never the
# Unicode \d). Every rule needs a "primary" trigger (a unit, a day word, a month name or a digit), so
# text with none of them returns at once.
_DIGIT = b"0"
_FOLD = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 else 32  # A-Z -> a-z, a-z kept, the rest -> space
    for c in range(256)
)


def _words(*words: str) -> frozenset[bytes]:
    return frozenset(word.encode() for word in words)


_ONLY_DIGIT = frozenset({_DIGIT})
_YEAR = _words("year")
_YEAR_OR_DIGIT = _YEAR | _ONLY_DIGIT
_ANY_UNIT = _words("year", "years", "month", "months", "quarter", "quarters", "week", "weeks", "day", "days")
_ANY_MONTH = _words(*_MONTHS)
_DAY_WORDS = _words("today", "tonight", "tomorrow", "yesterday")
_DIRECTION = _words("next", "this", "last", "coming", "following", "previous", "prior", "current", "past")
_PRIMARY = _ANY_UNIT | _ANY_MONTH | _DAY_WORDS | _ONLY_DIGIT


def _present_words(text: str) -> frozenset[bytes]:
    """The gate words in ``text`` (lower-case ASCII), plus ``_DIGIT`` when it has an ASCII digit."""
    words = _GATE_WORDS.intersection(text.encode("ascii", "replace").translate(_FOLD).split())
    if any(digit in text for digit in "0123456789"):
        return words | _ONLY_DIGIT
    return words


# "by the end of", "early", "mid-" ... immediately before a candidate (used to widen non-year phrases).
_MODIFIER_BEFORE = re.compile(
    rf"(?:\b(?:{_DEADLINE}\s+)?(?:the\s+)?(?:end|close)\s+of\s+|\b(?:the\s+)?(?:beginning|start|middle)\s+of\s+"
    r"|\b(?:early|mid|late)(?:\s*-\s*|\s+)(?:in\s+)?)$",
    _FLAGS,
)
_MODIFIER_WINDOW = 40
# What may stand before a bare month ("in September", "since early March") or a bare year ("in 2019").
_MONTH_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|since|until|till|by|from|during|before|after|through|throughout)\s+"
    rf"|\b(?:{_DEADLINE}\s+)?(?:the\s+)?(?:end|close|beginning|start|middle)\s+of\s+"
    r"|\b(?:early|mid|late)(?:\s*-\s*|\s+))$",
    _FLAGS,
)
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:(?:early|mid|late)(?:\s*-\s*|\s+))?$", _FLAGS)
_YEAR_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|by|since|until|till|from|during|of|for|before|after|through|throughout|between|and|or"
    r"|to|around|circa|year)(?:\s+|\s*-\s*)|^|[.!?][\"'\u201d\u2019)\]]*\s+|[\"\u201c\u2018(\[])$",
    _FLAGS | re.MULTILINE,
)
_CUE_WINDOW = 30


def _cue_before(pattern: re.Pattern[str], m: re.Match[str]) -> re.Match[str] | None:
    start = m.start("t")
    return pattern.search(m.string, max(0, start - _CUE_WINDOW), start)


# ---------------------------------------------------------------------------------------------
# Handlers: a match and the reference in, a resolved range out (None: not a time expression)


def _h_modified_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    year, relative = _anchor_year(m["ya"], ref)
    if year is None:
        return _unresolved(relative)
    if m["by"]:
        return date(year, 1, 1), date(year, 12, 31), YEAR, relative
    modifier = m["mod"].lower()
    if modifier.startswith("early") or "beginning" in modifier or "start" in modifier:
        first, last = 1, 4
    elif modifier.startswith("mid") or "middle" in modifier:
        first, last = 5, 8
    else:  # late, the end of, the close of
        first, last = 9, 12
    return *_months_range(year, first, last), MONTH, relative


def _h_relative_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if not ref.knows(YEAR):
        return _unresolved()
    assert ref.day is not None
    return *_period(YEAR, ref.day, _offset(m["w"])), YEAR, True


def _h_earlier_later(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if not ref.knows(YEAR):
        return _unresolved()
    assert ref.day is not None
    year_start, year_end = _period(YEAR, ref.day, 0)
    precision = MONTH if ref.knows(MONTH) else ref.precision
    if m["el"].lower() == "earlier":
        return year_start, ref.last, precision, True
    return ref.first, year_end, precision, True


def _h_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    year, relative = _anchor_year(m["t"], ref)
    assert year is not None
    return date(year, 1, 1), date(year, 12, 31), YEAR, relative


def _h_bare_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if _cue_before(_YEAR_CUE_BEFORE, m) is None:
        return None  # "the 2019 lineup", "$2019"
    return _h_year(m, ref)


def _h_in_n(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    count = _count(m["n"])
    if count is None or count == 0:
        return None
    number = m["n"].lower()
    spans = m["kw"].lower() == "within" or m["next"] is not None
    if number in ("a", "an") and not spans and m["time"] is None:
        return None  # "the highest in a year"
    unit = m["unit"].lower()
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    period_start, period_end = _period(unit, ref.day, count)
    if spans:
        return ref.first, period_end, _output_precision(unit), True
    return period_start, period_end, _output_precision(unit), True


def _h_ago(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    count = _count(m["n"])
    if count is None or count == 0:
        return None
    unit = m["unit"].lower()
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    return *_period(unit, ref.day, -count), _output_precision(unit), True


def _h_span(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    unit = m["unit"].lower()
    count = _count(m["n"])
    if count == 0:
        return None
    if count is None:
        if unit != MONTH or _offset(m["dir"]) < 0:
            return _unresolved()
        count = 6
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    if _offset(m["dir"]) < 0:
        return _period(unit, ref.day, -count)[0], ref.last, _output_precision(unit), True
    return ref.first, _period(unit, ref.day, count)[1], _output_precision(unit), True


def _h_relative_unit(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    unit = m["unit"].lower()
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    return *_period(unit, ref.day, _offset(m["w"])), _output_precision(unit), True


def _h_day_word(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if not ref.knows(DAY):
        return _unresolved()
    assert ref.day is not None
    shift = {"yesterday": -1, "tomorrow": 1}.get(m["t"].lower(), 0)
    return *_period(DAY, ref.day, shift), DAY, True


def _h_current_unit(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    unit = (m["unit"] or m["unit2"]).lower()
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    return *_period(unit, ref.day, 0), _output_precision(unit), True


def _quarter_in(year_text: str | None, yy: str | None, quarter: int, ref: _Ref) -> _Resolved:
    if yy is not None:
        year: int | None = _two_digit_year(int(yy))
        relative = False
    elif year_text is not None:
        year, relative = _anchor_year(year_text, ref)
    elif ref.knows(YEAR):
        assert ref.day is not None
        year, relative = ref.day.year, True
    else:
        return _unresolved()
    if year is None:
        return _unresolved(relative)
    return *_months_range(year, quarter * 3 - 2, quarter * 3), QUARTER, relative


def _h_quarter_ordinal(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    word = m["q"].lower()
    year_text = m["ya"] or m["ya2"]
    if word == "last" and year_text is None:
        return None  # "last quarter" is the relative phrase
    return _quarter_in(year_text, None, _ORDINALS.get(word, 4), ref)


def _h_quarter_code(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    return _quarter_in(m["ya"], m["yy"], int(m["q"]), ref)


def _h_half(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    word = m["h"].lower()
    half = 1 if word in ("first", "1st", "1") else 2
    yy = m.groupdict().get("yy")
    if yy is not None:
        year: int | None = _two_digit_year(int(yy))
        relative = False
    else:
        year, relative = _anchor_year(m["ya"], ref)
    if year is None:
        return _unresolved(relative)
    return *_months_range(year, half * 6 - 5, half * 6), QUARTER, relative


def _capitalised(m: re.Match[str]) -> bool:
    return m["mon"][0].isupper()


def _h_month_day(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    day = int(m["d"])
    if not 1 <= day <= 31:
        return None
    month = _MONTHS[m["mon"].lower()]
    if m["y"] is not None:
        year: int | None = int(m["y"])
        relative = False
    else:
        if not _capitalised(m):
            return None
        year, relative = _month_year(month, ref, "on_or_after"), True
    if year is None:
        return _unresolved(relative)
    try:
        resolved = date(year, month, day)
    except ValueError:  # 30 February
        return _unresolved(relative)
    return resolved, resolved, DAY, relative


def _h_month_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    month = _MONTHS[m["mon"].lower()]
    if m["y"] is not None:
        year: int | None = int(m["y"])
        relative = False
    elif m["yy"] is not None:
        year, relative = _two_digit_year(int(m["yy"])), False
    else:
        if not _capitalised(m):
            return None
        year, relative = _anchor_year(m["ry"], ref)
    if year is None:
        return _unresolved(relative)
    return *_month_range(year, month), MONTH, relative


def _h_iso(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    try:
        resolved = date(int(m["y"]), int(m["mo"]), int(m["d"]))
    except ValueError:
        return None
    return resolved, resolved, DAY, False


def _h_bare_month(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if not _capitalised(m) or _cue_before(_MONTH_CUE_BEFORE, m) is None:
        return None  # "Xiaomi may enter", "April Jones said"
    month = _MONTHS[m["mon"].lower()]
    since = _cue_before(_SINCE_BEFORE, m) is not None
    year = _month_year(month, ref, "on_or_before" if since else "on_or_after")
    if year is None:
        return _unresolved()
    return *_month_range(year, month), MONTH, True


def _h_relative_month_name(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if not _capitalised(m):
        return None
    month = _MONTHS[m["mon"].lower()]
    direction = _offset(m["rel"])
    if direction == 0:
        year = ref.day.year if ref.knows(YEAR) and ref.day is not None else None
    else:
        year = _month_year(month, ref, "after" if direction > 0 else "before")
    if year is None:
        return _unresolved()
    return *_month_range(year, month), MONTH, True


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler
    needs: tuple[frozenset[bytes], ...]  # runs only when each group has a word in the text
    widens: bool  # a modifier before it ("by the end of", "early") joins the phrase, range unchanged

    def may_match(self, words: frozenset[bytes]) -> bool:
        return all(not group.isdisjoint(words) for group in self.needs)


def _rule(pattern: str, handler: _Handler, *needs: frozenset[bytes], widens: bool = True, flags: int = 0) -> _Rule:
    return _Rule(re.compile(pattern, _FLAGS | flags), handler, needs, widens)


_RULES: tuple[_Rule, ...] = (
    # early 2019, mid-2019, late next year, the end of the year, by the end of 2019
    _rule(
        rf"\b(?P<t>(?P<mod>(?:(?P<by>{_DEADLINE})\s+)?(?:the\s+)?(?:end|close)\s+of"
        r"|(?:the\s+)?(?:beginning|start|middle)\s+of|early|mid|late)"
        rf"(?:\s*-\s*|\s+)(?:in\s+)?(?P<ya>{_YA_OF}))",
        _h_modified_year,
        _words("end", "close", "beginning", "start", "middle", "early", "mid", "late"),
        _YEAR_OR_DIGIT,
        widens=False,
    ),
    # next year, the coming year, last year
    _rule(rf"\b(?P<t>{_REL_WORD}\s+year\b){_NOT_OF}", _h_relative_year, _DIRECTION, _YEAR, widens=False),
    # earlier this year, later in the year
    _rule(
        r"\b(?P<t>(?P<el>earlier|later)\s+(?:this|in\s+the)\s+year\b)",
        _h_earlier_later,
        _words("earlier", "later"),
        _YEAR,
        widens=False,
    ),
    # FY2019, fiscal 2019
    _rule(rf"\b(?P<t>{_FISCAL})(?![\w-])", _h_year, _words("fiscal", "fy"), _ONLY_DIGIT, widens=False),
    # in 2019, by 2019, "2019 was ..." (a bare year needs a cue before it: see _YEAR_CUE_BEFORE)
    _rule(
        rf"(?=[12])(?<![\w$\u20ac\u00a3\u00a5.,-])(?P<t>{_Y4})(?![0-9]|[.,][0-9]|[-/\u2013][0-9]|\s*%|\s*percent\b)"
        r"(?!\s+(?:units|people|employees|workers|stores|shops|shares|devices|phones|smartphones|handsets"
        r"|vehicles|cars|times|points|patents|jobs|users|customers)\b)",
        _h_bare_year,
        _ONLY_DIGIT,
        widens=False,
    ),
    # in two years, within 3 months, within the next two years, in a year's time
    _rule(
        rf"\b(?P<t>(?P<kw>in|within)\s+(?P<next>the\s+next\s+)?{_NUM}\s+{_UNIT}(?:s'|'s|s)?(?P<time>\s+time\b)?)"
        r"(?!\s+(?:of|since|after|before|when|that|where|with)\b)",
        _h_in_n,
        _words("in", "within"),
        _ANY_UNIT,
    ),
    # two years ago
    _rule(rf"\b(?P<t>{_NUM}\s+{_UNIT}s?\s+ago\b)", _h_ago, _words("ago"), _ANY_UNIT),
    # the next two years, the coming months, the past three quarters
    _rule(
        rf"\b(?P<t>the\s+(?P<dir>next|coming|following|past|last|previous)\s+(?:{_NUM}\s+)?{_UNIT}s\b)",
        _h_span,
        _DIRECTION,
        _ANY_UNIT,
    ),
    # next month, this quarter, last week, the current quarter
    _rule(
        rf"\b(?P<t>{_REL_WORD}\s+(?P<unit>month|quarter|week)\b)(?!\s*-?\s*century){_NOT_OF}",
        _h_relative_unit,
        _DIRECTION,
        _words("month", "quarter", "week"),
    ),
    # today, yesterday, tomorrow, tonight
    _rule(r"\b(?P<t>today|tonight|tomorrow|yesterday)\b", _h_day_word, _DAY_WORDS),
    # by the end of the quarter, the end of the month, by year-end
    _rule(
        rf"\b(?P<t>(?:{_DEADLINE}\s+)?(?:the\s+)?(?:end|close)\s+of\s+the\s+(?P<unit>month|quarter|week)\b"
        rf"|{_DEADLINE}\s+(?P<unit2>year|quarter|month)[\s-]end\b)",
        _h_current_unit,
        _words("end", "close"),
        _words("month", "quarter", "week", "year"),
        widens=False,
    ),
    # the third quarter (of 2019), fourth-quarter, the last quarter of next year
    _rule(
        r"\b(?P<t>(?:the\s+)?(?P<q>first|second|third|fourth|1st|2nd|3rd|4th|final|last)(?:\s+|\s*-\s*)"
        r"(?:calendar\s+|fiscal\s+)?quarter\b(?!\s*-?\s*century)"
        rf"(?:\s*,?\s+of\s+(?P<ya>{_YA_OF})|\s+(?P<ya2>{_YA}))?)",
        _h_quarter_ordinal,
        _words("first", "second", "third", "fourth", "st", "nd", "rd", "th", "final", "last"),
        _words("quarter"),
    ),
    # Q3, Q3 2019, Q3'19, Q3 of next year
    _rule(
        rf"\b(?P<t>Q(?P<q>[1-4])(?:\s*(?:of\s+)?(?P<ya>{_YA})|'(?P<yy>[0-9][0-9]))?)(?![\w'])",
        _h_quarter_code,
        _words("q"),
        _ONLY_DIGIT,
    ),
    # 3Q19, 3Q 2019, 3Q
    _rule(
        rf"\b(?P<t>(?P<q>[1-4])Q(?:\s*(?P<ya>{_Y4})|'?(?P<yy>[0-9][0-9]))?)(?![\w'])",
        _h_quarter_code,
        _words("q"),
        _ONLY_DIGIT,
    ),
    # the first half of 2019, the second half of next year
    _rule(
        r"\b(?P<t>(?:the\s+)?(?P<h>first|second|1st|2nd|latter)(?:\s+|\s*-\s*)half\s+(?:of\s+)?"
        rf"(?P<ya>{_YA_OF}))",
        _h_half,
        _words("half"),
        _YEAR_OR_DIGIT,
    ),
    # H1 2019, H2'19, 1H19, 2H 2019 (a year is required)
    _rule(
        rf"\b(?P<t>H(?P<h>[12])(?:\s*(?:of\s+)?(?P<ya>{_YA})|'(?P<yy>[0-9][0-9])))(?![\w'])",
        _h_half,
        _words("h"),
        _ONLY_DIGIT,
    ),
    _rule(
        rf"\b(?P<t>(?P<h>[12])H(?:\s*(?P<ya>{_Y4})|'?(?P<yy>[0-9][0-9])))(?![\w'])",
        _h_half,
        _words("h"),
        _ONLY_DIGIT,
    ),
    # July 12, 2018; July 12
    _rule(
        rf"{_MON_START}\b(?P<t>{_MON}\s*(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\b(?!\s*%|[.:][0-9]|,[0-9]{{3}}\b)"
        rf"(?:,?\s*(?P<y>{_Y4})(?![0-9]|[.,][0-9]))?)",
        _h_month_day,
        _ANY_MONTH,
        _ONLY_DIGIT,
    ),
    # 12 July 2018; the 12th of July
    _rule(
        rf"(?=[0-9])(?<![0-9.,$])\b(?P<t>(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}"
        rf"(?:,?\s+(?P<y>{_Y4})(?![0-9]|[.,][0-9]))?)",
        _h_month_day,
        _ANY_MONTH,
        _ONLY_DIGIT,
    ),
    # July 2018, July of 2018, Sept. 2018, May '19, September next year
    _rule(
        rf"{_MON_START}\b(?P<t>{_MON},?\s+(?:of\s+)?(?:(?P<y>{_Y4})(?![0-9]|[.,][0-9])|'(?P<yy>[0-9][0-9])\b"
        r"|(?P<ry>next|this|last)\s+year\b))",
        _h_month_year,
        _ANY_MONTH,
        _YEAR_OR_DIGIT,
    ),
    # 2018-07-12
    _rule(
        r"(?=[12])(?<![0-9-])(?P<t>(?P<y>(?:19|20)[0-9][0-9])-(?P<mo>[0-9][0-9])-(?P<d>[0-9][0-9]))(?![0-9-])",
        _h_iso,
        _ONLY_DIGIT,
    ),
    # in September, since March, early July (a cue before it is required: see _MONTH_CUE_BEFORE)
    _rule(rf"{_MON_START}\b(?P<t>{_MON})(?!\s*[0-9])", _h_bare_month, _ANY_MONTH),
    # next May, last September, this July
    _rule(
        rf"\b(?P<t>(?P<rel>next|last|this|coming)\s+{_MON})(?!\s*[0-9])",
        _h_relative_month_name,
        _words("next", "last", "this", "coming"),
        _ANY_MONTH,
        widens=False,
    ),
)
_GATE_WORDS = frozenset().union(*(group for rule in _RULES for group in rule.needs))


# ---------------------------------------------------------------------------------------------
# Public API


def find_time_expressions(
    text: str, *, reference: date | None, reference_precision: str = "day", prepared: Text | None = None
) -> list[TimeExpression]:
    """Every time phrase in ``text``, resolved against ``reference`` (see the module docstring).

    ``prepared`` is ``Text(text)`` when the caller has it (shared with other patterns' searches)."""
    if reference_precision not in _PRECISIONS:
        raise ValueError(f"reference_precision must be one of {_PRECISIONS}, not {reference_precision!r}")
    words = _present_words(text) if text else frozenset()
    if _PRIMARY.isdisjoint(words):
        return []
    ref = _Ref(reference, reference_precision)
    candidates: list[tuple[int, int, _Resolved]] = []
    haystack = prepared if prepared is not None else Text(text)  # the lower case, once for every rule
    for rule in _RULES:
        if not rule.may_match(words):
            continue
        for m in finditer(rule.pattern, haystack):
            try:
                resolved = rule.handler(m, ref)
            except (ValueError, OverflowError):  # arithmetic past year 1 or 9999 (absurd reference)
                resolved = _unresolved()
            if resolved is None:
                continue
            start, end = m.span("t")
            if rule.widens:
                before = _MODIFIER_BEFORE.search(text, max(0, start - _MODIFIER_WINDOW), start)
                if before is not None:
                    start = before.start()
            candidates.append((start, end, resolved))
    # Longest first (then leftmost, then rule order); keep those that overlap nothing kept so far.
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    kept: list[tuple[int, int, _Resolved]] = []
    for candidate in candidates:
        if all(candidate[1] <= k[0] or k[1] <= candidate[0] for k in kept):
            kept.append(candidate)
    kept.sort(key=lambda c: c[0])
    return [
        TimeExpression(start, end, text[start:end], date_start, date_end, precision, relative)
        for start, end, (date_start, date_end, precision, relative) in kept
    ]


def resolve_range_overlap(a: tuple[date | None, date | None], b: tuple[date | None, date | None]) -> bool:
    """Whether two inclusive date ranges share at least one day.

    A None bound is open (unknown): a None start reaches back forever and a None end forward forever,
    so (None, None) overlaps every range, including another (None, None). Used to decide whether two
    events are "the same event at an overlapping time"; an unresolved time never rules a match out.
    """
    a_start, a_end = a
    b_start, b_end = b
    starts_before_b_ends = a_start is None or b_end is None or a_start <= b_end
    b_starts_before_a_ends = b_start is None or a_end is None or b_start <= a_end
    return starts_before_b_ends and b_starts_before_a_ends
