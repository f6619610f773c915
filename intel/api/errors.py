"""Every API error is JSON with a message a person can read, whatever went wrong.

``exception_handler`` shapes DRF's own errors; ``ApiErrorMiddleware`` covers what
happens outside DRF: a body over the size limit (refused before it is read), an
unknown URL, and an unexpected exception (logged, answered with a 500 that gives
nothing away).

Shape: ``{"message": "...", "code": "...", "errors": {...}}``; ``errors`` only for
invalid input, per field.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # unexpected: the middleware logs it and answers 500
    response.data = error_body(exc, response.data)
    request = context.get("request")
    if request is not None:
        # Errors are JSON even when the client asked for CSV or STIX.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = "application/json"
    return response


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "too_large"


def error_body(exc: Exception, data: Any) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        return {"message": "Invalid input: " + _summarise(errors), "code": "invalid", "errors": errors}
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException) and isinstance(exc.detail, exceptions.ErrorDetail):
        code = exc.detail.code or code
    message = str(data["detail"]) if isinstance(data, dict) and "detail" in data else str(data)
    return {"message": message, "code": code}


def _summarise(errors: Any, prefix: str = "") -> str:
    """One line naming each field and its first problem: "title: Ensure this field…; url: …"."""
    parts: list[str] = []
    if isinstance(errors, dict):
        for name, value in errors.items():
            label = "" if name == "non_field_errors" else f"{prefix}{name}"
            parts.append(_summarise(value, f"{label}." if label else ""))
    elif isinstance(errors, list) and errors:
        if all(isinstance(e, str) for e in errors):
            field = prefix.rstrip(".")
            return f"{field}: {errors[0]}" if field else str(errors[0])
        for index, value in enumerate(errors):
            if value:
                parts.append(_summarise(value, f"{prefix}{index}."))
    else:
        field = prefix.rstrip(".")
        return f"{field}: {errors}" if field else str(errors)
    return "; ".join(p for p in parts if p)


def _json_error(status: int, message: str, code: str) -> JsonResponse:
    return JsonResponse({"message": message, "code": code}, status=status)


class ApiErrorMiddleware:
    """JSON errors for ``/api/`` paths, for what happens before or outside DRF."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _json_error(400, "The Content-Length header is not a number.", "bad_request")
        if limit is not None and length > limit:
            # Refused before reading: DRF's JSON parser reads the stream without
            # Django's DATA_UPLOAD_MAX_MEMORY_SIZE check.
            return _json_error(
                413, f"The request body is too large: {length:,} bytes, the limit is {limit:,}.", "too_large"
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith("application/json"):
            return _json_error(
                response.status_code, _default_message(response.status_code), _code(response.status_code)
            )
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX):
            return None
        if isinstance(exception, Http404):
            return _json_error(404, "Not found.", "not_found")
        if isinstance(exception, PermissionDenied):
            return _json_error(403, "You do not have permission to do this.", "permission_denied")
        if isinstance(exception, RequestDataTooBig):
            return _json_error(413, "The request body is too large.", "too_large")
        if isinstance(exception, SuspiciousOperation):
            return _json_error(400, f"Bad request: {exception}", "bad_request")
        logger.exception("Unhandled error in %s %s", request.method, request.path)
        return _json_error(500, "Internal server error. It has been logged; please try again later.", "server_error")


def _code(status: int) -> str:
    codes = {
        400: "bad_request",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        413: "too_large",
    }
    return codes.get(status, "server_error" if status >= 500 else "error")


def _default_message(status: int) -> str:
    return {
        400: "Bad request.",
        403: "You do not have permission to do this.",
        404: "Not found.",
        405: "Method not allowed.",
        413: "The request body is too large.",
    }.get(status, "Internal server error. It has been logged; please try again later." if status >= 500 else "Error.")
