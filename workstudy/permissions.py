"""DRF permission for the portal (kept apart from api.py to avoid an import cycle)."""

from rest_framework import permissions

from .models import Role


class PortalPermission(permissions.BasePermission):
    """Logged-in, active users of a known role; auditors read only."""

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        allowed = getattr(view, "roles", (Role.STAFF, Role.PRINCIPAL, Role.AUDITOR))
        if user.role not in allowed:
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return user.role in getattr(view, "write_roles", (Role.STAFF, Role.PRINCIPAL))
