from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import scoping
from .admin_base import ScopedAdmin
from .forms import PortalAdminForm, PortalFormMixin
from .models import Region, ReportingYear, School, Submission, User, WorkflowEvent

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
    fieldsets = BaseUserAdmin.fieldsets + ((_("角色"), {"fields": ("role", "region", "school", "is_director")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("角色"), {"fields": ("role", "region", "school", "is_director")}),
    )
    list_display = ("username", "first_name", "role", "region", "school", "is_director", "is_active")
    list_filter = ("role", "is_active", "is_director")

    def get_queryset(self, request):
        # The users of the admin's region: its bureau users and its schools' principals.
        return super().get_queryset(request) & scoping.users_for(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        region = scoping.region_of(request.user)
        if db_field.name == "region":
            kwargs["queryset"] = region.subtree() if region is not None else Region.objects.none()
        elif db_field.name == "school":
            kwargs["queryset"] = scoping.schools_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_bureau and request.user.is_director

    def has_change_permission(self, request, obj=None):
        # Accounts are managed by a county's director (city and province staff read only for now).
        return scoping.may_approve(request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(School)
class SchoolAdmin(BureauOnlyAdmin):
    """Schools of the admin's region; a county's staff add and change their own county's only
    (the county is chosen among the user's, checked by scoping)."""

    list_display = ("code", "name", "county", "township", "kind", "area_class", "active")
    list_filter = ("kind", "area_class", "township", "active")
    search_fields = ("code", "name", "township")

    def get_queryset(self, request):
        return scoping.schools_for(request.user)

    def get_list_filter(self, request):
        if scoping.county_user(request.user):
            return self.list_filter
        return ("county", *self.list_filter)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "county":
            kwargs["queryset"] = Region.objects.filter(pk__in=scoping.county_ids(request.user))
            if scoping.county_user(request.user):
                kwargs["initial"] = request.user.region_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return scoping.county_user(request.user) and request.user.is_bureau

    def has_change_permission(self, request, obj=None):
        if not (request.user.is_active and request.user.is_bureau):
            return False
        if obj is None:
            return scoping.county_user(request.user)
        return scoping.can_write(request.user, obj)

    def save_model(self, request, obj, form, change):
        scoping.check_obj_write(request.user, obj)
        super().save_model(request, obj, form, change)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    """The tree of regions: bureau users read the regions of their own subtree; a province's
    director adds cities and counties (a region's parent never changes)."""

    form = PortalAdminForm  # refusals worded like the portal's pages
    list_display = ("name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name",)

    def get_queryset(self, request):
        region = scoping.region_of(request.user)
        qs = super().get_queryset(request)
        return qs.filter(path__startswith=region.path) if region is not None and request.user.is_bureau else qs.none()

    def _province_director(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_bureau and user.is_director and user.region_id
                    and user.region.level == Region.Level.PROVINCE)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return self._province_director(request)

    def has_change_permission(self, request, obj=None):
        return self._province_director(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ("parent", "level") if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            region = scoping.region_of(request.user)
            kwargs["queryset"] = (
                region.subtree().exclude(level=Region.Level.COUNTY) if region is not None else Region.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "school", "year") if obj is not None else fields  # a return never moves (Submission.save)


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
