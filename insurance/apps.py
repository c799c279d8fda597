from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _module_counts(year: int, school_ids=None) -> dict[int, int]:
    """学平险 rows + claims per school for ``year`` (all schools, or only ``school_ids``), in one
    query (two grouped counts, UNION ALL).

    (A correlated subquery per school is slow at province size, 15,000 schools.)
    """
    from collections import Counter

    from django.db.models import Count

    from .models import Claim, StudentAccidentCoverage

    ids = None if school_ids is None else list(school_ids)

    def grouped(model):
        qs = model.objects.filter(year_id=year)
        if ids is not None:
            qs = qs.filter(school_id__in=ids)
        return qs.values("school_id").annotate(n=Count("id")).order_by()

    counts: Counter = Counter()
    for school_id, n in grouped(StudentAccidentCoverage).union(grouped(Claim), all=True).values_list("school_id", "n"):
        counts[school_id] += n
    return {school_id: n for school_id, n in counts.items() if n}


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
                counts=_module_counts,
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


def _figures(year: int, school_id: int) -> list[dict]:
    from .review import school_figures

    return school_figures(year, school_id)
