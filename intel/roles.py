"""The API's roles as Django groups: "Readers" read; "Analysts" also write and review.

Merging and deleting take a staff account (``is_staff``) holding the delete
permission; superusers hold every permission. The groups are (re)made after every
``migrate`` so that new models' permissions join them; an administrator assigns
people to them in the admin.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import post_migrate

READERS = "Readers"
ANALYSTS = "Analysts"

# Models nobody but an administrator reads or writes through the API.
PRIVATE_MODELS = {"apitoken", "heartbeat", "rejectedproposal", "entityindexversion", "companymerge"}


def ensure_roles(**kwargs: Any) -> None:
    perms = Permission.objects.filter(content_type__app_label="intel").select_related("content_type")
    mine = [
        p
        for p in perms
        if p.content_type.model not in PRIVATE_MODELS and not p.content_type.model.startswith("historical")
    ]
    if not mine:
        return  # the intel app's permissions are not made yet (first migrate runs this again)
    readers, _ = Group.objects.get_or_create(name=READERS)
    readers.permissions.add(*[p for p in mine if p.codename.startswith("view_")])
    analysts, _ = Group.objects.get_or_create(name=ANALYSTS)
    analysts.permissions.add(*[p for p in mine if p.codename.split("_", 1)[0] in {"view", "add", "change"}])


def connect(app_config: Any) -> None:
    post_migrate.connect(ensure_roles, sender=app_config, dispatch_uid="intel.roles.ensure_roles")
