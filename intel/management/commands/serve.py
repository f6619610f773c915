"""Run the web server, a Celery worker and beat together (the quick start's last step)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from intel.processes import quickstart_processes, run_processes


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat; Ctrl-C stops all three."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--grace", type=float, default=5.0, help="Seconds to wait before killing.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"rivalscope: http://{options['host']}:{options['port']}/admin/ — Ctrl-C stops everything."
            )
        )
        specs = quickstart_processes(host=options["host"], port=options["port"])
        code = run_processes(specs, grace=options["grace"], cwd=str(settings.BASE_DIR))
        raise SystemExit(code)
