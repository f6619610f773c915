"""``manage.py create_api_token USER NAME``: a token for a program, printed once."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction

from intel.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for USER, named after the program that will use it; prints the key once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("name", help='The program, e.g. "pricing dashboard".')
        parser.add_argument("--quiet-key", action="store_true", help="Print only the key (for scripts).")

    def handle(self, *args: Any, username: str, name: str, quiet_key: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not name.strip() or len(name) > 100:
            raise CommandError("Give the token a name of 1 to 100 characters.")
        try:
            with transaction.atomic():
                _, key = ApiToken.issue(user=user, name=name.strip())
        except IntegrityError:
            raise CommandError(f"{username} already has a live token named {name!r}; revoke it first.") from None
        if quiet_key:
            self.stdout.write(key)
        else:
            self.stdout.write(f"Token “{name}” for {username}: {key}\nIt is shown only now; keep it secret.")
