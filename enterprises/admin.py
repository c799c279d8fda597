from django.contrib import admin

from workstudy.admin_base import ScopedAdmin

from .models import Enterprise, EnterpriseYearStat, ReformEvent


@admin.register(Enterprise)
class EnterpriseAdmin(ScopedAdmin):
    list_display = ("name", "kind", "sponsor_school", "sponsor_label", "ownership", "status", "form", "founded_year")
    list_filter = ("kind", "status", "form", "ownership")
    search_fields = ("name", "industry")
    list_select_related = ("sponsor_school",)


@admin.register(EnterpriseYearStat)
class EnterpriseYearStatAdmin(ScopedAdmin):
    list_display = ("enterprise", "year", "revenue", "cost", "profit", "tax", "remitted_to_education", "employees",
                    "work_study_placements")
    list_filter = ("year", "enterprise")
    readonly_fields = ("profit",)
    list_select_related = ("enterprise",)


@admin.register(ReformEvent)
class ReformEventAdmin(ScopedAdmin):
    list_display = ("enterprise", "date", "kind", "staff_affected", "amount", "counterparty")
    list_filter = ("kind", "enterprise")
    readonly_fields = ("year",)
    list_select_related = ("enterprise",)
