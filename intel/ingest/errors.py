"""The one error ingestion raises: what went wrong, in words a person understands, and where."""

from __future__ import annotations


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
