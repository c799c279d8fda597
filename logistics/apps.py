from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("后勤社会化")

    def ready(self):
        from django.urls import reverse

        from workstudy import modules, scoping
        from workstudy.models import Role

        from . import models, rules  # noqa: F401  (registers the LOG rules)

        scoping.register(models.ServiceCentre, school=None, year=None, county="county")
        scoping.register(models.Shop, school=None, year=None, county="centre__county")
        scoping.register(models.CapitalInvestment, school=None, year=None, county="centre__county")
        scoping.register(models.CentreYearFigures, school=None, year="year", county="centre__county")
        scoping.register(models.SalesLine, school=None, year="year", county="centre__county")
        scoping.register(models.ExamLodgingProgram, school=None, year="year", county="county")
        scoping.register(models.ExamSite, school="host_school", year="program__year")
        scoping.register(models.SchoolService, school="school", year="year")

        modules.register(modules.Module(
            key="logistics", title=_("后勤社会化"), order=30,
            url=lambda year: reverse("logistics:services") + f"?year={year}",
            counted=(models.SchoolService,),
            school_url=lambda year, school_id: reverse("logistics:services") + f"?year={year}&school={school_id}",
            figures=_figures,
        ))
        bureau = (Role.STAFF, Role.AUDITOR)
        # One menu entry: the centre page links on to exam lodging and the schools' services.
        modules.register_nav(modules.NavItem(_("后勤社会化"), "logistics:centre", roles=bureau, order=30))
        modules.register_nav(modules.NavItem(_("学校后勤"), "logistics:services", roles=(Role.PRINCIPAL,), order=30))

        from workstudy import excel_registry

        staff_only, bureau_readers = (Role.STAFF,), (Role.STAFF, Role.AUDITOR)
        excel_registry.register("logistics_sales", "logistics.resources.SalesLineResource",
                                title=_("后勤服务中心销售明细"), import_roles=staff_only, export_roles=bureau_readers)
        excel_registry.register("logistics_school_services", "logistics.resources.SchoolServiceResource",
                                title=_("学校后勤项目"))
        excel_registry.register("logistics_exam_sites", "logistics.resources.ExamSiteResource",
                                title=_("中考食宿考点"), import_roles=staff_only)


def _figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    from .review import school_figures

    return school_figures(years, school_id)
