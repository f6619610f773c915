"""``manage.py restore_database --from PATH [--yes]``: put a backup back (intel.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from intel.backup import check_restorable, default_database, describe_database, restore_database
from intel.management.backup_command import BackupCommand


class Command(BackupCommand):
    help = (
        "Replace the database's contents with a backup made by backup_database. Stop web, worker and beat "
        "first; run migrate after. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, type=Path, metavar="PATH", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation (scripts).")

    def handle(self, *args: Any, source: Path, yes: bool, **options: Any) -> None:
        target = describe_database(default_database())
        # Before asking: a file of the wrong kind is refused without a question.
        with self.refusals():
            check_restorable(source=source)
        if not yes and not self._confirmed(f"Replace everything in the {target} with {source}?"):
            raise CommandError("Nothing was changed.")
        with self.refusals():
            restore_database(source=source)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the {target} from {source}. Next: manage.py migrate, then start web, worker and beat."
            )
        )

    def _confirmed(self, question: str) -> bool:
        try:
            answer = input(f"{question} Make sure web, worker and beat are stopped. Type 'yes' to go on: ")
        except EOFError:  # no terminal (a script without --yes): the answer is no
            self.stdout.write("")
            return False
        return answer.strip().lower() == "yes"
