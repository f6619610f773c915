"""``manage.py backup_database --to PATH``: a consistent backup of the live database (intel.backup)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from intel.backup import backup_database, default_database, describe_database
from intel.management.backup_command import BackupCommand


class Command(BackupCommand):
    help = (
        "Back up the database while web, worker and beat keep running: SQLite with its online backup API "
        "(WAL included), PostgreSQL with pg_dump --format=custom. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            required=True,
            type=Path,
            metavar="PATH",
            help="The file to write, or an existing folder to write a dated file in.",
        )
        parser.add_argument("--force", action="store_true", help="Replace the file if it exists.")

    def handle(self, *args: Any, to: Path, force: bool, **options: Any) -> None:
        started = time.monotonic()
        with self.refusals():
            written = backup_database(to=to, force=force)
        size = written.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {describe_database(default_database())} to {written} "
                f"({size:,} bytes, {time.monotonic() - started:.1f} s)."
            )
        )
