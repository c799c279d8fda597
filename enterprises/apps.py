from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("校办企业")

    def ready(self):
        # Register models with workstudy.scoping, rules and modules here.
        pass
