"""CSV for every list (``?format=csv`` or ``Accept: text/csv``), safe to open in a spreadsheet.

djangorestframework-csv flattens nested values (``participants.0.company``); this
renderer keeps the serializer's column order instead of sorting the columns, takes
the rows out of the paginated envelope, and defuses formula injection: a cell
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (text from
articles and feeds is hostile) is prefixed with ``'`` so that Excel or LibreOffice
shows it as text instead of running it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from rest_framework_csv.renderers import CSVRenderer

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeCSVRenderer(CSVRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data and isinstance(data["results"], list):
            data = data["results"]
        if not isinstance(data, list):
            data = [data]
        rows = [self.flatten_item(item) for item in data]
        header: dict[str, None] = {}
        for row in rows:
            for key in row:
                header.setdefault(key, None)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(list(header))
        for row in rows:
            writer.writerow([defuse(row.get(key)) for key in header])
        return buffer.getvalue().encode(self.charset)
