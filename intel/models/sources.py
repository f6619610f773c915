"""Sources: the outlets that publish articles and the ones articles cite."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Q

from intel.choices import Reliability, SourceKind

from .base import History, TrackedManager
from .constraints import unique_when_set
from .slugs import SluggedModel, unique_slug_constraint


class Source(SluggedModel):
    """A publisher or a cited outlet (the seed article cites Reuters).

    ``reliability`` is the Admiralty scale A (completely reliable) to F (cannot be
    judged); it weighs how much a piece of evidence from this source counts.
    """

    kind = models.CharField(max_length=20, choices=SourceKind.choices, default=SourceKind.NEWS_SITE)
    domain = models.CharField(
        max_length=253, blank=True, help_text='The web domain, lower case, without "www." (reuters.com).'
    )
    reliability = models.CharField(max_length=1, choices=Reliability.choices, default=Reliability.F)
    description = models.TextField(blank=True)

    objects = TrackedManager()
    history = History()

    class Meta(SluggedModel.Meta):
        constraints = [
            unique_slug_constraint(),
            unique_when_set("domain", message="Another source already has this domain."),
        ]

    @classmethod
    def find_or_create(cls, name: str, *, kind: str = SourceKind.NEWS_SITE) -> Source:
        """The source of this name (ignoring case), created if there is none; safe when
        another transaction creates the same one at the same moment: the unique slug
        makes one insert wait for the other's commit and fail, and that one then reads
        the row the other made."""
        for _ in range(3):
            found = cls.named([name]).get(name.casefold())
            if found is not None:
                return found
            try:
                with transaction.atomic():
                    return cls.objects.create(name=name, kind=kind)
            except IntegrityError:
                continue  # created by another transaction meanwhile (or its slug taken): look again
        raise IntegrityError(f"Could not create or find the source {name!r}.")

    @classmethod
    def named(cls, names: Iterable[str]) -> dict[str, Source]:
        """The sources with these names, ignoring case, by casefolded name. Where two
        share a name in any case, the one stored first (ingestion links it, as the
        gazetteer does for companies)."""
        query = Q()
        for name in names:
            query |= Q(name__iexact=name)
        if not query:
            return {}
        # Newest first, so that the oldest of a shared name is written last.
        return {source.name.casefold(): source for source in cls.objects.filter(query).order_by("-pk")}

    def clean(self) -> None:
        # Normalised before the unique check runs, so "WWW.Reuters.com" clashes with "reuters.com".
        self.domain = self.domain.strip().lower().removeprefix("www.").rstrip(".")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()
        super().save(*args, **kwargs)
