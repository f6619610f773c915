"""LZ4 instead of pglz for an article's body and search vector (a no-op on SQLite).

An article row (2 KB of text, its search vector and MinHash signature) is past
PostgreSQL's 2 KB TOAST threshold, so every insert compresses it. pglz, the
default, was among the backend's visible costs of an ingest (``perf``);
``bench/ingest.py`` measured 0.07 ms less PostgreSQL CPU per article with LZ4.
Only new values are compressed the new way; stored ones stay as they are. A
server built without LZ4 keeps pglz.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

COLUMNS = ("body", "search_vector")


def _set_compression(method: str) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
            )
            if cursor.fetchone() is None:
                return  # built without LZ4
        for column in COLUMNS:
            schema_editor.execute(f"ALTER TABLE intel_article ALTER COLUMN {column} SET COMPRESSION {method}")

    return run


class Migration(migrations.Migration):
    dependencies = [("intel", "0008_lean_indexes")]

    operations = [migrations.RunPython(_set_compression("lz4"), _set_compression("pglz"), elidable=False)]
