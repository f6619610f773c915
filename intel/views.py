"""Plain Django views that are not part of the admin or the API."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from intel.health import check_health


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
