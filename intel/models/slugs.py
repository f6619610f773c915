"""A name with a unique slug made from it, shared by the named domain records."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.text import slugify


def unique_slug(model: type[models.Model], name: str, *, exclude_pk: Any = None, max_length: int = 120) -> str:
    """``slugify(name)``, with ``-2``, ``-3`` … appended until no other row has it."""
    base = (slugify(name) or "item")[: max_length - 8]
    taken = set(
        model._default_manager.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class SluggedModel(models.Model):
    """A named record (company, person, product, market, source): shown as its name and listed in its order."""

    name = models.CharField(max_length=200, db_index=True)
    slug = models.SlugField(max_length=120, blank=True, help_text="Left blank, it is made from the name.")

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = unique_slug(type(self), self.name, exclude_pk=self.pk)
        super().save(*args, **kwargs)


def unique_slug_constraint(message: str | None = None) -> models.UniqueConstraint:
    """The constraint every concrete ``SluggedModel`` lists in its ``Meta``: one row per slug."""
    return models.UniqueConstraint(
        fields=["slug"], name="%(app_label)s_%(class)s_unique_slug", violation_error_message=message
    )


def assign_unique_slugs(model: type[models.Model], objs: list[Any]) -> None:
    """Give each unsaved object a slug no row (and no other object here) has, in one query."""
    # Unsaved model instances are unhashable: pair them with their wanted slug in a list.
    wanted = [(obj, (slugify(obj.name) or "item")[:112]) for obj in objs if not obj.slug]
    if not wanted:
        return
    bases = {base for _, base in wanted}
    manager = model._default_manager
    # Usually no base is taken: one exact lookup. Only the taken ones need their "-n" siblings.
    clashing = set(manager.filter(slug__in=bases).order_by().values_list("slug", flat=True))
    taken = set(clashing)
    if clashing:
        prefix_query = models.Q()
        for base in clashing:
            prefix_query |= models.Q(slug__startswith=f"{base}-")
        taken |= set(manager.filter(prefix_query).values_list("slug", flat=True))
    for obj, base in wanted:
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        obj.slug = slug
