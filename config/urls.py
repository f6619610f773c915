"""Top-level URLs: the admin under ``/admin/``, the REST API under ``/api/v1/``, health checks, the sample feed."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from intel.views import health, health_ready, metrics, sample_feed

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    # Liveness and readiness probes; exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT).
    path("health/", health, name="health"),
    path("health/ready/", health_ready, name="health-ready"),
    # Prometheus, with a bearer token (RIVALSCOPE_METRICS_TOKEN). Not exempt from the
    # HTTPS redirect like the health checks: a token must not cross a network in clear
    # text. Scrape through the HTTPS proxy; plain HTTP to gunicorn works only where
    # DJANGO_SECURE_SSL_REDIRECT is off (docs/deploy.md, "Observability").
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include("intel.api.urls", namespace="api")),
    # The quick start's sample feed (monitoring without the internet); not an API.
    path("sample/feed.xml", sample_feed, name="sample-feed"),
]
