"""A larger statistics sample for the full-text columns (a no-op on SQLite).

``intel/search.py`` sizes its newest-rows window from the planner's estimate of a
query's share of rows. For ``tsvector`` columns that estimate comes from the
column's most-common-words list, ten words per unit of statistics target; at the
default (100) words in fewer than about 0.5% of rows are missing from it and get
a fixed guess. At 1,000 the list holds 10,000 words, enough to cover words down
to about 0.1% of rows. ANALYZE then samples 300,000 rows instead of 30,000.
The migration analyses both columns once, so the estimates are there at once.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

TARGET = 1000

FORWARD = [
    f"ALTER TABLE intel_article ALTER COLUMN search_vector SET STATISTICS {TARGET}",
    f"ALTER TABLE intel_event ALTER COLUMN search_vector SET STATISTICS {TARGET}",
    # The new list now, not at autovacuum's next ANALYZE (which may be days away
    # on a large table that changes slowly). Seconds on a million articles.
    "ANALYZE intel_article (search_vector)",
    "ANALYZE intel_event (search_vector)",
]
BACKWARD = [
    "ALTER TABLE intel_article ALTER COLUMN search_vector SET STATISTICS -1",
    "ALTER TABLE intel_event ALTER COLUMN search_vector SET STATISTICS -1",
]


def _run(statements: list[str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("intel", "0006_merge_0005_api_tokens_jobs_0005_monitoring")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
