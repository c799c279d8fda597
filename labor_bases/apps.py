from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborBasesConfig(AppConfig):
    name = "labor_bases"
    verbose_name = _("劳动实践基地")

    def ready(self):
        from django.urls import reverse

        from workstudy import modules, scoping

        from . import rules
        from .models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity

        scoping.register(LaborBase, school="school", year=None)
        scoping.register(BaseYearArea, school="base__school", year="year")
        scoping.register(LandParcel, school="base__school", year="year")
        scoping.register(ProductionLine, school="base__school", year="year")
        scoping.register(BaseYearFinance, school="base__school", year="year")
        scoping.register(StudentPracticeActivity, school="school", year="year")

        modules.register(
            modules.Module(
                key="labor_bases",
                title=_("劳动实践基地"),
                order=20,
                url=lambda year: reverse("labor_bases:index") + f"?year={year}",
                counted=(LandParcel, ProductionLine),  # the checklist's count: plots + production lines
                submit_errors=rules.submit_errors,
                school_url=lambda year, school_id: reverse("labor_bases:index") + f"?year={year}&school={school_id}",
                figures=_figures,
            )
        )
        modules.register_nav(
            modules.NavItem(_("劳动实践基地"), "labor_bases:index", roles=("staff", "principal", "auditor"), order=20)
        )
        from workstudy import excel_registry, widgets

        from .pickers import BASES, PARCELS

        widgets.register_picker(BASES)
        widgets.register_picker(PARCELS)

        excel_registry.register("labor_plots", "labor_bases.resources.PlotResource", title=_("基地地块"))
        excel_registry.register("labor_production", "labor_bases.resources.ProductionResource", title=_("基地产品产销"))


def _figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    from .review import school_figures

    return school_figures(years, school_id)
