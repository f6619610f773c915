"""What people rejected stays rejected: the ingest path drops a proposal whose
fingerprint matches one a person rejected before (``intel.review.rejected_fingerprints``),
without a model instance per proposal."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from intel.models import Reviewable
from intel.review import rejected_fingerprints

from .context import IngestEnv

D = TypeVar("D")


def unrejected(
    model: type[Reviewable], drafts: Sequence[D], fingerprint: Callable[[D], str], env: IngestEnv
) -> list[D]:
    """The drafts whose proposals a person has not rejected before (``rejected_fingerprints``).

    Fingerprints cost a hash each and, for most models, a model instance to
    compute them with (more than storing the record): they are computed only
    when a proposal of this model was ever rejected (``env.ever_rejected``).
    """
    if not drafts:
        return []
    if not env.ever_rejected(model):
        return list(drafts)
    prints = [fingerprint(draft) for draft in drafts]
    rejected = rejected_fingerprints(model, prints)
    return [draft for draft, print_ in zip(drafts, prints, strict=True) if print_ not in rejected]
