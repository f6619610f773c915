"""The seed article and a helper to ingest it, shared by the ingestion tests."""

from __future__ import annotations

from pathlib import Path

from intel.ingest.pipeline import ingest_article
from intel.ingest.result import IngestResult

SEED_PATH = Path(__file__).resolve().parent.parent / "sample_data" / "xiaomi-us-market.txt"
SEED_TEXT = SEED_PATH.read_text(encoding="utf-8")


def ingest_seed(**overrides) -> IngestResult:
    kwargs = {"text": SEED_TEXT, "title": "Xiaomi to enter US market next year", "published": "2018-07"}
    kwargs.update(overrides)
    return ingest_article(**kwargs)
