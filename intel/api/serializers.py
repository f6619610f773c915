"""Serializers: how each record looks in JSON and CSV, and what a program may write.

Server-set fields (content hash, review metadata, timestamps, history) are read
only. Writes are checked as the admin checks them: ``ModelValidationMixin`` runs
the model's ``full_clean`` (field validators, ``clean()``, named constraints) and
reports its messages per field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, partial
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from intel.choices import EventType, SourceKind
from intel.models import (
    Alert,
    Article,
    ArticleTag,
    Company,
    CompanyAlias,
    Event,
    EventParticipant,
    EventRule,
    Evidence,
    Feed,
    IngestJob,
    Market,
    Mention,
    Person,
    PersonAlias,
    Product,
    ProductAlias,
    Quote,
    Relationship,
    Role,
    Source,
    Tag,
    TagRule,
    Watchlist,
)
from intel.review import REVIEWABLE_MODELS
from intel.watching import set_watched

REVIEW_FIELDS = ("review_status", "confidence", "method", "method_detail", "reviewed_by", "reviewed_at")


class ModelValidationMixin(serializers.ModelSerializer):
    """Validate writes with the model's own rules, exactly as the admin does.

    Many-to-many and nested values are not part of ``full_clean``; they are
    validated by their own fields.
    """

    def get_validators(self) -> list[Any]:
        # DRF derives unique-together validators from the model's constraints, but
        # they break on conditional constraints in partial updates (a KeyError for
        # the condition's field); ``full_clean`` below checks every constraint.
        return []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        plain = {
            name: value
            for name, value in attrs.items()
            if isinstance(model._meta.get_field(name), models.Field) and not model._meta.get_field(name).many_to_many
        }
        instance = model()
        if self.instance is not None:
            # A copy of the stored row, so that the checks see it as the update it is.
            for f in model._meta.concrete_fields:
                setattr(instance, f.attname, getattr(self.instance, f.attname))
            instance._state.adding, instance._state.db = False, self.instance._state.db
        for name, value in plain.items():
            setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self.unchecked_fields(instance), validate_unique=True)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_drf_detail(error)) from error
        return attrs

    def unchecked_fields(self, instance: models.Model) -> list[str]:
        # Fields the program does not send and the server fills in (slugs are made on save).
        return [f.name for f in instance._meta.fields if f.name == "slug" and not getattr(instance, "slug", "")]


def _drf_detail(error: DjangoValidationError) -> Any:
    if hasattr(error, "error_dict"):
        detail: dict[str, list[str]] = {}
        for name, errors in error.message_dict.items():
            key = "non_field_errors" if name == "__all__" else name
            detail[key] = list(errors)
        return detail
    return list(error.messages)


# --- Small shared shapes -------------------------------------------------------------


class RelatedText(serializers.CharField):
    """A value read through a relation that may be empty ("source.name"): null then, never missing.

    DRF's ``default=None`` would do, except that partial updates (PATCH) drop
    fields with a default from the response, which then breaks the schema.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        for attr in self.source_attrs:
            if instance is None:
                return None
            instance = getattr(instance, attr)
        return instance


class AliasSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=200)
    case_sensitive = serializers.BooleanField(default=False)


class NamedRefSerializer(serializers.Serializer):
    """A related record as id and name, so a reader needs no second request."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class WritesNestedList(ModelValidationMixin):
    """A list of rows written with their record (a company's aliases, an event's participants):
    given, it replaces the record's own list in the record's transaction; left out, the list stays."""

    nested_field: ClassVar[str]

    def create(self, validated_data: dict[str, Any]) -> Any:
        return self._save_with_nested(super().create, validated_data, new=True)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        return self._save_with_nested(partial(super().update, instance), validated_data, new=False)

    def _save_with_nested(
        self, save: Callable[[dict[str, Any]], Any], validated_data: dict[str, Any], *, new: bool
    ) -> Any:
        items = validated_data.pop(self.nested_field, None)
        with transaction.atomic():
            instance = save(validated_data)
            if items is not None:
                self.replace_nested(instance, items, new=new)
        return instance

    def replace_nested(self, instance: Any, items: list[dict[str, Any]], *, new: bool) -> None:
        """Make ``items`` the record's list; ``new``: the record was just created, so it has none yet."""
        raise NotImplementedError


class WithAliasesMixin(WritesNestedList):
    """Aliases written as a list replace the record's aliases; left out, they stay."""

    nested_field = "aliases"
    alias_model: type[models.Model]
    alias_owner: str

    def validate_aliases(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen: set[str] = set()
        for alias in value:
            if "text" not in alias:
                raise serializers.ValidationError("Each alias needs its text.")
            key = alias["text"].strip().casefold()
            if not key:
                raise serializers.ValidationError("An alias cannot be blank.")
            if key in seen:
                raise serializers.ValidationError(f"The alias {alias['text']!r} is given twice.")
            seen.add(key)
        return value

    def replace_nested(self, instance: Any, aliases: list[dict[str, Any]], *, new: bool) -> None:
        manager = self.alias_model._default_manager
        owner = {self.alias_owner: instance}
        if not new:
            manager.filter(**owner).delete()
        manager.bulk_create(
            [
                self.alias_model(**owner, text=a["text"].strip(), case_sensitive=a.get("case_sensitive", False))
                for a in aliases
            ]
        )


# --- Lists of many records -----------------------------------------------------------

# Fields whose value a ``.values()`` row holds in another type than the JSON's.
_CONVERTED = (serializers.DateField, serializers.DateTimeField, serializers.TimeField, serializers.DecimalField,
              serializers.DurationField)  # fmt: skip

_Plan = tuple[tuple[str, str | None, Callable[[Any], Any] | None], ...]


class RowsListSerializer(serializers.ListSerializer):
    """A page of the API's busiest lists (articles, events), formatted from ``.values()``
    rows instead of model instances: ``list_rows()`` gives the view its queryset.

    Why: a model instance per row (and for events a related manager and a queryset per
    relation per row), then each DRF field per row, cost these lists more than the 10% of
    their throughput a fast path must save to stay (``bench/api.py --serializers``; figures
    and method in docs/benchmarks.md, "API list rows (issue 18)"). The child serializer
    still declares every field, its format and its schema: a plain field is read from
    the column its ``source`` names (``source.name`` → ``source__name``) and, where the
    row's type differs from the JSON's (dates), formatted by the child's own field; the
    fields in ``relations`` come from ``related()``, a few queries for the whole page.

    Model instances (a market's recent events) are formatted by the child, one by one.
    """

    relations: ClassVar[tuple[str, ...]] = ()

    def related(self, ids: list[int]) -> dict[str, dict[int, Any]]:
        """The ``relations`` fields' values for the rows ``ids``: field name → row id → value."""
        return {}

    def to_representation(self, data: Any) -> list[Any]:
        items = list(data.all() if isinstance(data, models.manager.BaseManager) else data)
        if not items or not isinstance(items[0], dict):
            return super().to_representation(items)
        related = self.related([row["id"] for row in items])
        plan = _plan(type(self.child))
        return [
            {
                name: related[name][row["id"]]
                if column is None
                else (row[column] if convert is None or row[column] is None else convert(row[column]))
                for name, column, convert in plan
            }
            for row in items
        ]


@cache
def _plan(serializer_class: type[serializers.Serializer]) -> _Plan:
    """For each field the serializer shows, in its order: the column it reads (None for the
    list's relations) and what converts the column's value, if anything."""
    relations = serializer_class.Meta.list_serializer_class.relations  # type: ignore[attr-defined]
    return tuple(
        (
            name,
            None if name in relations else field.source.replace(".", "__"),
            field.to_representation if isinstance(field, _CONVERTED) else None,
        )
        for name, field in serializer_class().fields.items()
        if not field.write_only
    )


def list_rows(serializer_class: type[serializers.Serializer], queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
    """``queryset`` as the ``.values()`` rows that ``serializer_class(many=True)`` formats."""
    columns = (column for _, column, _ in _plan(serializer_class) if column is not None)
    return queryset.values(*dict.fromkeys(("id", *columns)))


# --- Entities ------------------------------------------------------------------------


class MarketSerializer(ModelValidationMixin):
    aliases = AliasSerializer(many=True, read_only=True)

    class Meta:
        model = Market
        fields = ["id", "name", "slug", "kind", "iso_code", "m49_code", "base", "category", "price_tier",
                  "description", "aliases"]  # fmt: skip
        read_only_fields = ["slug"]


class CompanySerializer(WithAliasesMixin):
    alias_model = CompanyAlias
    alias_owner = "company"
    aliases = AliasSerializer(many=True, required=False)
    tags = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Tag.objects.all())

    class Meta:
        model = Company
        fields = ["id", "name", "slug", "headquarters", "website", "description", "parent", "ticker", "wikidata_id",
                  "watched", "aliases", "tags", *REVIEW_FIELDS, "created_at", "updated_at"]  # fmt: skip
        read_only_fields = ["slug", *REVIEW_FIELDS, "created_at", "updated_at"]

    def create(self, validated_data: dict[str, Any]) -> Any:
        with transaction.atomic():
            company = super().create(validated_data)
            if company.watched:
                self._file_watched(company)
        return company

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        was_watched = instance.watched
        with transaction.atomic():
            company = super().update(instance, validated_data)
            if company.watched != was_watched:
                self._file_watched(company)
        return company

    def _file_watched(self, company: Company) -> None:
        """Watching a company through the API puts it on the caller's default watchlist, as in the admin
        (``intel.watching``); unwatching takes it off."""
        user = getattr(self.context.get("request"), "user", None)
        if user is not None and user.is_authenticated:
            set_watched([company], company.watched, by=user)


class PersonRoleSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = Role
        fields = ["id", "company", "company_name", "title", "start_date", "end_date", "review_status"]
        read_only_fields = fields


class PersonSerializer(WithAliasesMixin):
    alias_model = PersonAlias

    alias_owner = "person"
    aliases = AliasSerializer(many=True, required=False)
    roles = PersonRoleSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "name", "slug", "description", "wikidata_id", "aliases", "roles", *REVIEW_FIELDS, "created_at"]
        read_only_fields = ["slug", *REVIEW_FIELDS, "created_at"]


class RoleSerializer(ModelValidationMixin):
    class Meta:
        model = Role
        fields = ["id", "person", "company", "title", "start_date", "end_date", *REVIEW_FIELDS]
        read_only_fields = list(REVIEW_FIELDS)


class ProductSerializer(WithAliasesMixin):
    alias_model = ProductAlias

    alias_owner = "product"
    aliases = AliasSerializer(many=True, required=False)
    maker_name = RelatedText(source="maker.name")

    class Meta:
        model = Product
        fields = ["id", "name", "slug", "maker", "maker_name", "category", "price_tier", "description", "aliases",
                  *REVIEW_FIELDS]  # fmt: skip
        read_only_fields = ["slug", *REVIEW_FIELDS]


class SourceSerializer(ModelValidationMixin):
    class Meta:
        model = Source
        fields = ["id", "name", "slug", "kind", "domain", "reliability", "description"]
        read_only_fields = ["slug"]


class TagSerializer(ModelValidationMixin):
    label = serializers.SerializerMethodField()

    class Meta:
        model = Tag
        fields = ["id", "namespace", "name", "label", "description"]

    def get_label(self, tag: Tag) -> str:
        return str(tag)


class RelationshipSerializer(ModelValidationMixin):
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    object_name = serializers.CharField(source="object.name", read_only=True)

    class Meta:
        model = Relationship
        fields = ["id", "subject", "subject_name", "kind", "object", "object_name", "valid_from", "valid_to",
                  "description", *REVIEW_FIELDS]  # fmt: skip
        read_only_fields = list(REVIEW_FIELDS)


# --- Articles and what is extracted from them ----------------------------------------


class MentionSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="target_kind", read_only=True)
    target_id = serializers.SerializerMethodField()
    target_name = serializers.SerializerMethodField()

    class Meta:
        model = Mention
        fields = ["id", "article", "text", "start", "end", "kind", "target_id", "target_name", "company", "market",
                  "person", "product", *REVIEW_FIELDS]  # fmt: skip
        read_only_fields = fields

    def get_target_id(self, mention: Mention) -> int | None:
        kind = mention.target_kind
        return getattr(mention, f"{kind}_id") if kind else None

    def get_target_name(self, mention: Mention) -> str | None:
        target = mention.target
        return str(target) if target is not None else None


class ArticleTagSerializer(serializers.ModelSerializer):
    tag = serializers.CharField(source="tag.__str__", read_only=True)
    tag_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ArticleTag
        fields = ["id", "tag_id", "tag", "reason", *REVIEW_FIELDS]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    speaker_label = serializers.SerializerMethodField()
    reported_via_name = RelatedText(source="reported_via.name")

    class Meta:
        model = Quote
        fields = ["id", "article", "text", "start", "end", "speaker", "speaker_name", "speaker_label", "reported_via",
                  "reported_via_name", *REVIEW_FIELDS]  # fmt: skip
        read_only_fields = ["article", "start", "end", *REVIEW_FIELDS]

    def get_speaker_label(self, quote: Quote) -> str | None:
        return quote.speaker.name if quote.speaker_id else (quote.speaker_name or None)


class ArticleSerializer(ModelValidationMixin):
    """An article in a list: what it is, not what was found in it (see the detail)."""

    source_name = RelatedText(source="source.name")

    class Meta:
        model = Article
        fields = ["id", "title", "url", "author", "source", "source_name", "published_on", "published_precision",
                  "retrieved_at", "language", "status", "duplicate_of", "content_hash", "created_at"]  # fmt: skip
        read_only_fields = ["retrieved_at", "status", "duplicate_of", "content_hash", "created_at"]
        list_serializer_class = RowsListSerializer

    def unchecked_fields(self, instance: models.Model) -> list[str]:
        # The body is not editable through the API (every span points into it).
        return ["body", "content_hash"]


class EvidenceSerializer(serializers.ModelSerializer):
    article_title = serializers.CharField(source="article.title", read_only=True)
    article_url = serializers.CharField(source="article.url", read_only=True)
    published_on = serializers.DateField(source="article.published_on", read_only=True)
    source = serializers.IntegerField(source="article.source_id", read_only=True, allow_null=True)
    source_name = RelatedText(source="article.source.name")
    source_reliability = RelatedText(source="article.source.reliability")

    class Meta:
        model = Evidence
        fields = ["id", "article", "article_title", "article_url", "published_on", "source", "source_name",
                  "source_reliability", "text", "start", "end", "quote", "created_at"]  # fmt: skip
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = EventParticipant
        fields = ["company", "company_name", "role"]


class EventRows(RowsListSerializer):
    """Events from ``.values()`` rows; participants, markets, regulators and tags in four queries,
    each ordered as the models order them, so that the list says what the detail says."""

    relations = ("participants", "markets", "market_names", "regulators", "regulator_names", "tags")

    def related(self, ids: list[int]) -> dict[str, dict[int, Any]]:
        participants: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
        for event_id, company_id, name, role in (
            EventParticipant.objects.filter(event_id__in=ids)
            .order_by("id")
            .values_list("event_id", "company_id", "company__name", "role")
        ):
            participants[event_id].append({"company": company_id, "company_name": name, "role": role})
        markets = _linked(ids, Event.markets.through.objects.order_by("market__name"), "market")
        regulators = _linked(ids, Event.regulators.through.objects.order_by("source__name"), "source")
        tags = _linked(ids, Event.tags.through.objects.order_by("tag__namespace", "tag__name"), "tag", named=False)
        return {
            "participants": participants,
            "markets": {pk: [m for m, _ in links] for pk, links in markets.items()},
            "market_names": {pk: [n for _, n in links] for pk, links in markets.items()},
            "regulators": {pk: [r for r, _ in links] for pk, links in regulators.items()},
            "regulator_names": {pk: [n for _, n in links] for pk, links in regulators.items()},
            "tags": {pk: [t for t, _ in links] for pk, links in tags.items()},
        }


def _linked(
    ids: Iterable[int], through: models.QuerySet[Any], target: str, *, named: bool = True
) -> dict[int, list[tuple[int, str | None]]]:
    """Each event's (id, name) of its ``target`` records, through a many-to-many table."""
    links: dict[int, list[tuple[int, str | None]]] = {pk: [] for pk in ids}
    columns = ("event_id", f"{target}_id", *([f"{target}__name"] if named else []))
    for event_id, target_id, *name in through.filter(event_id__in=list(links)).values_list(*columns):
        links[event_id].append((target_id, name[0] if name else None))
    return links


class EventSerializer(WritesNestedList):
    """An event with its participants and markets; participants are written as a list."""

    nested_field = "participants"
    participants = ParticipantSerializer(many=True, required=False)
    markets = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Market.objects.all())
    market_names = serializers.SerializerMethodField()
    regulators = serializers.PrimaryKeyRelatedField(
        many=True, required=False, queryset=Source.objects.filter(kind=SourceKind.REGULATOR),
        help_text="Sources of kind regulator that took this action (regulatory actions).",
        error_messages={
            "does_not_exist": 'No regulator {pk_value}: an event\'s regulators are sources of kind "regulator".'
        },
    )  # fmt: skip
    regulator_names = serializers.SerializerMethodField()
    tags = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Tag.objects.all())

    class Meta:
        model = Event
        fields = ["id", "type", "status", "summary", "time_start", "time_end", "time_precision", "time_phrase",
                  "participants", "markets", "market_names", "regulators", "regulator_names", "tags",
                  *REVIEW_FIELDS, "created_at", "updated_at"]  # fmt: skip
        read_only_fields = [*REVIEW_FIELDS, "created_at", "updated_at"]
        list_serializer_class = EventRows

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_market_names(self, event: Event) -> list[str]:
        return [market.name for market in event.markets.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_regulator_names(self, event: Event) -> list[str]:
        return [source.name for source in event.regulators.all()]

    def validate_participants(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if any("company" not in p for p in value):
            raise serializers.ValidationError("Each participant needs a company.")
        value = [{"role": "actor", **p} for p in value]
        pairs = [(p["company"].pk, p["role"]) for p in value]
        if len(pairs) != len(set(pairs)):
            raise serializers.ValidationError("A company is listed twice in the same role.")
        return value

    def replace_nested(self, event: Event, participants: list[dict[str, Any]], *, new: bool) -> None:
        if not new:
            event.participants.all().delete()
        EventParticipant.objects.bulk_create(
            [EventParticipant(event=event, company=p["company"], role=p["role"]) for p in participants]
        )


class EventDetailSerializer(EventSerializer):
    """An event with all its evidence and how many independent sources support it."""

    evidence = EvidenceSerializer(many=True, read_only=True)
    independent_sources = serializers.SerializerMethodField()
    credibility = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "evidence", "independent_sources", "credibility"]
        list_serializer_class = serializers.ListSerializer

    # Both are the model's own rule (copies of a counted article do not count again),
    # given the evidence the view prefetched with ``article__source``: no query per event,
    # and no second copy of the rule to drift from the alerts' and ingestion's.
    @extend_schema_field(OpenApiTypes.INT)
    def get_independent_sources(self, event: Event) -> int:
        return event.independent_sources(event.evidence.all())

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_credibility(self, event: Event) -> float:
        return event.credibility(event.evidence.all())


class ArticleEventSerializer(serializers.Serializer):
    """An event an article supports, with the sentence that supports it."""

    id = serializers.IntegerField(source="event.id")
    type = serializers.CharField(source="event.type")
    status = serializers.CharField(source="event.status")
    summary = serializers.CharField(source="event.summary")
    review_status = serializers.CharField(source="event.review_status")
    evidence = serializers.CharField(source="text")
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class ArticleDetailSerializer(ArticleSerializer):
    """An article with its text and everything extracted from it."""

    mentions = MentionSerializer(many=True, read_only=True)
    events = ArticleEventSerializer(source="evidence", many=True, read_only=True)
    quotes = QuoteSerializer(many=True, read_only=True)
    tags = ArticleTagSerializer(source="article_tags", many=True, read_only=True)
    cited_sources = NamedRefSerializer(many=True, read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "body", "mentions", "events", "quotes", "tags", "cited_sources"]
        read_only_fields = [*ArticleSerializer.Meta.read_only_fields, "body"]
        list_serializer_class = serializers.ListSerializer


# --- Rules ---------------------------------------------------------------------------

RULE_FIELDS = ["id", "name", "algorithm", "match", "case_sensitive", "enabled", "confidence", "created_at"]


class TagRuleSerializer(ModelValidationMixin):
    class Meta:
        model = TagRule
        fields = [*RULE_FIELDS, "tag"]
        read_only_fields = ["created_at"]


class EventRuleSerializer(ModelValidationMixin):
    class Meta:
        model = EventRule
        fields = [*RULE_FIELDS, "event_type", "status", "requires_market"]
        read_only_fields = ["created_at"]


# --- Actions -------------------------------------------------------------------------


class IngestRequestSerializer(serializers.Serializer):
    """What to ingest: exactly one of ``text``, ``html``, ``fetch_url`` or ``file``."""

    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    html = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    fetch_url = serializers.CharField(required=False, max_length=2000, help_text="Fetch the article from here.")
    file = serializers.FileField(required=False, help_text="A .txt, .html or .md file (multipart upload).")
    url = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="The article's address.")
    title = serializers.CharField(required=False, allow_blank=True, max_length=500)
    published = serializers.CharField(
        required=False, allow_blank=True, max_length=10, help_text="YYYY-MM-DD, YYYY-MM or YYYY."
    )
    source = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="The publisher.")
    queue = serializers.BooleanField(
        default=False, help_text="Queue it for a worker and answer 202 with a job to poll (URLs are always queued)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("text", "html", "fetch_url", "file") if attrs.get(name) not in (None, "")]
        if len(given) != 1:
            raise serializers.ValidationError(
                "Give exactly one of text, html, fetch_url or file"
                + (f" (got {', '.join(given)})." if given else " (got none, or only blank text).")
            )
        return attrs


class IngestJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = IngestJob
        fields = ["id", "status", "params", "created_at", "started_at", "finished_at", "attempts", "article",
                  "result", "error", "error_stage"]  # fmt: skip
        read_only_fields = fields


class ReviewRequestSerializer(serializers.Serializer):
    model = serializers.ChoiceField(choices=sorted(REVIEWABLE_MODELS))
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1, max_length=1000
    )
    verdict = serializers.ChoiceField(choices=["confirm", "reject"])


class ReviewResponseSerializer(serializers.Serializer):
    model = serializers.CharField()
    verdict = serializers.CharField()
    updated = serializers.IntegerField()


class MergeRequestSerializer(serializers.Serializer):
    drop = serializers.PrimaryKeyRelatedField(queryset=Company.objects.all(), help_text="The company merged away.")


class MergeResponseSerializer(serializers.Serializer):
    kept = serializers.IntegerField()
    dropped = serializers.IntegerField()
    moved = serializers.DictField(child=serializers.IntegerField())


# --- Monitoring ----------------------------------------------------------------------


class WatchlistSerializer(ModelValidationMixin):
    """What a person watches; the owner is whoever creates it."""

    companies = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Company.objects.all())
    markets = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Market.objects.all())
    people = serializers.PrimaryKeyRelatedField(many=True, required=False, queryset=Person.objects.all())
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), required=False)

    class Meta:
        model = Watchlist
        fields = ["id", "name", "owner", "companies", "markets", "people", "keywords", "event_types", "min_relevance",
                  "in_app", "email", "email_to", "webhook_url", "delivery", "digest_hour", "active",
                  "last_digest_at", "created_at"]  # fmt: skip
        read_only_fields = ["owner", "last_digest_at", "created_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        request = self.context.get("request")
        if self.instance is None and request is not None:
            attrs["owner"] = request.user  # so the per-owner name constraint is checked
        return super().validate(attrs)


class FeedSerializer(ModelValidationMixin):
    """A subscription, with its health: last status, last new item, errors, next check."""

    class Meta:
        model = Feed
        fields = ["id", "name", "url", "kind", "watchlist", "source", "fetch_full_text", "active", "check_interval",
                  "min_interval", "max_interval", "next_check_at", "last_checked_at", "last_status",
                  "last_status_code", "last_error", "error_count", "last_new_item_at", "created_at"]  # fmt: skip
        read_only_fields = ["next_check_at", "last_checked_at", "last_status", "last_status_code", "last_error",
                            "error_count", "last_new_item_at", "created_at"]  # fmt: skip

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Only http and https feeds.")
        return value


class AlertSerializer(serializers.ModelSerializer):
    watchlist_name = serializers.CharField(source="watchlist.name", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "watchlist", "watchlist_name", "kind", "article", "event", "independent_sources", "relevance",
                  "reasons", "headline", "message", "created_at", "read_at"]  # fmt: skip
        read_only_fields = fields
