from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = _("校办企业")

    def ready(self):
        from workstudy import modules, scoping
        from workstudy.models import Role

        from . import rules  # noqa: F401  (registers the ENT rules)
        from .models import Enterprise, EnterpriseYearStat, ReformEvent

        # Bureau-level rows, except that a school sees the enterprise it sponsors (read-only).
        scoping.register(Enterprise, school="sponsor_school", year=None, county="county")
        scoping.register(EnterpriseYearStat, school="enterprise__sponsor_school", year="year",
                         county="enterprise__county")
        scoping.register(ReformEvent, school="enterprise__sponsor_school", year="year", county="enterprise__county")
        modules.register_nav(
            modules.NavItem(_("校办企业"), "enterprises:index", roles=(Role.STAFF, Role.AUDITOR, Role.PRINCIPAL), order=10)
        )
        self._register_excel()

    def _register_excel(self):
        from workstudy import excel_registry

        excel_registry.register("enterprise_figures", "enterprises.resources.EnterpriseFiguresResource",
                                title=_("校办企业年度数据"), import_roles=("staff",))
