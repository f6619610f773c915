"""Create or update the reference markets (countries and regions); never deletes anything."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from intel.models import Market, MarketAlias
from intel.reference_data import load_reference_markets


class Command(BaseCommand):
    help = "Load the world's countries and main regions as markets (the migration already does this once)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            counts = load_reference_markets(Market, MarketAlias)
        self.stdout.write(
            self.style.SUCCESS(f"{counts['countries']} countries and {counts['regions']} regions loaded.")
        )
