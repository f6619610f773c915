"""Confirming or rejecting proposed records through the API."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from intel.api import serializers as s
from intel.api.permissions import HasPermissions
from intel.review import REVIEWABLE_MODELS, confirm_records, reject_records

# What each kind's proposal fingerprint reads (a rejection is remembered by it).
REVIEW_PREFETCH = {"event": ["markets", "participants"], "mention": ["article"]}


class ReviewView(APIView):
    """Confirm or reject proposed records, one or many at once; a rejection is not proposed again."""

    permission_classes = [HasPermissions]

    @extend_schema(request=s.ReviewRequestSerializer, responses=s.ReviewResponseSerializer)
    def post(self, request: Request) -> Response:
        body = s.ReviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        label, ids, verdict = (body.validated_data[k] for k in ("model", "ids", "verdict"))
        model = REVIEWABLE_MODELS[label]
        perm = f"intel.change_{model._meta.model_name}"
        if not request.user.has_perm(perm):
            return Response(
                {"message": f"Reviewing {model._meta.verbose_name_plural} needs the {perm} permission.",
                 "code": "permission_denied"},
                status=status.HTTP_403_FORBIDDEN,
            )  # fmt: skip
        records = list(model._default_manager.filter(pk__in=ids).prefetch_related(*REVIEW_PREFETCH.get(label, [])))
        missing = sorted(set(ids) - {r.pk for r in records})
        if missing:
            raise ValidationError({"ids": [f"No {model._meta.verbose_name} with id {', '.join(map(str, missing))}."]})
        with transaction.atomic():
            act = confirm_records if verdict == "confirm" else reject_records
            updated = act(records, by=request.user)
        return Response({"model": label, "verdict": verdict, "updated": updated})
