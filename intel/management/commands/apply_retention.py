"""``manage.py apply_retention [--dry-run]``: delete what the retention settings say has expired (intel.retention)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from intel.retention import count_expired, purge_expired


class Command(BaseCommand):
    help = (
        "Delete old finished feed entries, old sent alert deliveries and old history rows, as the "
        "RIVALSCOPE_RETAIN_* settings say (beat does this daily). See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would be deleted; delete nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        counts = count_expired() if dry_run else purge_expired()
        if not counts:
            self.stdout.write("Retention is off: every RIVALSCOPE_RETAIN_* setting is 0. Nothing to delete.")
            return
        verb = "would be deleted" if dry_run else "deleted"
        width = max(len(name) for name in counts)
        for name, count in counts.items():
            self.stdout.write(f"{name:<{width}}  {count:>9,} {verb}")
        self.stdout.write(self.style.SUCCESS(f"{sum(counts.values()):,} rows {verb} in all."))
