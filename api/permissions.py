"""Who may call what, and which rows each caller sees.

Roles come from `survey.User`: officers and unit leads are unit staff (`user.is_unit_staff`, `user.unit`) and see
only their own unit; provincial staff and administrators (`user.sees_all_units`) see every unit. Lists and detail
lookups are narrowed with `scope_to_user`, so another unit's object answers 404, never 403: its existence is not
disclosed.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsProvincialStaff(BasePermission):
    """Provincial staff and administrators."""

    message = _("Chỉ cán bộ cấp tỉnh được thực hiện thao tác này.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.sees_all_units)


class IsUnitStaffOrProvincial(BasePermission):
    """Any staff account with a scope: unit staff (their unit) or provincial staff (all units)."""

    message = _("Tài khoản của bạn chưa được gán đơn vị hoặc vai trò phù hợp.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.sees_all_units or user.is_unit_staff))


def scope_to_user(queryset: QuerySet, user, unit_field: str = "unit") -> QuerySet:
    """The rows of `queryset` that `user` may see; `unit_field` is the lookup from a row to its unit
    (e.g. "unit", "counter__unit", or "pk" for units themselves)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.sees_all_units:
        return queryset
    if user.is_unit_staff:
        return queryset.filter(**{unit_field: user.unit_id})
    return queryset.none()


class UnitScopedMixin:
    """For viewsets: `get_queryset()` narrows `base_queryset()` to the caller's units through `unit_field`."""

    unit_field = "unit"

    def base_queryset(self) -> QuerySet:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet:
        return scope_to_user(self.base_queryset(), self.request.user, self.unit_field)
