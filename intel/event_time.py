"""An event's time in words, at the precision it was stated with.

Stored times are ranges with a precision ("next year" in a July 2018 article is
2019-01-01 to 2019-12-31, precision year): a reader is told "2019", never the two
days, which would suggest a precision the source never gave. The market page and
the entry matrix label events with ``time_label``; event summaries name a draft's
start with ``at_precision``.
"""

from __future__ import annotations

from datetime import date

from intel.choices import DatePrecision


def at_precision(day: date, precision: str, *, month_format: str = "%b %Y") -> str:
    """``day`` as its precision says it: "2019", "Q3 2019", "Jul 2019" (``month_format``), "2019-07-04".

    A precision that is blank or unknown is a day's.
    """
    if precision == DatePrecision.YEAR:
        return str(day.year)
    if precision == DatePrecision.QUARTER:
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == DatePrecision.MONTH:
        return day.strftime(month_format)
    return day.isoformat()


def time_label(start: date | None, end: date | None, precision: str) -> str:
    """An event's time as a reader says it: "2019", "Q3 2019", "Jul 2019", "2019-07-04",
    or a range of those when the end falls in another year, quarter, month or day;
    "by …" with only an end, "undated" with neither."""
    if start is None:
        return "undated" if end is None else f"by {at_precision(end, precision)}"
    first = at_precision(start, precision)
    last = at_precision(end, precision) if end is not None else first
    if last == first:
        return first
    separator = "–" if precision == DatePrecision.YEAR else " – "
    return f"{first}{separator}{last}"
