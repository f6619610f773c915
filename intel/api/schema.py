"""OpenAPI additions: the error responses every operation can give, in the one shape they all share."""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a message for people, a code for programs, and per-field errors for invalid input.",
    "properties": {
        "message": {"type": "string"},
        "code": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True},
    },
    "required": ["message", "code"],
}

ERRORS = {
    "400": "Invalid input, an unknown query parameter, or a malformed body.",
    "401": "No credentials, or an unknown or revoked token.",
    "403": "Your role does not allow this.",
    "404": "Not found.",
    "405": "Method not allowed.",
    "413": "The request body is too large.",
    "429": "Too many requests: wait for the number of seconds in Retry-After.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(code, {"description": description, "content": content})
    return result
