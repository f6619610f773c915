"""Cursor pagination for every list: stable under inserts, and never an exact ``COUNT(*)``.

A count costs a scan of the matching rows on every page (growing with the table,
docs/benchmarks.md), and a cursor needs none: a page is one indexed range query.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request


class CursorPage(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-id"

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request: Request) -> Cursor | None:
        """DRF's cursor, its position checked against the ordering field's type: a
        tampered cursor ("p=abc" where ids are numbers) is "Invalid cursor", not a 500."""
        cursor = super().decode_cursor(request)
        if cursor is None or cursor.position is None:
            return cursor
        name = self.ordering[0].lstrip("-") if isinstance(self.ordering, (list, tuple)) else self.ordering.lstrip("-")
        try:
            self._model._meta.get_field(name).to_python(cursor.position)
        except (FieldDoesNotExist, ValidationError, ValueError, TypeError) as exc:
            raise NotFound(self.invalid_cursor_message) from exc
        return cursor
