from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LaborBasesConfig(AppConfig):
    name = "labor_bases"
    verbose_name = _("劳动实践基地")

    def ready(self):
        # Register models with workstudy.scoping, rules and modules here.
        pass
