from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UpwardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "upward"
    verbose_name = _("逐级上报")
