from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("年度工作总结")

    def ready(self):
        # Register models with workstudy.scoping, rules and modules here.
        pass
