"""Prepare a fresh database for the quick start: sample article and admin account."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from intel.quickstart import ensure_admin_account, ensure_sample_monitoring, store_sample_article


class Command(BaseCommand):
    help = (
        "Store the sample article, make sure an admin account exists, and set up the sample feed "
        "and a watchlist on Xiaomi (safe to run again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT", 8000)), help="The web port serving the sample feed."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        article, created = store_sample_article()
        self.stdout.write(f"Sample article {'stored' if created else 'already stored'}: #{article.pk} {article.title}")
        account = ensure_admin_account(
            username=os.environ.get("RIVALSCOPE_ADMIN_USER", "admin"),
            password=os.environ.get("RIVALSCOPE_ADMIN_PASSWORD") or None,
            password_file=Path(settings.VAR_DIR) / "admin-password.txt",
        )
        verb = "created" if account.created else "exists"
        if account.password:
            self.stdout.write(
                self.style.SUCCESS(f"Admin account {verb}: user {account.username!r}, password {account.password!r}")
            )
        else:
            self.stdout.write(f"Admin account {verb}: user {account.username!r} (password unchanged)")
        feed, watchlist = ensure_sample_monitoring(port=options["port"], owner_username=account.username)
        self.stdout.write(f"Monitoring: {feed.name} at {feed.url}")
        if watchlist is not None:
            self.stdout.write(
                f"Watchlist {watchlist.name!r}: its alerts appear within a minute or two at /admin/intel/alert/"
            )
