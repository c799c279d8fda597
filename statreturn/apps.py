from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatReturnConfig(AppConfig):
    name = "statreturn"
    verbose_name = _("综合统计报表")

    def ready(self):
        from workstudy import excel_registry, modules, scoping
        from workstudy.models import Role

        from . import models, rules  # noqa: F401  (registers the SR rules)

        # An enterprise's rows: the bureau's, read-only to the school that sponsors it (as its yearly figures).
        scoping.register(models.EnterpriseReturn, school="enterprise__sponsor_school", year="year")
        modules.register_nav(
            modules.NavItem(_("统计报表"), "statreturn:index", roles=(Role.STAFF, Role.AUDITOR, Role.PRINCIPAL), order=60)
        )
        excel_registry.register(
            "statreturn_enterprise",
            "statreturn.resources.EnterpriseReturnResource",
            title=_("企业统计报表数据"),
            import_roles=(Role.STAFF,),
        )
