"""A form body or query string that is not UTF-8 is refused with a 400, not stored mangled.

Django decodes form fields and query parameters leniently: bytes that are not UTF-8
become U+FFFD replacement characters, and the record is saved with them, its text
lost for good without a word to the sender. Here such a request is answered with a
clear 400 before any view runs, so nothing is written. JSON bodies need no check: the
API's parser refuses invalid UTF-8 itself. Multipart bodies are not checked: their
files are bytes that ingestion decodes with charset detection, and browsers send
their text fields as UTF-8.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse

FORM = "application/x-www-form-urlencoded"


def undecodable_part(request: HttpRequest) -> str | None:
    """ "query string" or "form body" if that part of ``request`` is not UTF-8 once
    percent-decoded; None if all is well."""
    if not _is_utf8(request.META.get("QUERY_STRING", "").encode("latin-1", "replace")):
        return "query string"
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    if request.method in {"POST", "PUT", "PATCH"} and content_type == FORM and not _is_utf8(request.body):
        return "form body"
    return None


def _is_utf8(encoded: bytes) -> bool:
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class UndecodableRequestMiddleware:
    """Answers 400 to a request whose query string or form body is not UTF-8."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        part = undecodable_part(request)
        if part is None:
            return self.get_response(request)
        message = f"The request's {part} is not valid UTF-8 text, so nothing was read or saved. Send it as UTF-8."
        if request.path.startswith("/api/"):
            return JsonResponse({"message": message, "code": "bad_encoding"}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
