from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborEducationConfig(AppConfig):
    name = "labor_education"
    verbose_name = _("劳动教育")

    def ready(self):
        from django.urls import reverse

        from workstudy import excel_registry, modules, scoping
        from workstudy.models import Role

        from . import models, rules  # noqa: F401  (registers the LE rules)

        scoping.register(models.LaborEducation, school="school", year="year")

        modules.register(modules.Module(
            key="labor_education", title=_("劳动教育"), order=25,
            url=lambda year: reverse("labor_education:index") + f"?year={year}",
            counted=(models.LaborEducation,),
            school_url=_school_url, figures=_figures,
        ))
        modules.register_nav(modules.NavItem(
            _("劳动教育"), "labor_education:index", roles=(Role.STAFF, Role.PRINCIPAL, Role.AUDITOR), order=25))
        excel_registry.register("labor_education", "labor_education.resources.LaborEducationResource",
                                title=_("劳动教育情况"))


def _school_url(year: int, school_id: int) -> str:
    from .review import school_url

    return school_url(year, school_id)


def _figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    from .review import school_figures

    return school_figures(years, school_id)
