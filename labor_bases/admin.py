from django.contrib import admin

from workstudy.admin_base import ScopedAdmin

from .deletion import delete_block_reason
from .models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity


@admin.register(LaborBase)
class LaborBaseAdmin(ScopedAdmin):
    list_display = ("name", "school", "location", "established_year", "active")
    list_filter = ("active",)
    search_fields = ("name", "school__name", "school__code")
    list_select_related = ("school",)

    def has_delete_permission(self, request, obj=None):
        # One base at a time and only when nothing of any year refers to it (labor_bases.deletion).
        return super().has_delete_permission(request, obj) and (obj is None or delete_block_reason(obj) is None)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the rule above
        return actions


@admin.register(BaseYearArea)
class BaseYearAreaAdmin(ScopedAdmin):
    """The declared area per year: a locked year's row is read-only like every row of that year."""

    list_display = ("base", "year", "declared_total_mu")
    list_filter = ("year",)
    search_fields = ("base__name", "base__school__name", "base__school__code")
    list_select_related = ("base__school", "year")


@admin.register(LandParcel)
class LandParcelAdmin(ScopedAdmin):
    list_display = ("base", "year", "land_type", "crop", "area_mu")
    list_filter = ("year", "land_type")
    search_fields = ("base__name", "base__school__name", "crop")
    list_select_related = ("base__school", "year")


@admin.register(ProductionLine)
class ProductionLineAdmin(ScopedAdmin):
    list_display = ("base", "year", "product", "grade", "quantity", "unit", "unit_price", "value")
    list_filter = ("year", "unit")
    search_fields = ("base__name", "base__school__name", "product")
    readonly_fields = ("value",)
    list_select_related = ("base__school", "year")


@admin.register(BaseYearFinance)
class BaseYearFinanceAdmin(ScopedAdmin):
    list_display = ("base", "year", "revenue", "cost", "profit", "remitted_to_school")
    list_filter = ("year",)
    search_fields = ("base__name", "base__school__name")
    readonly_fields = ("production_value", "revenue", "cost", "profit")
    list_select_related = ("base__school", "year")


@admin.register(StudentPracticeActivity)
class StudentPracticeActivityAdmin(ScopedAdmin):
    list_display = ("school", "year", "activity", "participants", "days")
    list_filter = ("year",)
    search_fields = ("school__name", "activity")
    list_select_related = ("school", "year")
