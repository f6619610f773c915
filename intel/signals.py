"""Signal handlers: keep the gazetteer's version in step with every name and alias."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from intel.models import Company, CompanyAlias, Market, MarketAlias, Person, PersonAlias, Product, ProductAlias
from intel.models.base import bulk_changed

NAMED_MODELS = (Company, CompanyAlias, Market, MarketAlias, Person, PersonAlias, Product, ProductAlias)
# Fields whose change alters what the gazetteer matches.
_NAME_FIELDS = {
    "name",
    "text",
    "case_sensitive",
    "is_demonym",
    "review_status",
    "company",
    "market",
    "person",
    "product",
}


def _names_changed(
    sender: type, instance: Any = None, update_fields: Any = None, created: bool = False, **kwargs: Any
) -> None:
    if update_fields is not None and not (set(update_fields) & _NAME_FIELDS):
        return
    from intel.ingest.gazetteer_cache import bump_version

    bump_version(added_only=created)


def connect() -> None:
    for model in NAMED_MODELS:
        post_save.connect(_names_changed, sender=model, dispatch_uid=f"gazetteer-save-{model.__name__}")
        post_delete.connect(_names_changed, sender=model, dispatch_uid=f"gazetteer-delete-{model.__name__}")
        bulk_changed.connect(_names_changed, sender=model, dispatch_uid=f"gazetteer-bulk-{model.__name__}")
