"""Roles: readers read; analysts write and review; only staff merge and delete.

Roles are Django groups ("Readers", "Analysts", see ``intel/roles.py``) holding
model permissions, so an administrator can also grant a single permission to a
single user in the admin.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions
from rest_framework.request import Request


class RolePermissions(DjangoModelPermissions):
    """Model permissions for every method, reads included (``view_*``); deletes need staff too."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method == "DELETE" and not (request.user and request.user.is_staff):
            return False
        return super().has_permission(request, view)


class IsStaff(BasePermission):
    message = "Only staff may do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff)


class HasPermissions(BasePermission):
    """The user holds every permission in ``view.required_permissions`` (for actions and custom views)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        wanted = getattr(view, "required_permissions", ())
        if request.method in SAFE_METHODS:
            wanted = getattr(view, "required_read_permissions", wanted)
        return request.user.has_perms(wanted)
