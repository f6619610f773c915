"""Time phrases in news text, resolved against the publication date: the text analysis
(no database) that stage 6 (``times.py``) runs over each article.

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
  range: "in two years", "within two years", "in the past year", "by 2008", "since 2003", "before
  2021", "between 1998 and 2002", "from March to May 2005" and "by the end of ..." keep them. A
  phrase never ends in punctuation ("next year." gives "next year").
* A relative phrase needs the reference known at least to its own unit: "next year" resolves with
  any precision, "next quarter" needs "quarter" or finer, "next month" and "in September" need
  "month" or "day", and weeks and days ("next week", "tomorrow", "in 3 days", "on Monday") need
  "day". Otherwise, or when ``reference`` is None, they come back unresolved with ``relative=True``.
* Tense. A month, day, weekday, season or quarter named without a year points back or ahead by the
  tense of its clause, read from cue words (``_tense``): "was fined in March" in a June article is
  the March before, "will launch in March" the March after. The cue nearest the phrase wins ("said
  on Monday it will launch in March": Monday is past, March future); cues after the phrase count
  less unless a comma follows it ("In March, the firm launched"). Simple words, not a parse.
* A month without a year ("in September", "September 12") is the latest such month (or day) on or
  before the reference in the past tense and the next one on or after it in the future tense; with
  no tense cue, the nearer of the two. After "since" it looks back. "next September" is strictly
  after, "last September" strictly before, "this September" the reference year's. A bare month
  needs a cue before it (in, by, since, until, from, during, before, after, through, between,
  early/mid/late, the end of, next/last/this, "the three months to", the first month of a range).
* Weekdays ("on Monday", "said Friday", "Thursday night") are the latest such day on or before the
  reference in the past tense or with no cue, and the next one strictly after it in the future tense
  or after "by"/"until" ("will meet on Wednesday" in a Wednesday article is a week later). "next
  Monday" is strictly after, "last Monday" strictly before, "this Monday" that day of the
  reference's week. "Black Friday", "the Sunday Times" and "Saturday-night" are not days.
* Weeks run Monday to Sunday; there is no week precision, so a week has precision "day". "this
  weekend" is the Saturday and Sunday of the reference's week; "the weekend" the one under way or
  just past (past tense, no cue) or under way or coming (future tense).
* Seasons are meteorological: spring March-May, summer June-August, autumn (fall) September-November,
  winter December-February; "winter 2005" is the one that begins in December 2005. "this summer" is
  the reference year's (this winter: the one under way in January, the coming one in October),
  "next summer" the first one not yet begun, "last summer" the latest one over. A bare season needs
  a cue like a bare month; "fall" needs a year or next/last/this ("a fall in sales").
* "by X", "until X", "till X" (and "by the end of X", "until at least X", "by noon on Friday") run
  from the reference to the end of X: "by 2008" in 2005 is 2005-02-04..2008-12-31, "by the end of
  the quarter" the reference to the quarter's last day. A deadline already past ("by 2003 it had
  ...") keeps X itself. "since X" runs from the start of X to the reference; "before X", when X is
  still ahead, from the reference to the day before X (when X is past it keeps X). The open range
  keeps the precision of X.
* "between X and Y", "from X to Y" are one range from the start of X to the end of Y; a side named
  without a year takes it from the other ("from March to May 2005": March 2005; "between 12 January
  and 10 February": the January before that February). "the year to March 2005" is April 2004 to
  March 2005; "the three months to September", "the six months ended 30 June" likewise end with the
  month or day named.
* "in N years" is the single year reference+N (precision year), except in the past tense, where it
  is the N years up to the reference ("its third warning in nine months"); "N years ago" is
  reference-N. "within N years" and "the next/coming N years" run from the reference (as far as it
  is known: the day, the first of the month, ...) N years on, to the last day of the reference's
  known part then (the day itself when the day is known). "the past/last N years" run the same way
  back. "in/over/during the past year", "the last month", "the next week", "the last decade" (a
  preposition before) are 12 months, a month, a week, 10 years, not the calendar unit. Months,
  quarters, weeks and days work the same way in their own unit. "in a year" alone (often "the highest
  in a year") is not matched; "in a year's time" is. Known limit: "the highest in two years" is read
  as the future year.
* "the coming months", "the next few months", "the following months" (no count) mean 6 months; "the
  past few weeks", "the coming years", "recent months" and other vague counts mean 3 units.
* "this/next/last/the current quarter" is the calendar quarter of the reference, shifted.
* "early 2019" / "the beginning of 2019" is January-April, "mid-2019" / "the middle of 2019" is
  May-August, "late 2019" / "the end of 2019" is September-December, each with precision month
  (thirds of a year). On anything smaller than a year ("early July", "the end of next month") these
  modifiers widen the phrase but leave its range alone. "the 1990s" is 1990-1999, "the early 1990s"
  1990-1993, "the mid-1990s" 1994-1996, "the late 1990s" 1997-1999; "the 18th century" 1701-1800
  (precision year).
* Halves ("the first half of 2019", "H1 2019", "1H19") end on quarter boundaries and have precision
  "quarter". "H1"/"H2" need a year ("H2" alone is also hydrogen). "Q3" or "the third quarter"
  without a year (or "of the year") is the reference year's, or by tense the latest one begun
  ("profits fell in the fourth quarter" in February) or the next one not yet over ("will launch in
  the first quarter" in October). "the first six months" without a year is the reference year's.
* "FY2019", "FY19", "fiscal 2019" are approximated by the calendar year 2019 (fiscal years differ by
  company). Two-digit years 00-69 are 2000-2069, 70-99 are 1970-1999.
* "earlier this year" runs from 1 January to the reference, "later this year" from the reference to
  31 December (precision month, or the reference's own precision when that is coarser). "earlier
  this month/week" run from the first day or the Monday to the reference, "later this month/week"
  from the day after it (the day itself would be "later today") to the last day or the Sunday.
* "the following year" / "the previous year" are the year after / before the last year named in the
  text shortly before ("a loss in 2000 and a profit the following year": 2001), else read against
  the reference date.
* A bare year (1700-2100) counts only after in/by/since/until/from/during/of/for/before/after/
  through/between/and/or/to/around/year/"at least", at the start of a sentence or line, or after an
  opening quote or bracket, and not when it is part of a larger number ("2,019", "2019.5",
  "2018-19"), a percentage, or a count ("2019 units").
* "today"/"tonight" is the reference day, "yesterday"/"tomorrow" one day either side.

Speed: every pattern is compiled once at import. The text is first folded to lower-case ASCII words
in one C-level pass (bytes.translate) and intersected with the trigger words. Text with no digit and
none of year(s), month(s), quarter(s), week(s), day(s), today, tonight, tomorrow, yesterday, a month,
weekday or season name, weekend, decade(s) or century returns at once. Otherwise each pattern runs
only when its own trigger words are present ("ago" for "two years ago", "q" and a digit for "Q3",
...). Tense is read only for the phrases that need it, from the words of their clause.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

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


def _shift(day: date, unit: str, count: int) -> date:
    """``day`` moved by ``count`` whole units, keeping the day of the month where it exists
    (31 March + 1 month is 30 April)."""
    if unit in (DAY, WEEK):
        return day + timedelta(days=count * (7 if unit == WEEK else 1))
    months = count * {MONTH: 1, QUARTER: 3, YEAR: 12}[unit]
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _move_years(day: date, years: int) -> date:
    """``day`` in another year; the last day of a month stays the last (28 February 2005 -> 29 February 2004)."""
    last = calendar.monthrange(day.year + years, day.month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(day.year + years, day.month, last)
    return date(day.year + years, day.month, min(day.day, last))


def _span_from(ref: _Ref, unit: str, count: int) -> tuple[date, date]:
    """From the reference to ``count`` units after it ("over the next two years"), as far as the
    reference is known: from its first day to the last day of its known part moved by ``count``."""
    assert ref.day is not None
    return ref.first, _period(ref.precision, _shift(ref.first, unit, count), 0)[1]


def _span_to(ref: _Ref, unit: str, count: int) -> tuple[date, date]:
    """From ``count`` units before the reference to the reference ("in the past five years")."""
    assert ref.day is not None
    return _period(ref.precision, _shift(ref.first, unit, -count), 0)[0], ref.last


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
_WEEKDAYS = {
    name: number
    for number, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
# Meteorological seasons: the first month of each; winter runs from December into the next year.
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_CENTURY_WORDS = {
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "twenty-first": 21,
    "twenty-second": 22,
}
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
    if rule == "nearest":
        after = year if month >= current else year + 1
        before = year if month <= current else year - 1
        return after if (after - year) * 12 + month - current < (year - before) * 12 + current - month else before
    return year if month <= current else year - 1


def _direction_rule(tense: int) -> str:
    """The ``_month_year`` rule for a tense: the past looks back, the future ahead, no tense the nearest."""
    if tense == UNKNOWN:
        tense = _UNDATED_DEFAULT
    return "on_or_before" if tense == PAST else "on_or_after" if tense == FUTURE else "nearest"


# ---------------------------------------------------------------------------------------------
# Patterns (all compiled once, case-insensitive)

_Y4 = r"(?:(?:17|18|19|20)[0-9]{2}|2100)"
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
_THE_YEAR = re.compile(r"the\s+year", _FLAGS)

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
_WEEKDAY_WORDS = _words(*_WEEKDAYS)
_SEASON_WORDS = _words(*_SEASONS)
_PRIMARY = (
    _ANY_UNIT
    | _ANY_MONTH
    | _DAY_WORDS
    | _ONLY_DIGIT
    | _WEEKDAY_WORDS
    | _SEASON_WORDS
    | _words("weekend", "decade", "decades", "century")
)


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
    r"(?:\b(?:in|since|until|till|by|from|during|before|after|through|throughout|between)\s+"
    rf"|\b(?:{_DEADLINE}\s+)?(?:the\s+)?(?:end|close|beginning|start|middle)\s+of\s+"
    r"|\b(?:early|mid|late)(?:\s*-\s*|\s+)"
    # the end of a period: "the three months to September", "the year ended June"
    r"|\b(?:months?|year|quarter|half|weeks?)\s+(?:to|ended|ending)\s+"
    # the second month of a range: "between January and March", "from 12 May to 3 June"
    rf"|\b{_MON}(?:\s+[0-9]{{1,2}}(?:st|nd|rd|th)?)?\s*(?:and|to|until|till|through|-|\u2013)\s*)$",
    _FLAGS,
)
_SINCE_BEFORE = re.compile(r"\bsince\s+(?:(?:early|mid|late)(?:\s*-\s*|\s+))?$", _FLAGS)
_YEAR_CUE_BEFORE = re.compile(
    r"(?:\b(?:in|by|since|until|till|from|during|of|for|before|after|through|throughout|between|and|or"
    r"|to|around|circa|year)(?:\s+|\s*-\s*)|\b(?:until|till|by)\s+at\s+least\s+|^|[.!?][\"'\u201d\u2019)\]]*\s+|[\"\u201c\u2018(\[])$",
    _FLAGS | re.MULTILINE,
)
_CUE_WINDOW = 30


def _cue_before(pattern: re.Pattern[str], m: re.Match[str]) -> re.Match[str] | None:
    return _cue_before_at(pattern, m.string, m.start("t"))


def _cue_before_at(pattern: re.Pattern[str], text: str, start: int) -> re.Match[str] | None:
    return pattern.search(text, max(0, start - _CUE_WINDOW), start)


# ---------------------------------------------------------------------------------------------
# Tense: which way a month, day, weekday, season or quarter named without a year points

PAST = -1
FUTURE = 1
UNKNOWN = 0


def _word_set(*lines: str) -> frozenset[str]:
    """The words of some lines of words (they read better than quoted ones)."""
    return frozenset(" ".join(lines).split())


_FUTURE_WORDS = _word_set(
    "will won't wont shall would intend intends intending aiming expect expects expected expecting scheduled "
    "upcoming forthcoming hoping next soon",
)
_PAST_WORDS = _word_set(
    "was were had did been said told ago earlier previously formerly last",
    # irregular past tenses (not those spelt like the present: cut, hit, put, quit, set, shut, spread)
    "began became bought brought built came caught chose dealt drew drove fell felt fled flew fought found froze "
    "gave got grew heard held hung kept knew laid led left lent lost made meant met outsold overcame overtook paid "
    "ran rebuilt rose sank saw sent shook shrank slid sold sought spent spoke stole stood struck swung taught thought "
    "threw took underwent undertook went withdrew won wrote",
)
# Words ending in "ed" that are not past verbs, or are adjectives more often than not ("the planned
# takeover", "a combined company").
_NOT_PAST_ED = _word_set(
    "need feed seed speed indeed exceed proceed succeed breed steed greed creed deed weed heed reed tweed bleed "
    "hundred kindred sacred naked wicked rugged ragged beloved aged based related limited united advanced detailed "
    "experienced skilled talented interested concerned biased balanced combined planned proposed anticipated "
    "intended",
)
# Two-word future cues: "going to", "plans to" (not "the plan"), "set to/for", "is to", "to be", "is due";
# and "be" before a participle ("be fined").
_FUTURE_PAIRS = {
    "going": ("to",),
    "plan": ("to",),
    "plans": ("to",),
    "planning": ("to",),
    "aim": ("to",),
    "aims": ("to",),
    "hope": ("to",),
    "hopes": ("to",),
    "set": ("to", "for"),
    "is": ("to", "due"),
    "are": ("to", "due"),
    "was": ("due",),
    "were": ("due",),
    "to": ("be",),
}
_WORD = re.compile(r"[A-Za-z]+(?:['\u2019-][A-Za-z]+)*")
_TRAILING = ".,;:!?"  # punctuation that never ends a phrase
# Where a clause ends: a sentence end, a line break, or a dash set off by spaces ("- which will ... -").
_CLAUSE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s|\n|\s[-\u2013\u2014]\s")
_TENSE_BEFORE = 120  # characters read before the phrase, within its clause
_TENSE_AFTER = 60  # and after it
_TENSE_AFTER_WEIGHT = 3  # a cue word after the phrase counts as if this many times further away ...
_FRONTED = re.compile(r"\s*,")  # ... unless a comma follows the phrase: "In March, the firm launched"


def _participle(word: str) -> bool:
    return word.islower() and len(word) >= 4 and word.endswith(("ed", "en")) and word not in _NOT_PAST_ED


def _cue(words: list[str], index: int) -> int:
    """The tense the word ``words[index]`` speaks of, if any (the words around it tell pairs apart)."""
    word = words[index]
    lower = word.lower()
    following = words[index + 1] if index + 1 < len(words) else ""
    if lower in _FUTURE_WORDS or lower.endswith(("'ll", "\u2019ll")):
        return FUTURE
    if following.lower() in _FUTURE_PAIRS.get(lower, ()) or (lower == "be" and _participle(following)):
        return FUTURE  # "is to become", "to be sold", "be fined"
    if lower in _PAST_WORDS:
        return PAST
    if (
        word.islower()  # "United", "Limited" in names are not verbs
        and len(word) >= 4
        and word.endswith("ed")
        and "-" not in word  # "US-based", "state-owned"
        and word not in _NOT_PAST_ED
        and (index == 0 or words[index - 1].lower() != "be")  # "be fined" is the future cue above
    ):
        return PAST
    return UNKNOWN


def _tense(text: str, start: int, end: int) -> int:
    """``FUTURE`` when the cue word nearest to ``text[start:end]`` in its clause speaks of the future
    ("will", "plans", "is expected to", "to be"), ``PAST`` when it speaks of the past ("was", "had",
    "said", a verb in -ed, "bought"), ``UNKNOWN`` when there is none.

    The nearest cue (in words) wins because a sentence often holds both: in "said on Monday it will
    launch in March", "said" governs Monday and "will" governs March. A verb usually comes before its
    time phrase, so a cue after the phrase counts as further away ("began on Friday and the process
    would continue"), except when a comma follows the phrase, which then opens its clause ("In March,
    the firm launched"). Simple cue words, not a parse: present tense ("says", "is") gives no answer.
    """
    low = max(0, start - _TENSE_BEFORE)
    for boundary in _CLAUSE_END.finditer(text, low, start):
        low = boundary.end()
    high = min(len(text), end + _TENSE_AFTER)
    boundary = _CLAUSE_END.search(text, end, high)
    if boundary is not None:
        high = boundary.start()
    before = _WORD.findall(text, low, start)
    best_distance = float("inf")
    best = UNKNOWN
    for index in range(len(before) - 1, -1, -1):  # nearest first, so the first cue is the one
        tense = _cue(before, index)
        if tense != UNKNOWN:
            best_distance, best = len(before) - 1 - index, tense
            break
    weight = 1 if _FRONTED.match(text, end) else _TENSE_AFTER_WEIGHT
    after = _WORD.findall(text, end, high)
    for index in range(len(after)):
        if index * weight >= best_distance and best != UNKNOWN:
            break
        tense = _cue(after, index)
        if tense != UNKNOWN:
            return tense
    return best


def _tense_of(m: re.Match[str]) -> int:
    start, end = m.span("t")
    while end > start + 1 and m.string[end - 1] in _TRAILING:  # "in May." (the period of "Sept." may end it)
        end -= 1
    return _tense(m.string, start, end)


# A bare month, day or season with no tense cue around it: the nearest one to the reference (UNKNOWN),
# or the next one on or after it (FUTURE), or the latest one on or before it (PAST).
_UNDATED_DEFAULT = UNKNOWN


# ---------------------------------------------------------------------------------------------
# Handlers: a match and the reference in, a resolved range out (None: not a time expression)


def _h_modified_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if m["dec"] is not None:
        return _decade(int(m["dec"]), "" if m["by"] else m["mod"].lower())
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
    unit = m["unit"].lower()
    if not ref.knows(unit):
        return _unresolved()
    assert ref.day is not None
    period_start, period_end = _period(unit, ref.day, 0)
    earlier = m["el"].lower() == "earlier"
    if unit == YEAR:
        precision = MONTH if ref.knows(MONTH) else ref.precision
        return (period_start, ref.last, precision, True) if earlier else (ref.first, period_end, precision, True)
    if earlier:
        return period_start, ref.day, DAY, True
    # "later this week" is after today (today would be "later today"), unless today ends the period
    return min(ref.day + timedelta(days=1), period_end), period_end, DAY, True


def _h_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    year, relative = _anchor_year(m["t"], ref)
    assert year is not None
    return date(year, 1, 1), date(year, 12, 31), YEAR, relative


def _h_bare_year(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    if m["t"][-1] in "sS":  # "the 1990s", "1980s-era"
        year = int(m["t"][:4])
        return _decade(year, "") if year % 10 == 0 else None
    cue = _cue_before(_YEAR_CUE_BEFORE, m)
    if cue is None:
        return None  # "the 2019 lineup", "$2019"
    if m["t"] < "1900" and _OLD_YEAR_CUE.search(cue.group()) is None:
        return None  # "the index rose to 1850": a number, unless "in 1850", "since 1774"
    return _h_year(m, ref)


# A year before 1900 is more often a plain number: only these words make it a year.
_OLD_YEAR_CUE = re.compile(r"\b(?:in|since|from|until|till|during|of|before|after|circa|around)\b", _FLAGS)


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
    if spans:
        return *_span_from(ref, unit, count), _output_precision(unit), True
    if m["time"] is None and _tense_of(m) == PAST:  # "its third warning in nine months": the months just past
        return *_span_to(ref, unit, count), _output_precision(unit), True
    return *_period(unit, ref.day, count), _output_precision(unit), True


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
    groups = m.groupdict()
    number, plural = groups.get("n"), groups.get("unit")
    unit = (plural or groups["unit1"]).lower()
    if unit == "decade":
        unit, count = YEAR, 10 * (_count(number) or 1)
    else:
        count = _count(number) if number else None if plural else 1
    if count == 0:
        return None
    if count is None:  # "the coming months" is half a year; "the past few weeks", "the coming years" three
        count = 6 if unit == MONTH and _offset(m["dir"]) > 0 and not number else 3
    if not ref.knows(unit):
        return _unresolved()
    if _offset(m["dir"]) < 0:
        return *_span_to(ref, unit, count), _output_precision(unit), True
    return *_span_from(ref, unit, count), _output_precision(unit), True


def _h_recent(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    unit = m["unit"].lower()
    if not ref.knows(unit):
        return _unresolved()
    return *_span_to(ref, unit, 3), _output_precision(unit), True


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


def _quarter_in(year_text: str | None, yy: str | None, quarter: int, ref: _Ref, m: re.Match[str]) -> _Resolved:
    if year_text is not None and _THE_YEAR.fullmatch(year_text):
        year_text = None  # "the fourth quarter of the year": the year of the sentence, read like no year
    if yy is not None:
        year: int | None = _two_digit_year(int(yy))
        relative = False
    elif year_text is not None:
        year, relative = _anchor_year(year_text, ref)
    elif ref.knows(YEAR):
        assert ref.day is not None
        year, relative = ref.day.year, True
        tense = _tense_of(m) if ref.knows(QUARTER) else UNKNOWN
        if tense == PAST and quarter * 3 - 2 > ref.day.month:  # "profits fell in the fourth quarter" (in February)
            year -= 1
        elif tense == FUTURE and quarter * 3 < ref.day.month:  # "will launch in the first quarter" (in October)
            year += 1
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
    return _quarter_in(year_text, None, _ORDINALS.get(word, 4), ref, m)


def _h_quarter_code(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    return _quarter_in(m["ya"], m["yy"], int(m["q"]), ref, m)


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
        return _undated_day(month, day, ref, _tense_of(m))
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
    year = _month_year(month, ref, "on_or_before" if since else _direction_rule(_tense_of(m)))
    if year is None:
        return _unresolved()
    return *_month_range(year, month), MONTH, True


def _undated_day(month: int, day: int, ref: _Ref, tense: int) -> _Resolved:
    """A day named without a year ("12 July"): the latest one on or before the reference in the past
    tense, the next one on or after it in the future tense, the nearer of the two with no tense (by
    month when only the reference's month is known)."""
    if not ref.knows(DAY):
        year = _month_year(month, ref, _direction_rule(tense))
    else:
        assert ref.day is not None
        year = ref.day.year
        if tense == UNKNOWN:
            tense = _UNDATED_DEFAULT
        if tense == UNKNOWN:  # the nearer of the one on or before and the one after the reference
            this_year = date(year, month, min(day, calendar.monthrange(year, month)[1]))
            other = _move_years(this_year, 1 if this_year < ref.day else -1)
            if abs((other - ref.day).days) < abs((this_year - ref.day).days):
                year = other.year
        elif tense == PAST and (month, day) > (ref.day.month, ref.day.day):
            year -= 1
        elif tense == FUTURE and (month, day) < (ref.day.month, ref.day.day):
            year += 1
    if year is None:
        return _unresolved()
    try:
        resolved = date(year, month, day)
    except ValueError:  # 30 February, 29 February outside a leap year
        return _unresolved()
    return resolved, resolved, DAY, True


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


_NOT_A_WEEKDAY_BEFORE = re.compile(
    r"\b(?:black|good|cyber|super|ash|easter|palm|whit|shrove|maundy|holy|bloody|man|girl|mail\s+on)\s+$", _FLAGS
)


def _is_deadline(m: re.Match[str]) -> bool:
    """Whether "by", "until" or "till" stands before the phrase ("by Monday" is ahead)."""
    before = _cue_before(_OPEN_BEFORE, m)
    return before is not None and before["w"].lower() in ("by", "until", "till")


def _h_weekday(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    """A weekday ("on Monday", "said Friday", "next Tuesday"): past tense (or none) looks back to the
    latest such day on or before the reference, future tense (or "by", "until") to the next one after it."""
    if not m["wd"][0].isupper() or _cue_before(_NOT_A_WEEKDAY_BEFORE, m) is not None:
        return None  # "Black Friday", "the Mail on Sunday"
    if not ref.knows(DAY):
        return _unresolved()
    assert ref.day is not None
    weekday = _WEEKDAYS[m["wd"].lower()]
    today = ref.day.weekday()
    rel = (m["rel"] or "").lower()
    if rel == "this":
        shift = weekday - today
    elif rel == "last":
        shift = -((today - weekday) % 7 or 7)
    elif rel in ("next", "coming") or _is_deadline(m) or _tense_of(m) == FUTURE:
        shift = (weekday - today) % 7 or 7
    else:
        shift = -((today - weekday) % 7)
    resolved = ref.day + timedelta(days=shift)
    return resolved, resolved, DAY, True


def _h_weekend(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    """A weekend: "this weekend" is the Saturday and Sunday of the reference's week; "the weekend" the
    one under way or just past in the past tense, the one under way or coming in the future tense."""
    if not ref.knows(DAY):
        return _unresolved()
    assert ref.day is not None
    rel = (m["rel"] or "").lower()
    if rel in ("this", "next", "last"):
        shift = _offset(rel)
    elif "past" in rel:
        shift = -1
    elif "coming" in rel or _tense_of(m) == FUTURE:
        shift = 0
    else:
        shift = 0 if ref.day.weekday() >= 5 else -1
    saturday = _period(WEEK, ref.day, shift)[0] + timedelta(days=5)
    return saturday, saturday + timedelta(days=1), DAY, True


def _season_range(year: int, season: int) -> tuple[date, date]:
    first = _SEASONS_BY_INDEX[season]
    start = date(year, first, 1)
    return start, _period(MONTH, start, 2)[1]


_SEASONS_BY_INDEX = (3, 6, 9, 12)  # spring, summer, autumn, winter


_CAPITALISED_NEXT = re.compile(r"\s+[A-Z]")


def _h_season(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    """Meteorological seasons: spring March-May, summer June-August, autumn (fall) September-November,
    winter December-February; "winter 2005" is the one that begins in December 2005."""
    name = m["s"].lower()
    rel = (m["rel"] or "").lower()
    if m["y"] is None and not rel and (name == "fall" or _cue_before(_MONTH_CUE_BEFORE, m) is None):
        return None  # "a fall in sales", "hot spring water"
    if m["y"] is None and m["s"][0].isupper() and _CAPITALISED_NEXT.match(m.string, m.end("t")):
        return None  # "in Spring Airlines' results", "at the Summer Palace"
    season = _SEASONS_BY_INDEX.index(_SEASONS[name])
    if m["y"] is not None:
        return *_season_range(int(m["y"]), season), MONTH, False
    if not ref.knows(MONTH):
        return _unresolved()
    assert ref.day is not None
    # Seasons counted from spring 0 of year 0; "this" winter is the one under way (January) or coming (October).
    this = (ref.day.year if season < 3 or ref.day.month >= 3 else ref.day.year - 1) * 4 + season
    this_start, this_end = _season_range(*divmod(this, 4))
    if "next" in rel or "coming" in rel:
        index = this + 4 if this_start <= ref.day else this
    elif "last" in rel or "past" in rel:
        index = this if this_end < ref.day else this - 4
    elif rel == "this":
        index = this
    else:
        tense = _tense_of(m)
        if tense == UNKNOWN:
            tense = _UNDATED_DEFAULT
        past = this if this_start <= ref.day else this - 4
        future = this if this_end >= ref.day else this + 4
        if tense == UNKNOWN:  # the one under way, else the nearer of the last and the next
            past_end = _season_range(*divmod(past, 4))[1]
            future_start = _season_range(*divmod(future, 4))[0]
            index = past if past == future or ref.day - past_end < future_start - ref.day else future
        else:
            index = past if tense == PAST else future
    return *_season_range(*divmod(index, 4)), MONTH, True


def _decade(first: int, modifier: str) -> _Resolved:
    """The 1990s, or part of them: "early" 1990-93, "mid" 1994-96, "late" (or "the end of") 1997-99."""
    if modifier.startswith("early") or "beginning" in modifier or "start" in modifier:
        first, last = first, first + 3
    elif modifier.startswith("mid") or "middle" in modifier:
        first, last = first + 4, first + 6
    elif modifier:
        first, last = first + 7, first + 9
    else:
        last = first + 9
    return date(first, 1, 1), date(last, 12, 31), YEAR, False


def _h_century(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    words = m["c"] or "-".join(m["cw"].lower().replace("-", " ").split())
    number = int(words) if words.isdigit() else _CENTURY_WORDS[words]
    if not 1 <= number <= 30:
        return None
    return date((number - 1) * 100 + 1, 1, 1), date(number * 100, 12, 31), YEAR, False


def _h_first_months(m: re.Match[str], ref: _Ref) -> _Resolved | None:
    """The first months of a year: "the first three months of 2012", "the first six months" (of the
    reference year)."""
    count = _count(m["n"])
    if count is None or not 1 <= count <= 12:
        return None
    if m["ya"] is not None and not _THE_YEAR.fullmatch(m["ya"]):
        year, relative = _anchor_year(m["ya"], ref)
    elif ref.knows(YEAR):
        assert ref.day is not None
        year, relative = ref.day.year, True
    else:
        return _unresolved()
    if year is None:
        return _unresolved(relative)
    return *_months_range(year, 1, count), MONTH, relative


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    handler: _Handler
    needs: tuple[frozenset[bytes], ...]  # runs only when each group has a word in the text
    widens: bool  # a modifier before it ("by the end of", "early") joins the phrase, range unchanged
    yearless: bool  # names a month, day or season: without a "y" group a range may lend it a year
    anchored: bool  # "the following year": read against a year named just before it when there is one
    lead: re.Pattern[str] | None  # words that must stand just before the match; they join the phrase

    def may_match(self, words: frozenset[bytes]) -> bool:
        return all(not group.isdisjoint(words) for group in self.needs)


def _rule(
    pattern: str,
    handler: _Handler,
    *needs: frozenset[bytes],
    widens: bool = True,
    yearless: bool = False,
    anchored: bool = False,
    lead: str | None = None,
    flags: int = 0,
) -> _Rule:
    compiled_lead = re.compile(lead, _FLAGS) if lead is not None else None
    return _Rule(re.compile(pattern, _FLAGS | flags), handler, needs, widens, yearless, anchored, compiled_lead)


_RULES: tuple[_Rule, ...] = (
    # early 2019, mid-2019, late next year, the end of the year, by the end of 2019
    _rule(
        rf"\b(?P<t>(?P<mod>(?:(?P<by>{_DEADLINE})\s+)?(?:the\s+)?(?:end|close)\s+of"
        r"|(?:the\s+)?(?:beginning|start|middle)\s+of|early|mid|late)"
        rf"(?:\s*-\s*|\s+)(?:in\s+)?(?:(?P<ya>{_YA_OF})|(?:the\s+)?(?P<dec>(?:1[5-9]|20)[0-9]0)s\b))",
        _h_modified_year,
        _words("end", "close", "beginning", "start", "middle", "early", "mid", "late"),
        _YEAR_OR_DIGIT,
        widens=False,
    ),
    # next year, the coming year, last year
    # (the following year, the previous year: after "in 2000 ...", 2001 and 1999)
    _rule(rf"\b(?P<t>{_REL_WORD}\s+year\b){_NOT_OF}", _h_relative_year, _DIRECTION, _YEAR, widens=False, anchored=True),
    # earlier this year, later in the year, earlier this month, later this week
    _rule(
        r"\b(?P<t>(?P<el>earlier|later)\s+(?:this|in\s+the)\s+(?P<unit>year|month|week)\b)",
        _h_earlier_later,
        _words("earlier", "later"),
        _words("year", "month", "week"),
        widens=False,
    ),
    # FY2019, fiscal 2019
    _rule(rf"\b(?P<t>{_FISCAL})(?![\w-])", _h_year, _words("fiscal", "fy"), _ONLY_DIGIT, widens=False),
    # in 2019, by 2019, "2019 was ..." (a bare year needs a cue before it: see _YEAR_CUE_BEFORE); the 1990s
    _rule(
        rf"(?=[12])(?<![\w$\u20ac\u00a3\u00a5.,-])(?P<t>{_Y4}(?:s\b)?)(?![0-9]|[.,][0-9]|[-/\u2013][0-9]|\s*%|\s*percent\b)"
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
    # the next two years, the coming months, the past three quarters, the last two decades
    _rule(
        rf"\b(?P<t>the\s+(?P<dir>next|coming|following|past|last|previous)\s+(?:{_NUM}\s+)?(?:{_UNIT}|(?P<unit1>decade))s\b)",
        _h_span,
        _DIRECTION,
        _ANY_UNIT | _words("decades"),
    ),
    # in the past year, over the next year, in the last decade (twelve months, not the calendar year)
    _rule(
        r"\b(?P<t>(?P<dir>next|past|last)\s+(?P<unit1>year|month|week|decade)\b)(?!\s+(?:of|or\s+two)\b|['\u2019]s)",
        _h_span,
        _DIRECTION,
        _words("year", "month", "week", "decade"),
        lead=r"\b(?:in|over|during|for|within|throughout)\s+the\s+$",
    ),
    # in recent months, recent years
    _rule(rf"\b(?P<t>recent\s+{_UNIT}s)\b", _h_recent, _words("recent"), _ANY_UNIT),
    # the first six months (of 2012)
    _rule(
        rf"\b(?P<t>the\s+first\s+{_NUM}\s+months(?:\s+of\s+(?P<ya>{_YA_OF}))?)",
        _h_first_months,
        _words("first"),
        _words("months"),
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
        yearless=True,
    ),
    # 12 July 2018; the 12th of July
    _rule(
        rf"(?=[0-9])(?<![0-9.,$])\b(?P<t>(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON}"
        rf"(?:,?\s+(?P<y>{_Y4})(?![0-9]|[.,][0-9]))?)",
        _h_month_day,
        _ANY_MONTH,
        _ONLY_DIGIT,
        yearless=True,
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
    _rule(rf"{_MON_START}\b(?P<t>{_MON})(?!\s*[0-9])", _h_bare_month, _ANY_MONTH, yearless=True),
    # next May, last September, this July
    _rule(
        rf"\b(?P<t>(?P<rel>next|last|this|coming)\s+{_MON})(?!\s*[0-9])",
        _h_relative_month_name,
        _words("next", "last", "this", "coming"),
        _ANY_MONTH,
        widens=False,
    ),
    # on Monday, said Friday, next Tuesday, Thursday night
    _rule(
        r"\b(?P<t>(?:(?P<rel>next|last|this|coming)\s+)?(?P<wd>monday|tuesday|wednesday|thursday|friday|saturday"
        r"|sunday)(?:\s+(?:morning|afternoon|evening|night))?)\b(?!-|\.\w|['\u2019]s\s+(?:paper|edition)\b"
        r"|\s+(?:times|telegraph|mirror|express|herald|post|tribune|independent|mail|people|sport|business"
        r"|night\s+football)\b)",
        _h_weekday,
        _WEEKDAY_WORDS,
    ),
    # this weekend, over the weekend
    _rule(
        r"\b(?P<t>(?P<rel>this|next|last|the\s+past|the\s+coming|the)\s+weekend)\b",
        _h_weekend,
        _words("weekend"),
    ),
    # Spring 2005, the summer of 2004, next summer, in the autumn
    _rule(
        r"\b(?P<t>(?:(?P<rel>next|last|this|coming|the\s+(?:coming|next|last|past))\s+|the\s+)?"
        rf"(?P<s>spring|summer|autumn|fall|winter)(?:\s*,?\s+(?:of\s+)?(?P<y>{_Y4})(?![0-9]|[.,][0-9]))?)\b"
        r"(?!\s+(?:olympics|games|paralympics|collection|range)\b)",
        _h_season,
        _SEASON_WORDS,
        yearless=True,
    ),
    # the 18th century, the twenty-first century
    _rule(
        r"\b(?P<t>(?:the\s+)?(?:(?P<c>[0-9]{1,2})(?:st|nd|rd|th)|(?P<cw>fifteenth|sixteenth|seventeenth|eighteenth"
        r"|nineteenth|twentieth|twenty(?:\s*-\s*|\s+)(?:first|second)))(?:\s*-\s*|\s+)century)\b",
        _h_century,
        _words("century"),
    ),
)
_GATE_WORDS = frozenset().union(*(group for rule in _RULES for group in rule.needs))


# ---------------------------------------------------------------------------------------------
# Combining phrases: ranges, periods ending at a date, open ranges, years read against the text


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    date_start: date | None
    date_end: date | None
    precision: str
    relative: bool
    yearless: bool = False  # a month, day or season named without a year
    anchor: int = 0  # +1 "the following year", -1 "the previous year"

    @property
    def resolved(self) -> bool:
        return self.date_start is not None and self.date_end is not None


_RANGE_OPENERS = frozenset(("between", "from"))
_RANGE_GAP = 12  # the most text between the two ends of a range (" and ", " to ", " - ")
_PERIOD_ENDS = frozenset(("to", "ended", "ending", "through", "of"))  # "of": "the year to the end of March"
_OPEN_LAST_WORDS = frozenset(("since", "by", "until", "till", "before", "least", "on"))
_RANGE_OPENER = re.compile(r"\b(?P<w>between|from)\s+$", _FLAGS)
_RANGE_JOINER = re.compile(r"\s*(?:(?P<and>and)|to|until|till|through|-|\u2013)\s*", _FLAGS)
_PERIOD_TO_BEFORE = re.compile(
    rf"\b(?:the\s+)?(?:(?:financial|fiscal|calendar)\s+)?(?:{_NUM}\s+(?P<unit>month|week|quarter|year)s"
    r"|(?P<single>year|twelve\s+months|half[-\s]year|half|quarter))\s+(?:to|ended|ending|through)\s+(?:the\s+end\s+of\s+)?$",
    _FLAGS,
)
_PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}
# "since 2003", "by 2008", "until at least 2021", "by noon on Friday"
_OPEN_BEFORE = re.compile(
    r"\b(?P<w>since|by|until|till|before)\s+(?:at\s+least\s+|(?:noon|midnight|the\s+end\s+of\s+the\s+day)\s+on\s+)?$",
    _FLAGS,
)
_DEADLINE_START = re.compile(rf"{_DEADLINE}\b", _FLAGS)
_ANCHOR_WINDOW = 250  # "in 2000 ... the following year": how far back the named year may be


def _finer(a: str, b: str) -> str:
    return a if _RANK.get(a, 9) <= _RANK.get(b, 9) else b


def _moved(candidate: _Candidate, years: int) -> tuple[date, date]:
    assert candidate.date_start is not None and candidate.date_end is not None
    return _move_years(candidate.date_start, years), _move_years(candidate.date_end, years)


def _word_before(text: str, start: int) -> str:
    """The lower-case word just before ``text[start]`` ("" if none): a cheap look before the regexes."""
    words = text[max(0, start - 12) : start].split()
    return words[-1].lower() if words and text[start - 1 : start].isspace() else ""


def _joined(text: str, first: _Candidate, second: _Candidate, before: str) -> _Candidate | None:
    """A range ("between 12 January and 10 February", "from March to May 2005"): one range from the start
    of the first to the end of the second. A side named without a year takes it from the other side: the
    first is the latest such date not after the second, the second the earliest not before the first."""
    if before not in _RANGE_OPENERS or second.start - first.end > _RANGE_GAP:
        return None
    opener = _RANGE_OPENER.search(text, max(0, first.start - 10), first.start)
    joiner = _RANGE_JOINER.fullmatch(text, first.end, second.start)
    if opener is None or joiner is None or not (first.resolved and second.resolved):
        return None
    if (opener["w"].lower() == "between") != (joiner["and"] is not None):
        return None
    assert first.date_start is not None and first.date_end is not None
    assert second.date_start is not None and second.date_end is not None
    start, end = first.date_start, second.date_end
    if first.yearless:
        years = second.date_start.year - first.date_start.year
        if _moved(first, years)[0] > second.date_start:
            years -= 1
        start = _moved(first, years)[0]
    elif second.yearless:
        years = first.date_end.year - second.date_end.year
        if _moved(second, years)[1] < first.date_end:
            years += 1
        end = _moved(second, years)[1]
    if start > end:
        return None
    precision = _finer(first.precision, second.precision)
    return _Candidate(opener.start(), second.end, start, end, precision, first.relative or second.relative)


def _period_to(text: str, candidate: _Candidate, before: str) -> _Candidate | None:
    """A period that ends with the candidate's month or day: "the year to March 2005" (April 2004 to
    March 2005), "the three months to September", "the six months ended 30 June"."""
    if before not in _PERIOD_ENDS or not candidate.resolved or candidate.precision not in (DAY, MONTH):
        return None
    period = _PERIOD_TO_BEFORE.search(text, max(0, candidate.start - 50), candidate.start)
    if period is None:
        return None
    assert candidate.date_end is not None
    end = candidate.date_end
    if period["unit"] is not None:
        count = _count(period["n"])
        if not count:
            return None
        if period["unit"].lower() == "week":
            start = end - timedelta(weeks=count) + timedelta(days=1)
            return _Candidate(period.start(), candidate.end, start, end, DAY, True)
        months = count * _PERIOD_MONTHS[period["unit"].lower()]
    else:
        single = period["single"].lower()
        months = 12 if single.startswith(("year", "twelve")) else 6 if single.startswith("half") else 3
    month_end = end == _period(MONTH, end, 0)[1]
    start = _period(MONTH, end, 1 - months)[0] if month_end else _shift(end, MONTH, -months) + timedelta(days=1)
    return _Candidate(period.start(), candidate.end, start, end, MONTH if month_end else DAY, candidate.relative)


def _opened(text: str, candidate: _Candidate, ref: _Ref, before: str) -> _Candidate | None:
    """Open ranges: "since 2003" runs from the start of 2003 to the reference; "by 2008", "until 2006",
    "by the end of the year" from the reference to the end of the period; "before 2021" (still ahead)
    from the reference to the day before. A deadline already past ("by 2003 it had ...") keeps its period."""
    if not candidate.resolved or ref.day is None:
        return None
    assert candidate.date_start is not None and candidate.date_end is not None
    start = candidate.start
    if text[start] in "bBuUtT" and _DEADLINE_START.match(text, start):
        word = "by"  # "by the end of the year", "before the end of 2019"
    else:
        opener = None if before not in _OPEN_LAST_WORDS else _cue_before_at(_OPEN_BEFORE, text, candidate.start)
        if opener is None:
            return None
        word, start = opener["w"].lower(), opener.start()
    if word == "since":
        if candidate.date_start > ref.last:
            return None
        return _Candidate(start, candidate.end, candidate.date_start, ref.last, candidate.precision, True)
    if word == "before":
        if candidate.date_start <= ref.first:
            return None
        end = candidate.date_start - timedelta(days=1)
        return _Candidate(start, candidate.end, ref.first, end, candidate.precision, True)
    if candidate.date_end < ref.first:
        return None
    return _Candidate(start, candidate.end, ref.first, candidate.date_end, candidate.precision, True)


def _anchored(kept: list[_Candidate], index: int) -> _Candidate | None:
    """A year read against the text: "a loss in 2000 turned into a profit the following year" is 2001,
    read against the last year named shortly before rather than against the reference."""
    candidate = kept[index]
    for earlier in reversed(kept[:index]):
        if candidate.start - earlier.end > _ANCHOR_WINDOW:
            return None
        if not earlier.relative and earlier.date_start is not None and earlier.date_end is not None:
            year = earlier.date_end.year + 1 if candidate.anchor > 0 else earlier.date_start.year - 1
            return _Candidate(candidate.start, candidate.end, date(year, 1, 1), date(year, 12, 31), YEAR, True)
    return None


def _anchor_direction(word: str) -> int:
    """+1 for "the following", -1 for "the previous" or "the prior", 0 for other year words."""
    word = word.lower()
    return _offset(word) if "following" in word or "previous" in word or "prior" in word else 0


def _combine(text: str, kept: list[_Candidate], ref: _Ref) -> list[_Candidate]:
    """Phrases that read together: years against the text, ranges, periods ending at a date, then
    open ranges ("since", "by"); last, trailing punctuation leaves the phrase."""
    for index, candidate in enumerate(kept):
        if candidate.anchor:
            kept[index] = _anchored(kept, index) or candidate
    joined: list[tuple[_Candidate, str]] = []  # and the word before it
    index = 0
    while index < len(kept):
        candidate = kept[index]
        before = _word_before(text, candidate.start)
        if index + 1 < len(kept):
            pair = _joined(text, candidate, kept[index + 1], before)
            if pair is not None:
                joined.append((pair, _word_before(text, pair.start)))
                index += 2
                continue
        period = _period_to(text, candidate, before)
        joined.append((candidate, before) if period is None else (period, _word_before(text, period.start)))
        index += 1
    result: list[_Candidate] = []
    for candidate, before in joined:
        candidate = _opened(text, candidate, ref, before) or candidate
        while candidate.end > candidate.start + 1 and text[candidate.end - 1] in _TRAILING:
            candidate.end -= 1
        while result and result[-1].end > candidate.start:  # a widened phrase swallows what it covers
            result.pop()
        result.append(candidate)
    return result


# ---------------------------------------------------------------------------------------------
# Public API


def find_time_expressions(
    text: str, *, reference: date | None, reference_precision: str = "day"
) -> list[TimeExpression]:
    """Every time phrase in ``text``, resolved against ``reference`` (see the module docstring)."""
    if reference_precision not in _PRECISIONS:
        raise ValueError(f"reference_precision must be one of {_PRECISIONS}, not {reference_precision!r}")
    words = _present_words(text) if text else frozenset()
    if _PRIMARY.isdisjoint(words):
        return []
    ref = _Ref(reference, reference_precision)
    candidates: list[_Candidate] = []
    for rule in _RULES:
        if not rule.may_match(words):
            continue
        for m in rule.pattern.finditer(text):
            lead = None if rule.lead is None else _cue_before(rule.lead, m)
            if rule.lead is not None and lead is None:
                continue
            try:
                resolved = rule.handler(m, ref)
            except (ValueError, OverflowError):  # arithmetic past year 1 or 9999 (absurd reference)
                resolved = _unresolved()
            if resolved is None:
                continue
            start, end = m.span("t") if lead is None else (lead.start(), m.end("t"))
            if rule.widens:
                before = _MODIFIER_BEFORE.search(text, max(0, start - _MODIFIER_WINDOW), start)
                if before is not None:
                    start = before.start()
            yearless = rule.yearless and m.groupdict().get("y") is None and resolved[3]
            anchor = _anchor_direction(m["w"]) if rule.anchored else 0
            candidates.append(_Candidate(start, end, *resolved, yearless=yearless, anchor=anchor))
    # Longest first (then leftmost, then rule order); keep those that overlap nothing kept so far.
    candidates.sort(key=lambda c: (c.start - c.end, c.start))
    kept: list[_Candidate] = []
    for candidate in candidates:
        if all(candidate.end <= k.start or k.end <= candidate.start for k in kept):
            kept.append(candidate)
    kept.sort(key=lambda c: c.start)
    try:
        combined = _combine(text, kept, ref)
    except (ValueError, OverflowError):  # arithmetic past year 1 or 9999 (absurd reference)
        combined = kept
    return [
        TimeExpression(c.start, c.end, text[c.start : c.end], c.date_start, c.date_end, c.precision, c.relative)
        for c in combined
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
