"""``manage.py ingest PATH_OR_URL``: ingest one article from a file or a URL."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from intel.ingest.errors import IngestError
from intel.ingest.normalise import check_size
from intel.ingest.pipeline import ingest_article


class Command(BaseCommand):
    help = (
        "Ingest a news article from a .txt, .md or .html file, '-' for standard input, or an http(s) URL. "
        "Exits with code 2 and a message when the input is refused; nothing is stored then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path_or_url")
        parser.add_argument("--title", default="")
        parser.add_argument("--url", default="", help="The article's address, when ingesting a file.")
        parser.add_argument("--published", default="", help="YYYY-MM-DD, YYYY-MM or YYYY.")
        parser.add_argument("--source", default="", help="The publisher's name.")
        parser.add_argument("--json", action="store_true", help="Print what was made or found as one JSON object.")
        parser.add_argument("--by", default="", help="The username the history records as the author.")

    def handle(self, *args: Any, **options: Any) -> None:
        target: str = options["path_or_url"]
        kwargs: dict[str, Any] = {
            "title": options["title"],
            "url": options["url"],
            "published": options["published"] or None,
            "source": options["source"],
            "by": self._user(options["by"]),
        }
        try:
            if target.lower().startswith(("http://", "https://")) or "://" in target:
                kwargs["fetch_url"] = target
            elif target == "-":
                kwargs["raw"], kwargs["filename"] = sys.stdin.buffer.read(), "stdin.txt"
            else:
                path = Path(target)
                if not path.is_file():
                    raise CommandError(f"No such file: {target}", returncode=2)
                check_size(path.stat().st_size, "file")
                kwargs["raw"], kwargs["filename"] = path.read_bytes(), path.name
            result = ingest_article(**kwargs)
        except IngestError as exc:
            raise CommandError(exc.describe(), returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), indent=2, ensure_ascii=False, default=str))
        else:
            self.stdout.write(result.summary())

    def _user(self, username: str) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No such user: {username}", returncode=2)
        return user
