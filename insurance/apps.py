from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("学校保险与理赔")

    def ready(self):
        from django.urls import reverse

        from workstudy import modules, scoping
        from workstudy.models import Role

        from . import rules  # noqa: F401  (registers the INS rules)
        from .models import (
            Claim,
            ClaimDocument,
            FundingRule,
            InsurancePolicy,
            Insurer,
            PremiumFunding,
            StudentAccidentCoverage,
        )

        scoping.register(Insurer, school=None, year=None, county="county")
        scoping.register(FundingRule, school=None, year=None, county="county")
        scoping.register(InsurancePolicy, school="school", year="year", county="county")
        scoping.register(PremiumFunding, school="policy__school", year="policy__year", county="policy__county")
        scoping.register(StudentAccidentCoverage, school="school", year="year")
        scoping.register(Claim, school="school", year="year")
        scoping.register(ClaimDocument, school="claim__school", year="claim__year")

        modules.register(
            modules.Module(
                key="insurance",
                title=_("学校保险与理赔"),
                order=40,
                url=lambda year: reverse("insurance:index") + f"?year={year}",
                counted=(StudentAccidentCoverage, Claim),  # 学平险 rows + claims
                school_url=_school_url,
                figures=_figures,
            )
        )
        modules.register_nav(
            modules.NavItem(_("保险与理赔"), "insurance:index", roles=(Role.STAFF, Role.PRINCIPAL, Role.AUDITOR), order=40)
        )
        from workstudy import excel_registry

        excel_registry.register("insurance_coverage", "insurance.resources.CoverageResource", title=_("学平险投保统计"))
        # Export only: nobody may import claims from a spreadsheet.
        excel_registry.register("insurance_claims", "insurance.resources.ClaimExportResource", title=_("理赔案件"),
                                import_roles=())


def _school_url(year: int, school_id: int) -> str:
    from .selectors import rows_url

    return rows_url("coverage", year, school=school_id)


def _figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    from .review import school_figures

    return school_figures(years, school_id)
