"""The one error ingestion raises: what went wrong, in words a person understands, and where."""

from __future__ import annotations

from collections.abc import Container

# Each input ``IngestError.field`` names → the fields of an entry point's form that can
# carry it, in order of preference. An error is shown on the first one the form has:
# the API takes HTML in its own ``html`` field; the admin's form has none (HTML comes
# as an uploaded file), so it shows HTML errors on ``file``. The URL to fetch is
# ``fetch_url`` in both (``url`` there is the article's address, which is not fetched).
INGEST_FIELD_FOR: dict[str, tuple[str, ...]] = {
    "text": ("text",),
    "html": ("html", "file"),
    "file": ("file",),
    "url": ("fetch_url",),
    "published": ("published",),
}


class IngestError(Exception):
    """Raised for bad input or a failing stage; nothing of the article is stored.

    ``stage`` names the pipeline stage ("normalise", "events", …) so that the CLI,
    the admin and the API can say where it failed; ``field`` names the input at
    fault ("text", "url", "published", "file"), where there is one.
    """

    def __init__(self, message: str, *, stage: str = "input", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.stage = stage
        self.field = field

    def __str__(self) -> str:
        return self.message

    def describe(self) -> str:
        return f"Ingestion failed at the {self.stage} stage: {self.message}"

    def form_field(self, fields: Container[str]) -> str | None:
        """The field of an entry point's form (one of ``fields``) to show this error on;
        None when it concerns no one field the form has (``INGEST_FIELD_FOR``)."""
        return next((name for name in INGEST_FIELD_FOR.get(self.field or "", ()) if name in fields), None)
