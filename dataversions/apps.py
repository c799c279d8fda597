from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DataVersionsConfig(AppConfig):
    name = "dataversions"
    verbose_name = _("数据版本")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from workstudy import freshness

        freshness.connect()
