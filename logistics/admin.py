from django.contrib import admin

from workstudy.admin_base import ScopedAdmin

from .models import (
    CapitalInvestment,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(ScopedAdmin):
    list_display = ("name", "founded_year", "exam_lodging_from_year")


@admin.register(Shop)
class ShopAdmin(ScopedAdmin):
    list_display = ("name", "centre", "categories", "opened_year", "active")
    list_filter = ("active",)


@admin.register(CentreYearFigures)
class CentreYearFiguresAdmin(ScopedAdmin):
    list_display = ("centre", "year", "vehicles", "deliveries", "cost", "remitted_to_education")
    list_filter = ("year",)


@admin.register(SalesLine)
class SalesLineAdmin(ScopedAdmin):
    list_display = ("year", "centre", "shop", "category", "customer_kind", "amount")
    list_filter = ("year", "category", "customer_kind")
    list_select_related = ("centre", "shop")


@admin.register(CapitalInvestment)
class CapitalInvestmentAdmin(ScopedAdmin):
    list_display = ("year", "centre", "kind", "amount", "note")


@admin.register(SchoolService)
class SchoolServiceAdmin(ScopedAdmin):
    list_display = ("year", "school", "kind", "name", "mode", "operator")
    list_filter = ("year", "kind", "mode")
    list_select_related = ("school",)
    search_fields = ("school__name", "school__code", "operator")


@admin.register(ExamLodgingProgram)
class ExamLodgingProgramAdmin(ScopedAdmin):
    # One programme per county and year; the county follows the operator (read only here).
    list_display = ("year", "county", "operator", "candidates_lodged", "beds", "meals", "revenue", "cost", "incidents")
    list_filter = ("year",)
    list_select_related = ("county", "operator")
    readonly_fields = ("county",)


@admin.register(ExamSite)
class ExamSiteAdmin(ScopedAdmin):
    list_display = ("program", "host_school", "candidates", "beds")
    list_select_related = ("program__county", "host_school")
