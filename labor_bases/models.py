"""Labor-practice land bases (劳动实践基地): each school's base, its plots by land type,
what they produce and sell, the yearly accounts, and the students' practice activities.

Derived figures are never typed: a production line's value is quantity x unit price,
a base's cost is the sum of its cost items, its revenue the sum of its lines' values
plus other income, and its profit revenue minus cost. They are computed in ``save()``.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workstudy import limits
from workstudy.models import DomainModel, ReportingYear, School
from workstudy.money import CENT, ZERO  # noqa: E402,F401  (re-exported for this app)
from workstudy.money import round_money as money  # noqa: E402  (the one rounding helper)
from workstudy.rules import collect

from . import rules


class LandType(models.TextChoices):
    GRAIN = "grain", _("粮田")
    ORCHARD = "orchard", _("果园")
    LEI_BAMBOO = "lei_bamboo", _("雷竹")
    TEA = "tea", _("茶园")
    SLASH_PINE = "slash_pine", _("湿地松")
    BARREN_HILL = "barren_hill", _("荒山")
    FISH_POND = "fish_pond", _("鱼塘")
    OTHER = "other", _("其他")


class Unit(models.TextChoices):
    KG = "kg", _("千克")
    JIN = "jin", _("斤")
    TAIL = "tail", _("尾")
    PLANT = "plant", _("株")
    PIECE = "piece", _("个")


def _money_field(verbose, limit=limits.MONEY, **kwargs):
    kwargs.setdefault("default", ZERO)
    return limits.money_field(verbose, limit, **kwargs)


def _computed_money(verbose, **kwargs):
    """A figure computed in ``save()`` from checked ones (its range is checked in ``clean()``)."""
    return models.DecimalField(verbose, max_digits=14, decimal_places=2, default=ZERO, editable=False, **kwargs)


class LaborBase(DomainModel):
    """A school's labor-practice base. A school may have more than one."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="labor_bases", verbose_name=_("学校"))
    name = models.CharField(_("基地名称"), max_length=100, help_text=_("例如：樟坪中心学校茶园基地"))
    location = models.CharField(_("位置"), max_length=200, blank=True, help_text=_("所在村组或地名"))
    established_year = limits.year_field(_("建立年份"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("劳动实践基地")
        verbose_name_plural = _("劳动实践基地")
        ordering = ["school__code", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="labor_base_unique_name_per_school")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.established_year is not None:
            this_year = timezone.localdate().year
            rules.ESTABLISHED_YEAR.check(
                1900 <= self.established_year <= this_year, "established_year",
                value=self.established_year, this_year=this_year,
            )


class BaseYearArea(DomainModel):
    """A base's declared total area (申报总面积) for one year.

    Declared per year, never on the base itself: a principal changing the area in 2024
    must not change LB-03, the school sheet or any figure of locked 2023. Read it with
    :func:`declared_area` or ``labor_bases.selectors``; a year without a row has no
    declared area (LB-03 then does not apply).
    """

    base = models.ForeignKey(LaborBase, on_delete=models.CASCADE, related_name="year_areas", verbose_name=_("基地"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    declared_total_mu = limits.area_field(
        _("申报总面积"),
        help_text=_("基地本年度登记的总面积。各地块面积之和应与它一致，不一致时审核页会提醒。"),
    )

    class Meta:
        verbose_name = _("基地年度申报面积")
        verbose_name_plural = _("基地年度申报面积")
        ordering = ["base__school__code", "base__name", "-year_id"]
        constraints = [models.UniqueConstraint(fields=["base", "year"], name="labor_area_one_per_base_year")]

    def __str__(self):
        return _("%(base)s · %(year)s 年申报总面积") % {"base": self.base, "year": self.year_id}

    def clean(self):
        super().clean()
        if self.declared_total_mu is not None:
            rules.AREA_POSITIVE.check(self.declared_total_mu > 0, "declared_total_mu", value=self.declared_total_mu)
        if self.base_id and self.year_id:
            taken = BaseYearArea.objects.filter(base_id=self.base_id, year_id=self.year_id).exclude(pk=self.pk)
            rules.ONE_AREA.check(not taken.exists(), "year", year=self.year_id)


def declared_area(base_id, year_id) -> Decimal | None:
    """The base's declared total area for ``year_id`` (None: not declared that year)."""
    return (
        BaseYearArea.objects.filter(base_id=base_id, year_id=getattr(year_id, "pk", year_id))
        .values_list("declared_total_mu", flat=True).first()
    )


class LandParcel(DomainModel):
    """One plot of a base in one year: its land type, what grows there and its area (亩)."""

    base = models.ForeignKey(LaborBase, on_delete=models.PROTECT, related_name="parcels", verbose_name=_("基地"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    land_type = models.CharField(_("土地类型"), max_length=16, choices=LandType.choices)
    land_type_note = models.CharField(
        _("其他类型说明"), max_length=50, blank=True, help_text=_("土地类型选“其他”时请写明，例如：蔬菜大棚"),
    )
    crop = models.CharField(_("种植/养殖品种"), max_length=100, blank=True, help_text=_("例如：茶、桔、雪梨、水稻、草鱼"))
    area_mu = limits.area_field(_("面积"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("基地地块")
        verbose_name_plural = _("基地地块")
        ordering = ["base__school__code", "base__name", "land_type", "pk"]

    def __str__(self):
        return f"{self.base} · {self.land_type_label} {self.area_mu} {_('亩')}"

    @property
    def land_type_label(self) -> str:
        if self.land_type == LandType.OTHER and self.land_type_note:
            return f"{self.get_land_type_display()}（{self.land_type_note}）"
        return str(self.get_land_type_display())

    def clean(self):
        super().clean()
        if self.area_mu is not None:
            rules.AREA_POSITIVE.check(self.area_mu > 0, "area_mu", value=self.area_mu)
        if self.land_type == LandType.OTHER:
            rules.OTHER_NEEDS_NOTE.check(bool(self.land_type_note.strip()), "land_type_note")


_LINE_TOTALS: ContextVar[dict | None] = ContextVar("production_line_totals", default=None)


class ProductionLine(DomainModel):
    """A product of a base in one year: how much, at what average price, and its value."""

    base = models.ForeignKey(LaborBase, on_delete=models.PROTECT, related_name="lines", verbose_name=_("基地"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    parcel = models.ForeignKey(
        LandParcel, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines", verbose_name=_("所在地块"),
        help_text=_("可不填"),
    )
    product = models.CharField(_("产品"), max_length=100, help_text=_("例如：茶叶、稻谷、桔、鲜鱼"))
    grade = models.CharField(_("等级/规格"), max_length=50, blank=True, help_text=_("例如：一级嫩茶、二级茶"))
    quantity = limits.quantity_field(_("产量"))
    unit = models.CharField(_("计量单位"), max_length=8, choices=Unit.choices, default=Unit.KG)
    unit_price = _money_field(_("平均单价"), limits.PRICE, help_text=_("元/计量单位"))
    value = _computed_money(_("产值"), help_text=_("自动计算：产量 × 平均单价"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("产品产销")
        verbose_name_plural = _("产品产销")
        ordering = ["base__school__code", "base__name", "product", "grade", "pk"]

    def __str__(self):
        grade = f"（{self.grade}）" if self.grade else ""
        return f"{self.base} · {self.product}{grade}"

    def compute_value(self) -> Decimal:
        return money((self.quantity or 0) * (self.unit_price or 0))

    def limited_value(self) -> Decimal | None:
        """The line's value when its quantity and price are within their limits (else None:
        their own errors are shown, and their product may not even be representable)."""
        if limits.PRICE.contains(self.unit_price) and limits.QUANTITY.contains(self.quantity):
            return self.compute_value()
        return None

    def clean(self):
        super().clean()
        checks = [self._check_parcel]
        if self.limited_value() is not None:
            checks.append(self._check_value)
        collect(*checks)

    def _check_parcel(self):
        if self.parcel_id is not None and self.base_id is not None:
            parcel = self.parcel
            rules.PARCEL_SAME_BASE.check(
                parcel.base_id == self.base_id and parcel.year_id == self.year_id, "parcel",
            )

    def _check_value(self):
        value = self.compute_value()
        limits.MONEY.check_computed(value, "unit_price", _("产值"), _("产量 × 平均单价"))
        if self.base_id and self.year_id:
            known = _LINE_TOTALS.get()
            if known is not None:
                total = known.get((self.base_id, self.year_id), value)
            else:
                others = ProductionLine.objects.filter(base_id=self.base_id, year_id=self.year_id).exclude(pk=self.pk)
                total = value + (others.aggregate(total=Coalesce(Sum("value"), ZERO))["total"] or ZERO)
            limits.MONEY.check_computed(total, "unit_price", _("基地本年度产品产值合计"), _("各产品产值之和"))

    @classmethod
    @contextlib.contextmanager
    def cleaning_many(cls, instances):
        """While the Excel import runs ``clean()`` on every row of a file: each base's total
        production value for the year with the file's lines in it, in one query per file."""
        lines = [i for i in instances if i.base_id and i.year_id]
        totals: dict = {}
        for line in lines:
            key = (line.base_id, line.year_id)
            totals[key] = totals.get(key, ZERO) + (line.limited_value() or ZERO)
        if totals:
            kept = cls.objects.filter(
                base_id__in={k[0] for k in totals}, year_id__in={k[1] for k in totals},
            ).exclude(pk__in=[line.pk for line in lines if line.pk])
            for row in kept.values("base_id", "year_id").annotate(total=Sum("value")).order_by():
                key = (row["base_id"], row["year_id"])
                if key in totals:
                    totals[key] += row["total"] or ZERO
        token = _LINE_TOTALS.set(totals)
        try:
            yield
        finally:
            _LINE_TOTALS.reset(token)

    # The line and its base's accounts (production value, revenue, profit) in one transaction.
    def save(self, *args, **kwargs):
        self.value = self.compute_value()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "value"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            BaseYearFinance.refresh(self.base_id, self.year_id)

    def delete(self, *args, **kwargs):
        base_id, year_id = self.base_id, self.year_id
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            BaseYearFinance.refresh(base_id, year_id)
        return result

    # What save() does, for new lines written together with bulk_create (Excel import).
    @classmethod
    def bulk_prepare(cls, lines) -> None:
        for line in lines:
            line.value = line.compute_value()

    @classmethod
    def bulk_saved(cls, lines) -> None:
        BaseYearFinance.refresh_many({(line.base_id, line.year_id) for line in lines})


COST_FIELDS = ("seedling_cost", "fertilizer_cost", "labor_cost", "equipment_cost", "other_cost")


# The accounts' formulas, for one base here and summed over bases in ``selectors._combine``.
def total_cost(accounts) -> Decimal:
    """总成本 = the cost items' sum."""
    return money(sum((getattr(accounts, f) or ZERO) for f in COST_FIELDS))


def total_revenue(production_value, other_income) -> Decimal:
    """总收入 = 产品产值 + 其他收入."""
    return money((production_value or ZERO) + (other_income or ZERO))


def profit_of(revenue, cost) -> Decimal:
    """利润 = 总收入 − 总成本 (revenue matched by known cost: see ``selectors._combine``)."""
    return money(revenue - cost)


class BaseYearFinance(DomainModel):
    """A base's accounts for one year. Revenue, cost and profit are computed."""

    base = models.ForeignKey(LaborBase, on_delete=models.PROTECT, related_name="finances", verbose_name=_("基地"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    other_income = _money_field(_("其他收入"), help_text=_("产品销售以外的收入，例如补助、租金"))
    seedling_cost = _money_field(_("种苗"))
    fertilizer_cost = _money_field(_("肥料农药"))
    labor_cost = _money_field(_("人工"))
    equipment_cost = _money_field(_("设备"))
    other_cost = _money_field(_("其他成本"))
    remitted_to_school = _money_field(_("上缴学校"), help_text=_("本年从基地收益中交给学校的金额"))
    note = models.TextField(_("备注"), blank=True)
    # Computed, never typed:
    production_value = _computed_money(_("产品产值"))
    revenue = _computed_money(_("总收入"))
    cost = _computed_money(_("总成本"))
    profit = _computed_money(_("利润"))

    class Meta:
        verbose_name = _("基地年度收支")
        verbose_name_plural = _("基地年度收支")
        ordering = ["base__school__code", "base__name"]
        constraints = [models.UniqueConstraint(fields=["base", "year"], name="labor_finance_one_per_base_year")]

    def __str__(self):
        return _("%(base)s · %(year)s 年收支") % {"base": self.base, "year": self.year_id}

    @staticmethod
    def production_value_of(base_id, year_id) -> Decimal:
        total = ProductionLine.objects.filter(base_id=base_id, year_id=year_id).aggregate(
            total=Coalesce(Sum("value"), ZERO)
        )["total"]
        return money(total)

    def compute(self, *, production_value=None) -> None:
        """``production_value``: the lines' total if the caller already summed it (refresh_many)."""
        self.production_value = (
            money(production_value) if production_value is not None
            else self.production_value_of(self.base_id, self.year_id)
        )
        self.cost = total_cost(self)
        self.revenue = total_revenue(self.production_value, self.other_income)
        self.profit = profit_of(self.revenue, self.cost)

    def clean(self):
        super().clean()
        typed = (*COST_FIELDS, "other_income")
        if all(limits.MONEY.contains(getattr(self, f) or 0) for f in typed):
            # From the typed items and the product value the lines' saves keep on the row (no
            # query: the Excel import cleans a whole file of accounts; a new row's is counted
            # when saved, and each part being limited, any sum still fits its column).
            cost, revenue = total_cost(self), total_revenue(self.production_value, self.other_income)
            collect(
                lambda: limits.MONEY.check_computed(cost, "other_cost", _("总成本"), _("各项成本之和")),
                lambda: limits.MONEY.check_computed(revenue, "other_income", _("总收入"), _("产品产值 + 其他收入")),
            )
        if self.base_id and self.year_id:
            taken = BaseYearFinance.objects.filter(base_id=self.base_id, year_id=self.year_id).exclude(pk=self.pk)
            rules.ONE_FINANCE.check(not taken.exists(), "base", year=self.year_id)

    def save(self, *args, **kwargs):
        self.compute()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "production_value", "revenue", "cost", "profit"}
        super().save(*args, **kwargs)

    @classmethod
    def refresh(cls, base_id, year_id) -> None:
        """Recompute the cached revenue/profit after a production line changed.

        Through :meth:`refresh_many`, which updates the computed fields only, so the accounts'
        version does not move: a principal editing the cost items while adding a line elsewhere
        is not told someone else changed them. The lines' own history records the change.
        """
        cls.refresh_many({(base_id, year_id)})

    @classmethod
    def refresh_many(cls, pairs) -> None:
        """:meth:`refresh` for many (base, year) pairs at once: three queries, not three per pair."""
        pairs = set(pairs)
        if not pairs:
            return
        bases, years = {b for b, _y in pairs}, {y for _b, y in pairs}
        totals = {
            (row["base_id"], row["year_id"]): row["total"]
            for row in ProductionLine.objects.filter(base_id__in=bases, year_id__in=years)
            .values("base_id", "year_id").annotate(total=Sum("value")).order_by()
        }
        changed = []
        for finance in cls.objects.filter(base_id__in=bases, year_id__in=years):
            key = (finance.base_id, finance.year_id)
            if key in pairs:
                finance.compute(production_value=totals.get(key) or ZERO)
                changed.append(finance)
        cls.objects.bulk_update(changed, ["production_value", "revenue", "profit"], batch_size=500)


class StudentPracticeActivity(DomainModel):
    """Students' practice on the base: e.g. 采茶, 参观焙制流程 (participants in 人次)."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="practice_activities", verbose_name=_("学校"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    base = models.ForeignKey(
        LaborBase, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
        verbose_name=_("基地"), help_text=_("可不填"),
    )
    activity = models.CharField(_("实践活动"), max_length=100, help_text=_("例如：采茶、参观茶叶焙制流程、插秧"))
    participants = limits.count_field(_("参加学生"), help_text=_("人次：一名学生参加两次算 2 人次"))
    days = limits.count_field(_("活动天数"), limits.DAYS, default=1)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学生劳动实践活动")
        verbose_name_plural = _("学生劳动实践活动")
        ordering = ["school__code", "activity", "pk"]

    def __str__(self):
        return f"{self.school} · {self.activity}"

    def clean(self):
        super().clean()
        if self.base_id is not None and self.school_id is not None:
            rules.ACTIVITY_BASE_SCHOOL.check(self.base.school_id == self.school_id, "base")
