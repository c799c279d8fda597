from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _module_counts(year: int) -> dict[int, int]:
    """学平险 rows + claims per school for ``year``, in one query."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from workstudy.models import School

    from .models import Claim, StudentAccidentCoverage

    def count_of(model):
        return Coalesce(
            Subquery(
                model.objects.filter(school_id=OuterRef("pk"), year_id=year)
                .values("school_id")
                .annotate(n=Count("id"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        )

    rows = School.objects.annotate(cov=count_of(StudentAccidentCoverage), clm=count_of(Claim)).values_list("pk", "cov", "clm")
    return {pk: cov + clm for pk, cov, clm in rows if cov + clm}


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

        scoping.register(Insurer, school=None, year=None)
        scoping.register(FundingRule, school=None, year=None)
        scoping.register(InsurancePolicy, school="school", year="year")
        scoping.register(PremiumFunding, school="policy__school", year="policy__year")
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
            )
        )
        modules.register_nav(
            modules.NavItem(_("保险与理赔"), "insurance:index", roles=(Role.STAFF, Role.PRINCIPAL, Role.AUDITOR), order=40)
        )
        try:
            from workstudy import excel  # noqa: F401
        except ImportError:
            return
        from . import resources

        resources.register()
