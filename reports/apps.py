from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("年度工作总结")

    def ready(self):
        from workstudy import modules, scoping
        from workstudy.models import Role
        from workstudy.signals import year_locked, year_reopened

        from . import milestones, models, signals  # noqa: F401  (milestones registers the RP rules)

        # Bureau-level rows: principals never see them; year-bound rows are read-only once locked.
        # The summary's staff-written rows belong to a county, or with no county are shared by the
        # whole deployment (every county prints them where it has none of its own, reports.texts);
        # an example school and a school's archived return belong to its county.
        scoping.register(models.NarrativeBlock, school=None, year="year", county="county", shared_when_none=True)
        scoping.register(models.SummarySettings, school=None, year="year", county="county", shared_when_none=True)
        scoping.register(models.ArchivedDocument, school="school", year="year", shared_when_none=True)
        scoping.register(models.PolicyDocument, school=None, year=None, county="county", shared_when_none=True)
        scoping.register(models.DatedFact, school=None, year=None, county="county", shared_when_none=True)
        scoping.register(models.ExampleSchool, school=None, year="year", county="school__county")
        scoping.register(models.StatedFigure, school=None, year="year", county="county", shared_when_none=True)
        modules.register_nav(
            modules.NavItem(_("年度总结"), "reports:index", roles=(Role.STAFF, Role.AUDITOR, Role.PRINCIPAL), order=90)
        )
        year_locked.connect(signals.on_year_locked, dispatch_uid="reports.year_locked")
        year_reopened.connect(signals.on_year_reopened, dispatch_uid="reports.year_reopened")
