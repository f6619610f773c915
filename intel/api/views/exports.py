"""Exports: a STIX 2.1 bundle for threat-intelligence platforms (``intel.exports.stix``)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from intel.api.permissions import HasPermissions
from intel.exports.stix import MAX_EVENTS, export_bundle
from intel.models import Company

from .base import int_param, refuse_unknown_params


class StixExportView(APIView):
    """A STIX 2.1 bundle of companies, markets, events and relationships (for OpenCTI, MISP)."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.view_company", "intel.view_event", "intel.view_relationship")

    @extend_schema(
        parameters=[
            OpenApiParameter("company", int, many=True, description="Only these companies (repeat the parameter)."),
            OpenApiParameter("limit", int, description=f"At most this many events, newest first (≤ {MAX_EVENTS})."),
        ],
        responses={(200, "application/stix+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        refuse_unknown_params(request, {"company", "limit", "format"})
        limit = int_param(request, "limit", default=MAX_EVENTS, low=1, high=MAX_EVENTS)
        companies = None
        if "company" in request.query_params:
            try:
                ids = [int(v) for v in request.query_params.getlist("company")]
            except ValueError:
                raise ValidationError({"company": ["Company ids are whole numbers."]}) from None
            if not all(0 < pk < 2**63 for pk in ids):
                raise ValidationError({"company": ["Company ids are positive 64-bit numbers."]})
            companies = list(Company.objects.filter(pk__in=ids))
            missing = sorted(set(ids) - {c.pk for c in companies})
            if missing:
                raise ValidationError({"company": [f"No company with id {', '.join(map(str, missing))}."]})
        bundle = export_bundle(companies=companies, limit=limit)
        response = HttpResponse(bundle.serialize(pretty=False), content_type="application/stix+json;version=2.1")
        response["Content-Disposition"] = 'attachment; filename="rivalscope-stix.json"'
        return response
