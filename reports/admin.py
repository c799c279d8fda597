from django.contrib import admin

from workstudy.admin_base import ScopedAdmin

from .models import ArchivedDocument, NarrativeBlock, PolicyDocument, SummarySettings


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


@admin.register(ArchivedDocument)
class ArchivedDocumentAdmin(admin.ModelAdmin):
    """Archived PDFs are made by locking a year, never typed: read-only here."""

    list_display = ("year", "kind", "school", "locked_at", "superseded_at", "sha256", "size")
    list_filter = ("year", "kind")
    readonly_fields = ("year", "kind", "school", "pdf", "sha256", "size", "locked_at", "generated_at", "data_version",
                       "fingerprint", "superseded_at")

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
