"""Plain Django views that are not part of the admin or the API."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import condition, require_GET, require_safe

from intel.health import check_readiness
from intel.metrics import render_metrics, scrape_refusal

SAMPLE_FEED = Path(settings.BASE_DIR) / "sample_data" / "sample-feed.xml"


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 whenever this process answers. No database query, no broker.

    An orchestrator restarts a process whose liveness fails; a database or broker
    outage is not cured by a restart, so only readiness looks at them.
    """
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def health_ready(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when the database, migrations, a worker and the broker are fine, else 503.

    The body names every check and its result (intel/health.py), so a 503 says what failed.
    """
    readiness = check_readiness()
    return JsonResponse(readiness.as_json(), status=200 if readiness.ok else 503)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics (intel/metrics.py), for a scraper that sends ``Authorization: Bearer <token>``.

    404 while ``RIVALSCOPE_METRICS_TOKEN`` is empty: the endpoint is off. 401 without
    a token, 403 with a wrong one. The figures are counted in the database at each
    scrape, so every web process answers the same.
    """
    token = settings.RIVALSCOPE_METRICS_TOKEN
    if not token:
        raise Http404("Metrics are off: RIVALSCOPE_METRICS_TOKEN is not set.")
    refusal = scrape_refusal(request.headers.get("Authorization", ""), token=token)
    if refusal is not None:
        response = HttpResponse(refusal.message, status=refusal.status, content_type="text/plain; charset=utf-8")
        if refusal.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="rivalscope metrics"'
        return response
    body, content_type = render_metrics(accept=request.headers.get("Accept", ""))
    return HttpResponse(body, content_type=content_type)


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
    if not settings.RIVALSCOPE_SERVE_SAMPLE_FEED:
        raise Http404("No sample feed here.")  # a demonstration, not served in production
    return HttpResponse(_sample_feed()[0], content_type="application/rss+xml; charset=utf-8")
