"""Admin base: the Django admin goes through :mod:`workstudy.scoping` like every view.

Only bureau staff reach the admin (``is_staff``); rows of a locked year are read-only.
"""

from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .forms import PortalAdminForm


class ScopedAdmin(SimpleHistoryAdmin):
    form = PortalAdminForm  # refusals worded like the portal's pages

    def get_queryset(self, request):
        return scoping.visible(request.user, super().get_queryset(request))

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_change_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_bureau):
            return False
        return obj is None or scoping.can_write(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        scoping.stamp_county(request.user, obj)
        scoping.check_obj_write(request.user, obj)
        super().save_model(request, obj, form, change)
