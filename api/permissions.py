"""Who may call what, and which rows each caller sees.

Roles come from `survey.User`: officers and unit leads are unit staff (`user.is_unit_staff`, `user.unit`) and see
only their own unit; provincial staff and administrators (`user.sees_all_units`) see every unit. Lists and detail
lookups are narrowed with `scope_to_user`, so another unit's object answers 404, never 403: its existence is not
disclosed.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission


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


class IsCaseStaff(BasePermission):
    """For the PAKN staff actions: unit and provincial staff; the provincial inspectorate (which sees only the
    complaints against officials) may list and read cases and add internal notes, nothing else."""

    message = _("Tài khoản của bạn chưa được gán đơn vị hoặc vai trò phù hợp.")
    inspector_actions = frozenset({"list", "retrieve", "note"})

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if user.is_inspector:
            self.message = _("Thanh tra tỉnh chỉ xem phản ánh và ghi chú nội bộ; đơn vị xử lý phản ánh.")
            return getattr(view, "action", None) in self.inspector_actions
        return bool(user.sees_all_units or user.is_unit_staff)


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


class RefusesCrossSiteBrowsers(BasePermission):
    """For the public writes (ratings, PAKN): a browser may post only from the site's own pages.

    Browsers say where a request comes from (`Sec-Fetch-Site`, `Origin`); a page on another site that makes a
    visitor's browser post here is refused with 403, so that no other site can cast votes or file cases in its
    visitors' names. Server-to-server clients (the one-stop system, a kiosk app) send neither header and pass.
    The site's own origins are its host, `PUBLIC_BASE_URL` and `DJANGO_CSRF_TRUSTED_ORIGINS`.
    """

    message = _("Không nhận yêu cầu gửi từ một trang web khác.")

    def has_permission(self, request, view) -> bool:
        fetch_site = request.META.get("HTTP_SEC_FETCH_SITE", "").lower()
        if fetch_site and fetch_site not in ("same-origin", "none"):
            return False
        origin = request.META.get("HTTP_ORIGIN")
        if origin is None:
            return True
        return origin.rstrip("/").lower() in _own_origins(request)


def _own_origins(request) -> set[str]:
    from django.conf import settings

    scheme = "https" if request.is_secure() else "http"
    origins = {f"{scheme}://{request.get_host()}", settings.PUBLIC_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS}
    return {origin.rstrip("/").lower() for origin in origins}


class PublicActionsMixin:
    """For viewsets that mix public and staff actions (ratings, PAKN): the actions named in `public_actions`
    need no credentials (no session, so no CSRF to forge; writes also pass `RefusesCrossSiteBrowsers`) and are
    throttled per address under their own scope; every other action is for scoped staff."""

    public_actions: dict[str, str] = {}  # action name -> throttle scope

    def _current_action(self) -> str | None:
        if getattr(self, "action", None):
            return self.action
        request = getattr(self, "request", None)
        if request is None:
            return None
        return getattr(self, "action_map", {}).get(request.method.lower())

    def get_authenticators(self):
        if self._current_action() in self.public_actions:
            return []
        return super().get_authenticators()

    staff_permission = IsUnitStaffOrProvincial

    def get_permissions(self):
        if self._current_action() in self.public_actions:
            if self.request.method in SAFE_METHODS:
                return [AllowAny()]
            return [AllowAny(), RefusesCrossSiteBrowsers()]
        return [self.staff_permission()]

    @property
    def throttle_scope(self) -> str | None:
        return self.public_actions.get(self._current_action())

    def get_throttles(self):
        from .throttles import ScopedThrottle

        if self._current_action() in self.public_actions:
            return [ScopedThrottle()]
        return super().get_throttles()
