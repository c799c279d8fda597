from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workstudy.admin_base import ScopedAdmin

from .forms import CountyRowAdminForm
from .models import ArchivedDocument, NarrativeBlock, PolicyDocument, SummarySettings


class CountyRowAdmin(ScopedAdmin):
    """A row of one county or shared by the deployment (:mod:`reports.texts`). A county's staff
    see their county's rows and the shared ones, and change their county's only: a new row is
    their county's (the county is not chosen); a shared row, printed by every county without a
    row of its own, is changed by a superuser only (a county's staff write their own on the page)."""

    form = CountyRowAdminForm
    exclude = ("county",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"stamp_user": request.user})

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.county_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("县（市、区）"))
    def county_name(self, obj):
        return obj.county.name if obj.county_id else _("全部县共用")


@admin.register(NarrativeBlock)
class NarrativeBlockAdmin(CountyRowAdmin):
    list_display = ("year", "section", "county_name", "heading", "approved", "updated_at")
    list_filter = ("year", "section", "approved")
    list_select_related = ("county",)


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(CountyRowAdmin):
    list_display = ("title", "issuer", "doc_no", "date", "kind", "topic", "county_name")
    list_filter = ("kind", "topic")
    search_fields = ("title", "doc_no")
    list_select_related = ("county",)


@admin.register(SummarySettings)
class SummarySettingsAdmin(CountyRowAdmin):
    list_display = ("year", "county_name", "period_start", "subsidy_mode", "base_coverage_threshold")
    list_select_related = ("county",)


@admin.register(ArchivedDocument)
class ArchivedDocumentAdmin(admin.ModelAdmin):
    """Archived PDFs are made by locking a year, never typed: read-only here."""

    list_display = ("year", "kind", "county", "school", "locked_at", "superseded_at", "sha256", "size")
    list_filter = ("year", "kind")
    readonly_fields = ("year", "kind", "county", "school", "pdf", "sha256", "size", "locked_at", "generated_at",
                       "data_version", "fingerprint", "superseded_at")

    def get_queryset(self, request):
        """The documents the user reads on the pages: their counties' schools' sheets and summaries."""
        from .views import archived_documents

        return archived_documents(request.user, super().get_queryset(request)).select_related("county", "school")

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
