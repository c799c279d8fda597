from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .admin_base import ScopedAdmin
from .forms import PortalAdminForm, PortalFormMixin
from .models import ReportingYear, School, Submission, User, WorkflowEvent

admin.site.site_header = _("勤工俭学管理平台")
admin.site.site_title = _("勤工俭学管理平台")


class BureauOnlyAdmin(SimpleHistoryAdmin):
    form = PortalAdminForm

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_delete_permission(self, request, obj=None):
        return False


class PortalUserChangeForm(PortalFormMixin, UserChangeForm):
    pass


class PortalUserCreationForm(PortalFormMixin, AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    fieldsets = BaseUserAdmin.fieldsets + ((_("角色"), {"fields": ("role", "school", "is_director")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("角色"), {"fields": ("role", "school", "is_director")}),)
    list_display = ("username", "first_name", "role", "school", "is_director", "is_active")
    list_filter = ("role", "is_active", "is_director")

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_bureau and request.user.is_director

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau and request.user.is_director

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(School)
class SchoolAdmin(BureauOnlyAdmin):
    list_display = ("code", "name", "township", "kind", "area_class", "active")
    list_filter = ("kind", "area_class", "township", "active")
    search_fields = ("code", "name", "township")


@admin.register(ReportingYear)
class ReportingYearAdmin(BureauOnlyAdmin):
    list_display = ("year", "status", "locked_by", "locked_at", "data_version")
    readonly_fields = ("status", "locked_by", "locked_at", "data_version")

    # Years are opened and deleted on the 统计年度 page only (the next year, with confirmation;
    # deleting only while empty): see workstudy.services.year_create / year_delete.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ScopedAdmin):
    list_display = ("school", "year", "status", "staff_count", "student_count", "submitted_at")
    list_filter = ("year", "status")
    search_fields = ("school__name",)
    readonly_fields = ("status", "returned_reason", "submitted_at", "submitted_by", "reviewed_at", "reviewed_by")


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ScopedAdmin):
    list_display = ("at", "year", "school", "action", "actor", "reason")
    list_filter = ("year", "action")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Groups are not used: roles live on the user.
admin.site.unregister(Group)
