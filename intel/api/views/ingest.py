"""Ingesting an article through the API, at once or queued, and the queued jobs to poll."""

from __future__ import annotations

from pathlib import PurePath

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from intel.api import filters
from intel.api import serializers as s
from intel.api.parsers import BoundedJSONParser
from intel.api.permissions import HasPermissions
from intel.busy import is_busy
from intel.ingest.errors import IngestError
from intel.ingest.normalise import TEXT_TYPES, check_url
from intel.ingest.pipeline import ingest_article
from intel.jobs import queue_ingest
from intel.models import IngestJob

from .base import ReadOnlyViewSet


class IngestJobViewSet(ReadOnlyViewSet):
    """Queued ingests: poll one until its status is ``done`` or ``failed``."""

    queryset = IngestJob.objects.order_by("-id")
    serializer_class = s.IngestJobSerializer
    filterset_class = filters.IngestJobFilter


class IngestView(APIView):
    """Ingest an article: 201 with what was made (200 if already stored), or 202 with a job when queued."""

    permission_classes = [HasPermissions]
    required_permissions = ("intel.add_article",)
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={"application/json": s.IngestRequestSerializer, "multipart/form-data": s.IngestRequestSerializer},
        responses={
            201: OpenApiResponse(OpenApiTypes.OBJECT, description="Stored: what was made from the article."),
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="Already stored: nothing new was made."),
            202: s.IngestJobSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        body = s.IngestRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        upload = data.get("file")
        raw = None
        if upload is not None:
            # Checked before queueing too, with ingestion's own list of file types.
            if PurePath(upload.name).suffix.lower() not in TEXT_TYPES:
                raise ValidationError({"file": ["Unsupported file type: upload .txt, .html or .md."]})
            raw = upload.read()
        params = {
            "text": data.get("text") or None,
            "html": data.get("html") or None,
            "fetch_url": data.get("fetch_url", ""),
            "filename": upload.name if upload is not None else "",
            "url": data.get("url", ""),
            "title": data.get("title", ""),
            "published": data.get("published") or None,
            "source": data.get("source", ""),
        }
        if params["fetch_url"]:
            try:
                # The scheme and form are checked now; the address after DNS, by the worker's fetch.
                params["fetch_url"] = check_url(params["fetch_url"], "fetch_url")
            except IngestError as error:
                raise ValidationError({"fetch_url": [error.message]}) from error
        if data.get("queue") or params["fetch_url"]:
            # Fetching waits on the network: a worker does it, and the program polls the job.
            job = queue_ingest(params=params, raw=raw, by=request.user)
            return Response(
                {**s.IngestJobSerializer(job).data, "poll": reverse("api:ingestjob-detail", [job.pk], request=request)},
                status=status.HTTP_202_ACCEPTED,
            )
        try:
            result = ingest_article(**params, raw=raw, by=request.user)
        except IngestError as error:
            if is_busy(error):
                raise  # the database was busy, the input fine: BusyDatabaseMiddleware answers 503
            field = error.form_field(body.fields) or "non_field_errors"
            raise ValidationError({field: [error.describe()]}) from error
        return Response(result.as_json(), status=status.HTTP_201_CREATED if result.new else status.HTTP_200_OK)
