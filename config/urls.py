"""Top-level URLs: the admin at the root of ``/admin/``, a health check for monitors, the sample feed."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from intel.views import health, sample_feed

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
    # The quick start's sample feed (monitoring without the internet); not an API.
    path("sample/feed.xml", sample_feed, name="sample-feed"),
]
