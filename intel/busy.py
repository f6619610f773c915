"""A database too busy to answer in time is a 503 with Retry-After, never a 500.

SQLite (the quick start) waits ``timeout`` seconds for another writer and then gives
up with "database is locked"; PostgreSQL gives up on a lock after ``lock_timeout``.
Neither is the request's fault, and trying again shortly usually works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is busy with other work; please try again in a few seconds."
_BUSY_SIGNS = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it was raised from) says the database was busy."""
    while exc is not None:
        if isinstance(exc, OperationalError) and any(sign in str(exc).lower() for sign in _BUSY_SIGNS):
            return True
        exc = exc.__cause__  # type: ignore[assignment]
    return False


def busy_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"message": MESSAGE, "code": "database_busy"}, status=503)
    else:
        response = HttpResponse(MESSAGE, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyDatabaseMiddleware:
    """Answers a busy database's error with 503 and Retry-After, on every page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_busy(exception):
            return None
        logger.warning("database busy during %s %s: %s", request.method, request.path, exception)
        return busy_response(request)
