"""The changes feed: every create, update and delete, in order (``intel.changes``)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from intel import changes as changes_feed
from intel.api.permissions import HasPermissions

from .base import int_param, refuse_unknown_params


class ChangesView(APIView):
    """Every create, update and delete, in order. Pass back ``cursor`` as ``since`` to read on."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.view_company", "intel.view_event", "intel.view_article")

    @extend_schema(
        parameters=[
            OpenApiParameter("since", str, description="A cursor from an earlier page, or `now` to start from here."),
            OpenApiParameter("limit", int, description="Changes per page (1–1000, default 200)."),
        ],
        responses=inline_serializer("ChangesPage", {
            "results": inline_serializer("Change", {
                "model": serializers.CharField(), "id": serializers.JSONField(), "action": serializers.CharField(),
                "at": serializers.DateTimeField(), "by": serializers.IntegerField(allow_null=True),
                "history_id": serializers.IntegerField(), "data": serializers.DictField(),
            }, many=True),
            "cursor": serializers.CharField(), "more": serializers.BooleanField(), "next": serializers.CharField(),
        }),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        refuse_unknown_params(request, {"since", "limit", "format"})
        since = request.query_params.get("since", "")
        limit = int_param(request, "limit", default=200, low=1, high=1000)
        if since == "now":
            page, cursor, more = [], changes_feed.head_cursor(), False
        else:
            try:
                page, cursor, more = changes_feed.changes_after(since, limit=limit)
            except changes_feed.BadCursor as error:
                raise ValidationError({"since": [str(error)]}) from error
        next_url = reverse("api:changes", request=request) + f"?since={cursor}&limit={limit}"
        return Response({"results": [vars(c) for c in page], "cursor": cursor, "more": more, "next": next_url})
