from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsuranceConfig(AppConfig):
    name = "insurance"
    verbose_name = _("学校保险与理赔")

    def ready(self):
        # Register models with workstudy.scoping, rules and modules here.
        pass
