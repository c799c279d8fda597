from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from workstudy.admin_base import ScopedAdmin

from .models import (
    Claim,
    ClaimDocument,
    ClaimFile,
    FundingRule,
    InsurancePolicy,
    Insurer,
    PremiumFunding,
    StudentAccidentCoverage,
)


@admin.register(Insurer)
class InsurerAdmin(ScopedAdmin):
    list_display = ("name", "role", "entrusted_from_year", "service_fee")
    list_filter = ("role",)


@admin.register(FundingRule)
class FundingRuleAdmin(ScopedAdmin):
    list_display = ("insurance_type", "from_year", "to_year", "allowed_sources", "bureau_share_pct")
    list_filter = ("insurance_type",)


class PremiumFundingInline(admin.TabularInline):
    model = PremiumFunding
    extra = 0


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(ScopedAdmin):
    list_display = ("policy_no", "year", "policy_type", "school", "insurer", "premium_total", "coverage_start", "coverage_end")
    list_filter = ("year", "policy_type")
    search_fields = ("policy_no",)
    list_select_related = ("school", "insurer")
    inlines = [PremiumFundingInline]


@admin.register(PremiumFunding)
class PremiumFundingAdmin(ScopedAdmin):
    list_display = ("policy", "source", "amount", "persons")
    list_filter = ("source", "policy__year")
    list_select_related = ("policy",)


@admin.register(StudentAccidentCoverage)
class StudentAccidentCoverageAdmin(ScopedAdmin):
    list_display = (
        "school",
        "year",
        "enrolled",
        "insured_parent_paid",
        "poor_students",
        "poor_free_by_insurer",
        "poor_advanced_by_school",
        "advance_amount",
    )
    list_filter = ("year",)
    list_select_related = ("school",)
    # The school's yearly counts, read from its submission (entered once, in the counts form).
    readonly_fields = ("enrolled", "poor_students")

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()


class ClaimDocumentInline(admin.TabularInline):
    model = ClaimDocument
    extra = 0


class ClaimFileInline(admin.TabularInline):
    """The claim's files, read-only: they are added and removed on the claim page (through
    insurance.services, which checks the file and removes its stored bytes) and opened
    through the scoped download view, never a public media URL."""

    model = ClaimFile
    extra = 0
    fields = ("doc_type", "download", "size_display", "content_type", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("文件"))
    def download(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("insurance:claim_file", args=[obj.claim_id, obj.pk]),
                           obj.original_name)

    @admin.display(description=_("大小"))
    def size_display(self, obj):
        return filesizeformat(obj.size)


@admin.register(Claim)
class ClaimAdmin(ScopedAdmin):
    # Personal data stays masked in the list; the full values are on the change form (staff only).
    list_display = (
        "claim_no",
        "school",
        "year",
        "claimant_kind",
        "masked_name",
        "incident_date",
        "persons",
        "requested_amount",
        "paid_amount",
        "status",
    )
    list_filter = ("year", "status", "claimant_kind", "policy__policy_type")
    search_fields = ("claim_no",)
    list_select_related = ("school",)
    raw_id_fields = ("policy",)
    # Status and payouts move only through insurance.services.claim_advance (the claim page).
    readonly_fields = (
        "status",
        "assessed_amount",
        "paid_amount",
        "reject_reason",
        "documents_date",
        "review_date",
        "paid_date",
        "rejected_date",
    )
    inlines = [ClaimDocumentInline, ClaimFileInline]

    @admin.display(description="受伤人员")
    def masked_name(self, obj):
        return obj.masked_name


@admin.register(ClaimDocument)
class ClaimDocumentAdmin(ScopedAdmin):
    list_display = ("claim", "doc_type", "received")
    list_select_related = ("claim",)
