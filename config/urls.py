"""Top-level URLs: the admin at the root of ``/admin/``, a health check for monitors."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from intel.views import health

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("health/", health, name="health"),
]
