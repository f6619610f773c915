"""Rules several models state about their own columns, written once.

Each returns a constraint named ``<app>_<model>_<suffix>`` (Django fills in the
placeholders per concrete model), so a model's ``Meta`` says which rule holds and
on which columns, not how the condition is spelled.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q


def unique_when_set(field: str, *, message: str) -> models.UniqueConstraint:
    """No two rows share a value of ``field``; blank means "not known" and may repeat."""
    return models.UniqueConstraint(
        fields=[field],
        condition=~Q(**{field: ""}),
        name=f"%(app_label)s_%(class)s_unique_{field}",
        violation_error_message=message,
    )


def ends_after_start(start: str, end: str, *, message: str, suffix: str = "ends_after_start") -> models.CheckConstraint:
    """A date range ``[start, end]`` whose ends may be unknown does not end before it starts."""
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__gte": F(start)}),
        name=f"%(app_label)s_%(class)s_{suffix}",
        violation_error_message=message,
    )


def not_itself(field: str, other: str, *, suffix: str, message: str) -> models.CheckConstraint:
    """``field`` never points at the record ``other`` names: a company is not its own parent."""
    return models.CheckConstraint(
        condition=~Q(**{field: F(other)}),
        name=f"%(app_label)s_%(class)s_{suffix}",
        violation_error_message=message,
    )
