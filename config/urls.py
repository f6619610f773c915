"""Top-level URLs: the admin under ``/admin/``, the REST API under ``/api/v1/``, a health check, the sample feed."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from intel.views import health, sample_feed

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    path("api/v1/", include("intel.api.urls", namespace="api")),
    # The quick start's sample feed (monitoring without the internet); not an API.
    path("sample/feed.xml", sample_feed, name="sample-feed"),
]
