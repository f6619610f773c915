"""The records analysts keep: markets, companies, people and their roles, products, sources,
tags and relationships; with two questions (a company's timeline, a market's overview) and
merging companies."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from intel.api import filters
from intel.api import serializers as s
from intel.api.permissions import IsStaff, RolePermissions
from intel.merge import merge_companies
from intel.models import Company, Market, Person, Product, Relationship, Role, Source, Tag
from intel.questions import PRESENCE_GROUPS, company_timeline, market_overview

from .base import ModelViewSet, plain_viewset


class MarketViewSet(ModelViewSet):
    queryset = Market.objects.prefetch_related("aliases").order_by("id")
    serializer_class = s.MarketSerializer
    filterset_class = filters.MarketFilter

    @extend_schema(responses=inline_serializer("MarketOverview", {
        "market": s.MarketSerializer(),
        "present": s.NamedRefSerializer(many=True),
        "entering": s.NamedRefSerializer(many=True),
        "leaving": s.NamedRefSerializer(many=True),
        "rumoured": s.NamedRefSerializer(many=True),
        "recent_events": s.EventSerializer(many=True),
    }))  # fmt: skip
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def overview(self, request: Request, pk: str | None = None) -> Response:
        """Who is present in the market, who is entering or leaving, whose entry or exit is only
        rumoured, and its recent events."""
        market = self.get_object()
        overview = market_overview(market)
        return Response(
            {
                "market": s.MarketSerializer(market, context={"request": request}).data,
                **{name: overview.names(name) for name in PRESENCE_GROUPS},
                "recent_events": s.EventSerializer(overview.events[:20], many=True, context={"request": request}).data,
            }
        )


class CompanyViewSet(ModelViewSet):
    queryset = Company.objects.prefetch_related("aliases", "tags").order_by("id")
    serializer_class = s.CompanySerializer
    filterset_class = filters.CompanyFilter
    ordering_fields = ["id", "name"]

    @extend_schema(responses=s.EventDetailSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        """The company's events in time order (undated last), with status, markets and evidence."""
        rows = company_timeline(self.get_object())
        return Response(s.EventDetailSerializer(rows, many=True, context={"request": request}).data)

    @extend_schema(request=s.MergeRequestSerializer, responses=s.MergeResponseSerializer)
    @action(detail=True, methods=["post"], permission_classes=[IsStaff, RolePermissions])
    def merge(self, request: Request, pk: str | None = None) -> Response:
        """Fold the company ``drop`` into this one (staff only): its names, mentions, events and links move here."""
        keep = self.get_object()
        body = s.MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drop = body.validated_data["drop"]
        try:
            result = merge_companies(keep=keep, drop=drop, by=request.user)
        except DjangoValidationError as error:
            raise ValidationError({"drop": error.messages}) from error
        return Response(
            {
                "kept": result.kept.pk,
                "dropped": drop.pk,
                "moved": {
                    "aliases": result.moved_aliases,
                    "mentions": result.moved_mentions,
                    "participations": result.moved_participations,
                    "relationships": result.moved_relationships,
                },
            }
        )


class PersonViewSet(ModelViewSet):
    queryset = Person.objects.prefetch_related(
        "aliases", Prefetch("roles", queryset=Role.objects.select_related("company"))
    ).order_by("id")
    serializer_class = s.PersonSerializer
    filterset_class = filters.PersonFilter


RoleViewSet = plain_viewset(Role, s.RoleSerializer, filters.RoleFilter)


class ProductViewSet(ModelViewSet):
    queryset = Product.objects.select_related("maker").prefetch_related("aliases").order_by("id")
    serializer_class = s.ProductSerializer
    filterset_class = filters.ProductFilter


SourceViewSet = plain_viewset(Source, s.SourceSerializer, filters.SourceFilter)
TagViewSet = plain_viewset(Tag, s.TagSerializer, filters.TagFilter)


class RelationshipViewSet(ModelViewSet):
    queryset = Relationship.objects.select_related("subject", "object").order_by("id")
    serializer_class = s.RelationshipSerializer
    filterset_class = filters.RelationshipFilter
