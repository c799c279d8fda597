from django.db import models
from django.utils.translation import gettext_lazy as _


class DataVersion(models.Model):
    """How many committed transactions have changed an app's data (schools, years and returns
    count as the app ``workstudy``). Raised by :func:`workstudy.freshness.bump` after commit, so
    a reader that sees the new number also sees the data: cached figures keyed by it are never
    older than the data, whatever order concurrent transactions took their ids in."""

    app = models.CharField(_("应用"), max_length=64, primary_key=True)
    version = models.BigIntegerField(_("版本"), default=0)

    class Meta:
        verbose_name = _("数据版本")
        verbose_name_plural = _("数据版本")

    def __str__(self):
        return f"{self.app}={self.version}"
