from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkstudyConfig(AppConfig):
    name = "workstudy"
    verbose_name = _("勤工俭学平台")

    def ready(self):
        from . import checks, scoping  # noqa: F401 (checks: registers the system checks)
        from .models import Reminder, Submission, WarningNote, WorkflowEvent

        scoping.register(Submission, school="school", year="year")
        scoping.register(WorkflowEvent, school="school", year="year", shared_when_none=True)  # lock events: own county
        scoping.register(WarningNote, school="school", year="year")
        scoping.register(Reminder, school="school", year="year")

        from django.utils.translation import gettext_lazy as _

        from . import excel_registry

        # Connected before the apps listed after the core (reports keeps the summary at the lock,
        # and reads these warnings for its appendix).
        from .signals import year_locked, year_reopened

        year_locked.connect(_freeze_findings, dispatch_uid="workstudy.freeze_findings")
        year_reopened.connect(_thaw_findings, dispatch_uid="workstudy.thaw_findings")

        excel_registry.register("school_counts", "workstudy.resources.SubmissionCountsResource", title=_("学校基本情况"))


def _freeze_findings(sender, year, whole=True, **kwargs):
    """The warnings are kept once the whole year is locked (a county locked before its neighbours
    reads its own, unchanging, from the data its lock keeps read-only)."""
    from .rules import freeze_findings

    if whole:
        freeze_findings(year.pk)


def _thaw_findings(sender, year, **kwargs):
    from .rules import thaw_findings

    thaw_findings(year.pk)
