"""Plain Django views that are not part of the admin or the API."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import condition, require_GET

from intel.health import check_health

SAMPLE_FEED = Path(settings.BASE_DIR) / "sample_data" / "sample-feed.xml"


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers; says whether a Celery worker ran the heartbeat lately."""
    state = check_health()
    return JsonResponse(
        {
            "database": "ok" if state.database else "down",
            "worker": "ok" if state.worker_alive else "no recent heartbeat",
            "worker_last_seen": state.worker_last_seen.isoformat() if state.worker_last_seen else None,
        },
        status=200 if state.database else 503,
    )


@cache
def _sample_feed() -> tuple[bytes, str]:
    content = SAMPLE_FEED.read_bytes()
    return content, hashlib.sha256(content).hexdigest()[:16]


@require_GET
@condition(etag_func=lambda request: _sample_feed()[1])
def sample_feed(request: HttpRequest) -> HttpResponse:
    """The quick start's sample RSS feed, so monitoring works without the internet.

    It answers conditional requests with 304 like a well-behaved publisher.
    """
    return HttpResponse(_sample_feed()[0], content_type="application/rss+xml; charset=utf-8")
