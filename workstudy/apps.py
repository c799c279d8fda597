from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkstudyConfig(AppConfig):
    name = "workstudy"
    verbose_name = _("勤工俭学平台")

    def ready(self):
        from . import scoping
        from .models import Submission, WorkflowEvent

        scoping.register(Submission, school="school", year="year")
        scoping.register(WorkflowEvent, school="school", year="year")

        from django.utils.translation import gettext_lazy as _

        from . import excel_registry

        excel_registry.register("school_counts", "workstudy.resources.SubmissionCountsResource", title=_("学校基本情况"))
