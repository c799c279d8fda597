"""后勤社会化: the bureau's logistics service centre (腾飞学校后勤服务中心), its shops,
sales and investments; the schools' own canteens, shops and dormitories; and the
exam-period board and lodging programme for 中考 candidates (中考考生食宿保障).

Money is in 元 (Decimal 14,2). Counts are whole numbers. The centre's revenue is never
typed: it is the sum of its sales lines.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from workstudy import limits
from workstudy.models import DomainModel, Region, ReportingYear, School, county_field
from workstudy.rules import collect

from . import rules

ZERO = Decimal("0.00")


money = limits.money_field


class Category(models.TextChoices):
    STATIONERY = "stationery", _("文化办公用品")
    SPORTS_EQUIPMENT = "sports_equipment", _("体育器材")
    SPORTSWEAR = "sportswear", _("运动服装")
    OTHER = "other", _("其他商品")


class CustomerKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    SOCIETY = "society", _("社会")


class InvestmentKind(models.TextChoices):
    WAREHOUSE_STORE = "warehouse_store", _("仓库及店面")
    VEHICLE = "vehicle", _("车辆")
    EQUIPMENT = "equipment", _("设备")
    OTHER = "other", _("其他")


class ServiceKind(models.TextChoices):
    CANTEEN = "canteen", _("食堂")
    SHOP = "shop", _("校园超市")
    DORMITORY = "dormitory", _("学生公寓")
    OTHER = "other", _("其他")


class ServiceMode(models.TextChoices):
    SELF_RUN = "self_run", _("自营")
    CONTRACTED = "contracted", _("承包")
    ENTRUSTED = "entrusted", _("托管")


def split_categories(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class ServiceCentre(DomainModel):
    """A bureau-run logistics service centre, e.g. 贵溪市腾飞学校后勤服务中心 (bureau level)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    county = county_field()
    founded_year = limits.year_field(_("创办年份"))
    exam_lodging_from_year = limits.year_field(
        _("中考食宿统一管理起始年份"), null=True, blank=True,
        help_text=_("从哪一年起由本中心统一负责中考考生食宿。"),
    )
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("后勤服务中心")
        verbose_name_plural = _("后勤服务中心")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.founded_year and self.exam_lodging_from_year:
            rules.YEAR_ORDER.check(
                self.exam_lodging_from_year >= self.founded_year, "exam_lodging_from_year",
                what=_("中考食宿统一管理起始年份"), value=self.exam_lodging_from_year, founded=self.founded_year,
            )


class Shop(DomainModel):
    """A storefront of the centre and the categories it sells (comma list of Category)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="shops", verbose_name=_("服务中心"))
    name = models.CharField(_("店面名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    categories = models.CharField(
        _("经营类别"), max_length=200, help_text=_("可多选：文化办公用品、体育器材、运动服装。")
    )
    opened_year = limits.year_field(_("开业年份"), null=True, blank=True)
    active = models.BooleanField(_("在营"), default=True)

    class Meta:
        verbose_name = _("店面")
        verbose_name_plural = _("店面")
        ordering = ["centre_id", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="logistics_shop_unique_name")]

    def __str__(self):
        return self.name

    @property
    def category_list(self) -> list[str]:
        return split_categories(self.categories)

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels.get(code, code)) for code in self.category_list]

    def clean(self):
        super().clean()
        codes = self.category_list
        bad = [code for code in codes if code not in Category.values]
        rules.SHOP_CATEGORIES.check(bool(codes) and not bad, "categories", value=",".join(bad) or "—")
        self.categories = ",".join(code for code in Category.values if code in codes)


class CentreYearFigures(DomainModel):
    """The centre's yearly operating figures. Revenue is Σ SalesLine.amount of the year."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="year_figures", verbose_name=_("服务中心")
    )
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    vehicles = limits.count_field(_("送货车辆"), limits.COUNT, default=0, help_text=_("单位：辆"))
    deliveries = limits.count_field(_("送货上门次数"), limits.COUNT, default=0, help_text=_("单位：次"))
    cost = money(_("成本"), default=ZERO)
    remitted_to_education = money(_("上缴/补贴教育经费"), default=ZERO)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("服务中心年度经营情况")
        verbose_name_plural = _("服务中心年度经营情况")
        ordering = ["-year_id", "centre_id"]
        constraints = [models.UniqueConstraint(fields=["centre", "year"], name="logistics_figures_one_per_year")]

    def __str__(self):
        return f"{self.centre} {self.year_id}"

    @property
    def revenue(self) -> Decimal:
        """Σ of the centre's sales lines of this year (one query; lists use the selectors, or
        annotate ``sales_total`` as the API list does)."""
        if "sales_total" in self.__dict__:
            return self.__dict__["sales_total"]
        if not self.centre_id or not self.year_id:
            return ZERO
        return SalesLine.objects.filter(centre_id=self.centre_id, year_id=self.year_id).aggregate(
            total=Coalesce(Sum("amount"), ZERO)
        )["total"]

    @property
    def profit(self) -> Decimal:
        return self.revenue - (self.cost or ZERO)


class SalesLine(DomainModel):
    """Sales of one category to one kind of customer in a year (optionally per shop)."""

    centre = models.ForeignKey(ServiceCentre, on_delete=models.PROTECT, related_name="sales", verbose_name=_("服务中心"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    shop = models.ForeignKey(
        Shop, null=True, blank=True, on_delete=models.PROTECT, related_name="sales", verbose_name=_("店面"),
        help_text=_("送货上门等不经店面的销售可不填。"),
    )
    category = models.CharField(_("商品类别"), max_length=20, choices=Category.choices)
    customer_kind = models.CharField(_("客户类型"), max_length=16, choices=CustomerKind.choices)
    amount = money(_("销售额"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("销售明细")
        verbose_name_plural = _("销售明细")
        ordering = ["-year_id", "centre_id", "shop__name", "category", "customer_kind", "pk"]

    def __str__(self):
        shop = f" {self.shop.name}" if self.shop_id else ""
        return f"{self.year_id}{shop} {self.get_category_display()} {self.get_customer_kind_display()}"

    def clean(self):
        super().clean()
        self._check_shop()

    def _check_shop(self):
        if self.shop_id and self.centre_id:
            shop = self.shop
            rules.SHOP_OF_CENTRE.check(shop.centre_id == self.centre_id, "shop", shop=shop.name)
            if self.category:
                rules.SHOP_SELLS_CATEGORY.check(
                    self.category in shop.category_list, "category",
                    shop=shop.name, category=self.get_category_display(),
                )
            if shop.opened_year and self.year_id:
                rules.SHOP_OPEN_IN_YEAR.check(
                    shop.opened_year <= self.year_id, "shop", shop=shop.name, opened=shop.opened_year, year=self.year_id,
                )


class CapitalInvestment(DomainModel):
    """The centre's own investments, e.g. the 十余万元 warehouse and storefront.

    ``year`` is a plain calendar year, not a reporting year: investments made long
    before the portal existed (the 2016 warehouse) are part of the centre's history.
    """

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="investments", verbose_name=_("服务中心")
    )
    year = limits.year_field(_("投资年份"))
    kind = models.CharField(_("投资项目"), max_length=20, choices=InvestmentKind.choices)
    amount = money(_("投资金额"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("投资建设")
        verbose_name_plural = _("投资建设")
        ordering = ["year", "pk"]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"

    def clean(self):
        super().clean()
        if self.centre_id and self.year:
            founded = self.centre.founded_year
            rules.YEAR_ORDER.check(
                self.year >= founded, "year", what=_("投资年份"), value=self.year, founded=founded,
            )


class SchoolService(DomainModel):
    """A school's canteen, campus shop, dormitory or other service in a year, and how it is run."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="logistics_services", verbose_name=_("学校"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    kind = models.CharField(_("项目"), max_length=16, choices=ServiceKind.choices)
    name = models.CharField(_("名称"), max_length=100, blank=True, help_text=_("如“第一食堂”，只有一处可不填。"))
    mode = models.CharField(_("经营方式"), max_length=16, choices=ServiceMode.choices)
    operator = models.CharField(
        _("经营方"), max_length=100, blank=True, help_text=_("承包或托管时填写承包人或托管单位。")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("学校后勤项目")
        verbose_name_plural = _("学校后勤项目")
        ordering = ["-year_id", "school__code", "kind", "name"]

    def __str__(self):
        label = self.name or self.get_kind_display()
        return f"{label}（{self.get_mode_display()}）"

    def clean(self):
        super().clean()
        if self.mode in (ServiceMode.CONTRACTED, ServiceMode.ENTRUSTED):
            rules.OPERATOR_REQUIRED.check(bool(self.operator.strip()), "operator", mode=self.get_mode_display())


class ExamLodgingProgram(DomainModel):
    """中考考生食宿保障 of one county in one year, run by the county's centre at 2-3 urban host
    schools. One programme per county and year: every county of a deployment records its own.

    ``county`` is always the operator's county: filled from the operator when the row is
    cleaned or saved, and a row whose county and operator disagree is refused (LOG-15). It is
    kept as a column of its own so the database holds the one-per-county-and-year rule.
    """

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    county = county_field()
    operator = models.ForeignKey(
        ServiceCentre, on_delete=models.PROTECT, related_name="exam_programs", verbose_name=_("承办单位")
    )
    candidates_lodged = limits.count_field(_("食宿考生"), help_text=_("单位：人"))
    beds = limits.count_field(_("床位"), limits.COUNT, help_text=_("单位：张；一人一床"))
    meals = limits.count_field(_("供餐"), limits.COUNT, default=0, help_text=_("单位：人次"))
    fee_per_candidate = money(_("每生收费"), limits.PRICE)
    revenue = money(_("收入"))
    cost = money(_("成本"))
    closed_management = models.BooleanField(_("封闭管理"), default=True)
    incidents = limits.count_field(_("安全事件"), limits.COUNT, default=0, help_text=_("单位：起"))
    family_cost_before = money(
        _("统一管理前每生家庭食宿花费"), limits.PRICE, null=True, blank=True,
        help_text=_("住旅店、在外就餐时每位考生家庭的花费（元）"),
    )
    family_cost_after = money(_("统一管理后每生家庭食宿花费"), limits.PRICE, null=True, blank=True)
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("中考食宿保障")
        verbose_name_plural = _("中考食宿保障")
        ordering = ["-year_id", "county_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "county"], name="logistics_exam_program_one_per_county_year",
                violation_error_message=_("本县（市、区）该年度已有中考食宿保障记录。"),
            )
        ]

    def __str__(self):
        # The county in the label: the warnings of each county's programme name their own row
        # (a county's summary lists the warnings whose label is one of its rows').
        county = self.county.name if self.county_id else "—"
        return _("%(year)s 年中考食宿保障（%(county)s）") % {"year": self.year_id, "county": county}

    @property
    def profit(self) -> Decimal:
        return (self.revenue or ZERO) - (self.cost or ZERO)

    @property
    def family_saving(self) -> Decimal | None:
        if self.family_cost_before is None or self.family_cost_after is None:
            return None
        return self.family_cost_before - self.family_cost_after

    def clean(self):
        super().clean()
        collect(self._check_county, self._check_beds)

    def save(self, *args, **kwargs):
        self._check_county()
        return super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        """The (year, county) rule is checked even where ``county`` is not a field of the form
        (it never is: ``clean()`` has just taken it from the operator), so a page, the admin
        and the API refuse a second programme with the constraint's own sentence."""
        if exclude and self.county_id is not None:
            exclude = set(exclude) - {"county"}
        super().validate_constraints(exclude=exclude)

    def _check_county(self):
        """Fill the county from the operator; refuse an operator of another county."""
        if not self.operator_id:
            return
        operator = self.operator
        if self.county_id is None:
            self.county_id = operator.county_id
            return
        if self.county_id != operator.county_id:
            names = dict(Region.objects.filter(pk__in=[self.county_id, operator.county_id]).values_list("pk", "name"))
            rules.PROGRAM_COUNTY.check(
                False, "operator", operator=operator.name, operator_county=names.get(operator.county_id, "—"),
                county=names.get(self.county_id, "—"),
            )

    def _check_beds(self):
        if self.beds is not None and self.candidates_lodged is not None:
            rules.ONE_BED_EACH.check(
                self.beds >= self.candidates_lodged, "beds",
                where=_("全部考点"), beds=self.beds, candidates=self.candidates_lodged,
            )


class ExamSite(DomainModel):
    """One host school (考点) of a year's programme. Belongs to the host school for scoping."""

    program = models.ForeignKey(
        ExamLodgingProgram, on_delete=models.CASCADE, related_name="sites", verbose_name=_("中考食宿保障")
    )
    host_school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="exam_sites", verbose_name=_("承办学校")
    )
    candidates = limits.count_field(_("食宿考生"), help_text=_("单位：人"))
    beds = limits.count_field(_("床位"), limits.COUNT, help_text=_("单位：张"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("中考食宿考点")
        verbose_name_plural = _("中考食宿考点")
        ordering = ["program__year_id", "host_school__code"]
        constraints = [
            models.UniqueConstraint(fields=["program", "host_school"], name="logistics_site_once_per_program")
        ]

    def __str__(self):
        return _("%(school)s 考点") % {"school": self.host_school.name if self.host_school_id else "—"}

    def clean(self):
        super().clean()
        collect(self._check_host, self._check_beds)

    def _check_host(self):
        if self.host_school_id:
            school = self.host_school
            missing = [str(label) for ok, label in (
                (school.has_dormitory, _("学生公寓")), (school.has_canteen, _("学生食堂")),
            ) if not ok]
            rules.HOST_FACILITIES.check(not missing, "host_school", school=school.name, missing="、".join(missing))

    def _check_beds(self):
        if self.beds is not None and self.candidates is not None:
            where = self.host_school.name if self.host_school_id else _("该考点")
            rules.ONE_BED_EACH.check(
                self.beds >= self.candidates, "beds", where=where, beds=self.beds, candidates=self.candidates,
            )
