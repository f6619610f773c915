"""Prepare a fresh database for the quick start: sample article and admin account."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from intel.quickstart import ensure_admin_account, store_sample_article


class Command(BaseCommand):
    help = "Store the sample article and make sure an admin account exists (safe to run again)."

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
