"""``/api/v1/``: one router line per resource, then the action and documentation views."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("companies", views.CompanyViewSet)
router.register("markets", views.MarketViewSet)
router.register("people", views.PersonViewSet)
router.register("roles", views.RoleViewSet)
router.register("products", views.ProductViewSet)
router.register("sources", views.SourceViewSet)
router.register("articles", views.ArticleViewSet)
router.register("mentions", views.MentionViewSet)
router.register("events", views.EventViewSet)
router.register("quotes", views.QuoteViewSet)
router.register("tags", views.TagViewSet)
router.register("relationships", views.RelationshipViewSet)
router.register("tag-rules", views.TagRuleViewSet)
router.register("event-rules", views.EventRuleViewSet)
router.register("jobs", views.IngestJobViewSet)
router.register("watchlists", views.WatchlistViewSet)
router.register("feeds", views.FeedViewSet)
router.register("alerts", views.AlertViewSet)

app_name = "api"
urlpatterns = [
    path("", include(router.urls)),
    path("ingest/", views.IngestView.as_view(), name="ingest"),
    path("review/", views.ReviewView.as_view(), name="review"),
    path("changes/", views.ChangesView.as_view(), name="changes"),
    path("export/stix/", views.StixExportView.as_view(), name="stix"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # A copy of the Redoc page without its Google Fonts links: the docs work offline.
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html"), name="redoc"),
]
