"""What the official return (勤工俭学（校办产业）综合统计报表) asks of a school-run enterprise
and the portal did not yet hold: one row per enterprise and year with its sector, output
value, assets and liabilities, tax relief and the uses of the 补贴教育经费 it handed over.

Revenue, cost, profit, taxes paid, staff and the 补贴教育经费 itself stay where they are
(:class:`enterprises.models.EnterpriseYearStat`); this row adds to that one and is refused
without it (SR-02). Entered by bureau staff, like the enterprise's other figures.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, EnterpriseYearStat
from workstudy import limits
from workstudy.models import DomainModel, ReportingYear
from workstudy.rules import collect

from . import rules

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
USE_FIELDS = ("use_base_building", "use_school_conditions", "use_collective_welfare", "use_personal_welfare", "use_other")


def shown(value) -> str:
    """Money as the messages print it: 1234.5 -> '1,234.50'."""
    return f"{Decimal(value):,.2f}"


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("农林牧渔业")
    INDUSTRY = "industry", _("工业建筑业")
    TERTIARY = "tertiary", _("第三产业")


class EnterpriseReturn(DomainModel):

    # What is entered per enterprise and year, on the page and in Excel alike.
    ENTRY_FIELDS = (
        "enterprise", "year", "sector", "output_value", "assets", "liabilities", "equity", "tax_relief",
        "use_base_building", "use_school_conditions", "use_collective_welfare", "use_personal_welfare",
        "use_other", "year_end_balance", "note",
    )
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="return_figures", verbose_name=_("企业"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    sector = models.CharField(_("行业"), max_length=16, choices=Sector.choices)
    output_value = limits.money_field(_("总产值"), default=ZERO, help_text=_("单位：元"))
    assets = limits.money_field(_("资产总额"), default=ZERO, help_text=_("年末数，单位：元"))
    liabilities = limits.money_field(_("负债总额"), default=ZERO, help_text=_("年末数，单位：元"))
    equity = models.DecimalField(
        _("所有者权益"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("等于资产总额减负债总额；不填则自动计算，资不抵债时为负数。"),
    )
    tax_relief = limits.money_field(_("减免税金"), default=ZERO, help_text=_("本年享受的税收减免，单位：元"))
    use_base_building = limits.money_field(_("用于基地建设"), default=ZERO)
    use_school_conditions = limits.money_field(_("用于改善办学条件"), default=ZERO)
    use_collective_welfare = limits.money_field(_("用于集体福利"), default=ZERO)
    use_personal_welfare = limits.money_field(_("用于个人福利"), default=ZERO)
    use_other = limits.money_field(_("用于其他"), default=ZERO)
    year_end_balance = limits.money_field(_("年末结余"), default=ZERO, help_text=_("利润分配后年末结余（未分配利润），单位：元"))
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("企业统计报表数据")
        verbose_name_plural = _("企业统计报表数据")
        ordering = ["-year_id", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="statreturn_one_per_enterprise_year"),
        ]

    def __str__(self):
        name = self.enterprise.name if self.enterprise_id else "—"
        return _("%(name)s %(year)s 年统计报表数据") % {"name": name, "year": self.year_id}

    def get_absolute_url(self):
        return reverse("statreturn:figures") + f"?year={self.year_id}&enterprise={self.enterprise_id}"

    @property
    def uses_total(self) -> Decimal:
        return sum((getattr(self, name) or ZERO for name in USE_FIELDS), ZERO)

    def year_figures(self) -> EnterpriseYearStat | None:
        if not (self.enterprise_id and self.year_id):
            return None
        if not hasattr(self, "_year_figures"):
            self._year_figures = EnterpriseYearStat.objects.filter(enterprise_id=self.enterprise_id, year_id=self.year_id).first()
        return self._year_figures

    def expected_equity(self) -> Decimal | None:
        if self.assets is None or self.liabilities is None:
            return None
        return (Decimal(self.assets) - Decimal(self.liabilities)).quantize(CENT)

    def clean(self):
        super().clean()
        collect(self._check_one_per_year, self._check_year_figures, self._check_equity, self._check_uses)
        if self.equity is None:
            self.equity = self.expected_equity()

    def _check_one_per_year(self):
        if self.enterprise_id and self.year_id:
            taken = EnterpriseReturn.objects.filter(enterprise_id=self.enterprise_id, year_id=self.year_id)
            rules.ONE_PER_YEAR.check(
                not taken.exclude(pk=self.pk).exists(), "enterprise", name=self.enterprise.name, year=self.year_id
            )

    def _check_year_figures(self):
        if self.enterprise_id and self.year_id:
            rules.NEEDS_YEAR_FIGURES.check(
                self.year_figures() is not None, "enterprise", name=self.enterprise.name, year=self.year_id
            )

    def _limited(self, *names) -> bool:
        return all(limits.MONEY.contains(getattr(self, name)) for name in names)

    def _check_equity(self):
        if self.equity is None or not self._limited("assets", "liabilities"):
            return
        expected = self.expected_equity()
        rules.EQUITY_BALANCES.check(
            Decimal(self.equity).quantize(CENT) == expected,
            "equity",
            assets=shown(self.assets),
            liabilities=shown(self.liabilities),
            expected=shown(expected),
            equity=shown(self.equity),
        )

    def _check_uses(self):
        figures = self.year_figures()
        if figures is None or not self._limited(*USE_FIELDS):
            return
        uses = self.uses_total
        subsidy = figures.remitted_to_education or ZERO
        rules.USES_WITHIN_SUBSIDY.check(
            uses <= subsidy, "use_other", uses=shown(uses), subsidy=shown(subsidy), name=self.enterprise.name, year=self.year_id
        )

    def save(self, *args, **kwargs):
        if self.equity is None:
            self.equity = self.expected_equity()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "equity"}
        return super().save(*args, **kwargs)
