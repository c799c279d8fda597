"""Sums kept up to date as the data is saved, so a province's figures are read, not recomputed.

Each row is derived data: written only by :mod:`aggregates.maintain` (on every save, delete and
bulk write of the rows it sums, in the same transaction) and rebuilt from scratch by
``manage.py rebuild_aggregates``. Nobody types into them; the formulas stay in the data apps
(:func:`labor_bases.selectors._combine`, Python's median).
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

ZERO = Decimal("0.00")


def _money(verbose):
    return models.DecimalField(verbose, max_digits=16, decimal_places=2, default=ZERO)


class SchoolYearFigures(models.Model):
    """One school's labor-base money in one year, the parts of
    :func:`labor_bases.selectors._combine` summed over the school's bases: the county's
    figures are these rows summed and combined by the same function, so they are the same
    to the cent as summing every production line."""

    school = models.ForeignKey("workstudy.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("学校"))
    year = models.ForeignKey("workstudy.ReportingYear", on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    production_value = _money(_("产品产值"))
    # Production value of the bases that filled in the year's accounts (counts as profit).
    matched_production = _money(_("有收支记录的基地产品产值"))
    other_income = _money(_("其他收入"))
    cost = _money(_("总成本"))
    remitted_to_school = _money(_("上缴学校"))
    accounts = models.PositiveIntegerField(_("年度收支份数"), default=0)
    # The school's plots in the year and what :func:`labor_bases.selectors.base_overview` sums of them.
    plot_area = models.DecimalField(_("地块面积合计"), max_digits=16, decimal_places=2, default=ZERO)
    plots = models.PositiveIntegerField(_("地块数"), default=0)
    declared_area = models.DecimalField(_("有地块基地的申报总面积"), max_digits=16, decimal_places=2, default=ZERO)
    area_mismatches = models.PositiveIntegerField(_("面积不符的基地数"), default=0)
    participants = models.PositiveIntegerField(_("实践人次"), default=0)
    practice_days = models.PositiveIntegerField(_("实践天数"), default=0)
    # A new random number each time this school's year is refreshed or anything its warnings
    # print changes (a base or the school renamed): how the labor-base warnings kept in a
    # process learn which schools to check again (:func:`labor_bases.rules.changed_schools`).
    # Random, never counted up, so a rebuild or a restore never repeats a value seen before.
    token = models.BigIntegerField(_("变更标记"), default=0)

    class Meta:
        verbose_name = _("学校年度汇总")
        verbose_name_plural = _("学校年度汇总")
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="aggregates_school_year_one")]
        indexes = [models.Index(fields=["year", "school"], name="aggregates_syf_year_idx")]

    def __str__(self):
        return f"{self.school_id} · {self.year_id}"


class ProductPriceMedian(models.Model):
    """The median unit price of one product (name, grade, unit) over every production line of a
    year with a price (LB-04's county reference), and how many lines it is the median of."""

    year = models.ForeignKey("workstudy.ReportingYear", on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    product = models.CharField(_("产品"), max_length=100)
    grade = models.CharField(_("等级/规格"), max_length=50, blank=True)
    unit = models.CharField(_("计量单位"), max_length=8)
    lines = models.PositiveIntegerField(_("产品条数"), default=0)
    # Prices have 2 decimals; the median of an even number of them may have 3.
    median = models.DecimalField(_("单价中位数"), max_digits=17, decimal_places=3)
    # New whenever ``lines`` or ``median`` is written with another value (as SchoolYearFigures.token):
    # a process that kept the medians learns from the sums of a few buckets which rows to read again.
    token = models.BigIntegerField(_("变更标记"), default=0)

    class Meta:
        verbose_name = _("产品单价中位数")
        verbose_name_plural = _("产品单价中位数")
        constraints = [models.UniqueConstraint(fields=["year", "product", "grade", "unit"], name="aggregates_price_median_one")]

    def __str__(self):
        return f"{self.year_id} {self.product} {self.grade} {self.unit}: {self.median}"
