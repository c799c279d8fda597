from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("后勤社会化")

    def ready(self):
        # Register models with workstudy.scoping, rules and modules here.
        pass
