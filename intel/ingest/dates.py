"""Publication dates as people give them (a day, a month or only a year): the input's
``published``, parsed and checked by stage 1. Time phrases in the text are ``timex.py``'s."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from intel.choices import DatePrecision

from .errors import IngestError

_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True)
class PublishedDate:
    """A publication date and how precisely it is known (2018-07 is July 2018, precision month)."""

    date: date
    precision: str

    @classmethod
    def parse(cls, value: str) -> PublishedDate:
        """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; invalid or future dates raise ``IngestError``."""
        match = _DATE.match(value.strip())
        if not match:
            raise IngestError(
                f"Invalid publication date {value!r}: use YYYY-MM-DD, YYYY-MM or YYYY.",
                stage="normalise",
                field="published",
            )
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            parsed = date(year, month or 1, day or 1)  # type: ignore[arg-type]
        except ValueError as exc:
            raise IngestError(
                f"Invalid publication date {value!r}: {exc}.", stage="normalise", field="published"
            ) from exc
        precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
        published = cls(parsed, precision)
        published.check_not_in_future()
        return published

    @classmethod
    def of(cls, value: date | str | PublishedDate | None) -> PublishedDate | None:
        if value is None or value == "":
            return None
        if isinstance(value, PublishedDate):
            value.check_not_in_future()
            return value
        if isinstance(value, date):
            published = cls(value, DatePrecision.DAY)
            published.check_not_in_future()
            return published
        return cls.parse(value)

    def check_not_in_future(self) -> None:
        # A day of slack: a feed in a time zone ahead of ours may date today's news tomorrow.
        if self.date > timezone.localdate() + timedelta(days=1):
            raise IngestError(
                f"The publication date {self.date.isoformat()} is in the future.", stage="normalise", field="published"
            )
