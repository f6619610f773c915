"""What ``manage.py backup_database`` and ``restore_database`` share (intel.backup does the work)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import BaseCommand, CommandError

from intel.backup import BackupError


class BackupCommand(BaseCommand):
    """A command that backs up or restores the database.

    It runs without Django's system checks: a backup must not depend on the rest of
    the installation being in order (the NLP model, say), for it is what an operator
    reaches for when things are not, and a restore is how they are put back in order.
    """

    requires_system_checks: list[str] = []

    @contextmanager
    def refusals(self) -> Iterator[None]:
        """A ``BackupError`` raised inside is the operator's message: said as a command error, not a traceback."""
        try:
            yield
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
