"""``manage.py import_entities FILE.csv``: load a watch list of companies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from intel.entity_import import ImportError_, import_companies


class Command(BaseCommand):
    help = "Create or update companies from CSV (columns: name, aliases separated by ';', country, website)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")
        parser.add_argument("--not-watched", action="store_true", help="Do not mark the companies as watched.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv_file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=2)
        try:
            result = import_companies(path.read_bytes(), watched=not options["not_watched"])
        except ImportError_ as exc:
            raise CommandError("The file was not imported: " + " ".join(exc.errors), returncode=2) from exc
        self.stdout.write(self.style.SUCCESS(result.summary()))
