from django.contrib import admin

from workstudy.admin_base import ScopedAdmin

from .models import NarrativeBlock, PolicyDocument, StoredSummary, SummarySettings


@admin.register(NarrativeBlock)
class NarrativeBlockAdmin(ScopedAdmin):
    list_display = ("year", "section", "heading", "approved", "updated_at")
    list_filter = ("year", "section", "approved")


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(ScopedAdmin):
    list_display = ("title", "issuer", "doc_no", "date", "kind", "topic")
    list_filter = ("kind", "topic")
    search_fields = ("title", "doc_no")


@admin.register(SummarySettings)
class SummarySettingsAdmin(ScopedAdmin):
    list_display = ("year", "period_start", "subsidy_mode", "base_coverage_threshold")


@admin.register(StoredSummary)
class StoredSummaryAdmin(admin.ModelAdmin):
    """Archived PDFs are made by locking a year, never typed: read-only here."""

    list_display = ("year", "sha256", "size", "data_version", "generated_at")
    readonly_fields = ("year", "pdf", "sha256", "size", "data_version", "fingerprint", "generated_at")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_bureau

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_bureau

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
