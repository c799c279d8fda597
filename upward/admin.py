"""Read-only admin: reports move only through upward.services (the pages' buttons)."""

from django.contrib import admin

from workstudy import scoping

from .models import RegionSubmission, RegionSubmissionEvent


class _ReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RegionSubmission)
class RegionSubmissionAdmin(_ReadOnly):
    list_display = ("region", "year", "status", "version", "submitted_at", "reviewed_at")
    list_filter = ("year", "status")
    exclude = ("figures", "parts")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(region__in=scoping.regions_for(request.user))


@admin.register(RegionSubmissionEvent)
class RegionSubmissionEventAdmin(_ReadOnly):
    list_display = ("submission", "action", "from_status", "to_status", "version", "actor", "at")
    list_filter = ("action",)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(submission__region__in=scoping.regions_for(request.user))
