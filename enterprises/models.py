"""School-run enterprises (校办企业): the enterprise register, yearly figures and the
events of their history (创办、改制、资产拍卖、工龄买断、公开招标、投资建设).

Enterprises are entered by bureau staff. An enterprise sponsored by a school
(``sponsor_school``) is visible, read-only, to that school's principal; one sponsored
by the bureau's 勤工办 (``sponsor_school`` empty) only to staff and auditors.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workstudy import limits
from workstudy.models import DomainModel, ReportingYear, School, county_field

from . import rules

MONEY = dict(max_digits=14, decimal_places=2)
ZERO = Decimal("0.00")


class EnterpriseKind(models.TextChoices):
    UNIFORM = "uniform", _("校服厂")
    FURNITURE = "furniture", _("校具厂")
    PAINT = "paint", _("乳胶漆厂")
    PRINTING = "printing", _("印刷厂")
    SERVICE_CENTRE = "service_centre", _("服务中心")
    OTHER = "other", _("其他")


class Ownership(models.TextChoices):
    COLLECTIVE = "collective", _("集体")
    REFORMED = "reformed", _("改制")
    CONTRACTED = "contracted", _("承包")
    DIRECT = "direct", _("直属")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    REFORMED = "reformed", _("改制")
    CLOSED = "closed", _("停办")


class EnterpriseForm(models.TextChoices):
    FACTORY = "factory", _("工厂")
    SERVICE_CENTRE = "service_centre", _("服务中心")
    TENDERED_RIGHT = "tendered_right", _("招标经营权")


class EventKind(models.TextChoices):
    FOUNDED = "founded", _("创办")
    REFORM = "reform", _("改制")
    AUCTION = "auction", _("资产拍卖")
    BUYOUT = "buyout", _("工龄买断")
    TENDER = "tender", _("公开招标")
    INVESTMENT = "investment", _("投资建设")


def _collect(errors: dict, exc: ValidationError) -> None:
    for field, messages in exc.error_dict.items():
        errors.setdefault(field, []).extend(messages)


def _check(errors: dict, registered, ok: bool, field_name: str, **params) -> None:
    """Run one rule and keep its error, so every broken rule is shown at once."""
    if not ok:
        _collect(errors, registered.error(field_name, **params))


class EnterpriseQuerySet(models.QuerySet):
    def active_in(self, year: int):
        """Enterprises that existed in ``year``: founded by then and not closed before it."""
        return self.filter(Q(founded_year__isnull=True) | Q(founded_year__lte=year)).exclude(
            status=EnterpriseStatus.CLOSED, closed_year__lt=year
        )


class Enterprise(DomainModel):
    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    county = county_field()
    kind = models.CharField(_("类别"), max_length=20, choices=EnterpriseKind.choices)
    sponsor_school = models.ForeignKey(
        School, verbose_name=_("主办学校"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="enterprises",
        help_text=_("由学校主办的填写学校；由教育局勤工办主办的留空。该校校长可查看本企业。"),
    )
    sponsor_label = models.CharField(
        _("主管单位"), max_length=50, blank=True, default="勤工办",
        help_text=_("未选主办学校时显示的主管单位，例如“勤工办”。"),
    )
    ownership = models.CharField(_("所有制/经营形式"), max_length=20, choices=Ownership.choices)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    founded_year = limits.year_field(_("创办年份"), null=True, blank=True)
    founded_text = models.CharField(
        _("创办时间（文字）"), max_length=50, blank=True,
        help_text=_("年份不确切时填写，例如“上世纪80年代”。"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING)
    closed_year = limits.year_field(_("停办年份"), null=True, blank=True)
    form = models.CharField(_("经营形态"), max_length=20, choices=EnterpriseForm.choices, default=EnterpriseForm.FACTORY)
    note = models.TextField(_("备注"), blank=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("校办企业")
        verbose_name_plural = _("校办企业")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:detail", kwargs={"pk": self.pk})

    @property
    def sponsor(self) -> str:
        """The sponsoring unit as shown to users: the school, else e.g. 勤工办."""
        return self.sponsor_text(self.sponsor_school.name if self.sponsor_school_id else "", self.sponsor_label)

    @staticmethod
    def sponsor_text(school_name: str | None, sponsor_label: str) -> str:
        """:attr:`sponsor` from bare column values (for lists read with ``values()``)."""
        return school_name or sponsor_label or "勤工办"

    @property
    def founded_display(self) -> str:
        if self.founded_year:
            return _("%(year)s年") % {"year": self.founded_year}
        return self.founded_text

    def active_in(self, year: int) -> bool:
        if self.founded_year and self.founded_year > year:
            return False
        return not (self.status == EnterpriseStatus.CLOSED and self.closed_year and self.closed_year < year)

    def clean(self):
        super().clean()
        errors: dict = {}
        if self.status == EnterpriseStatus.CLOSED:
            _check(errors, rules.CLOSED_YEAR_REQUIRED, bool(self.closed_year), "closed_year")
        elif self.closed_year:
            _check(errors, rules.CLOSED_YEAR_ONLY_WHEN_CLOSED, False, "closed_year",
                   closed_year=self.closed_year, status=self.get_status_display())
        if self.founded_year and self.closed_year:
            _check(errors, rules.CLOSED_AFTER_FOUNDED, self.closed_year >= self.founded_year, "closed_year",
                   closed_year=self.closed_year, founded_year=self.founded_year)
        if self.pk and self.status == EnterpriseStatus.CLOSED and self.closed_year and "closed_year" not in errors:
            later = (
                self.year_stats.filter(year_id__gt=self.closed_year).order_by("year_id").values_list("year_id", flat=True).first()
            )
            _check(errors, rules.NO_FIGURES_AFTER_CLOSING, later is None, "closed_year",
                   name=self.name, year=later, closed_year=self.closed_year)
        if errors:
            raise ValidationError(errors)


class EnterpriseYearStat(DomainModel):
    """One enterprise's figures for one reporting year (元, 人). Profit is computed."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="year_stats", verbose_name=_("企业"),
    )
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    revenue = limits.money_field(_("销售收入及营业额"))
    cost = limits.money_field(_("成本"), null=True, blank=True)
    profit = models.DecimalField(_("利润"), editable=False, default=ZERO, **MONEY)
    tax = limits.money_field(_("缴纳税金"), default=ZERO)
    employees = models.IntegerField(_("职工人数"), default=0, validators=[limits.PEOPLE.validator()])
    remitted_to_education = limits.money_field(_("补贴教育经费"), default=ZERO)
    work_study_placements = models.IntegerField(
        _("学生勤工俭学岗位"), default=0, validators=[limits.PEOPLE.validator()]
    )
    note = models.TextField(_("备注"), blank=True, help_text=_("例如收入较上年大幅变化的原因。"))

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        ordering = ["-year_id", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year"], name="one_stat_per_enterprise_year",
                violation_error_message=_("该企业本年度的数据已经填报过，请修改原有记录。"),
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0) & Q(tax__gte=0) & Q(remitted_to_education__gte=0)
                & Q(employees__gte=0) & Q(work_study_placements__gte=0) & (Q(cost__isnull=True) | Q(cost__gte=0)),
                name="enterprise_stat_non_negative",
            ),
        ]

    def __str__(self):
        return _("%(enterprise)s %(year)s年") % {"enterprise": self.enterprise, "year": self.year_id}

    def compute_profit(self) -> Decimal | None:
        if self.revenue is None or self.cost is None:
            return None
        return (Decimal(self.revenue) - Decimal(self.cost)).quantize(Decimal("0.01"))

    def clean(self):
        super().clean()
        errors: dict = {}
        _check(errors, rules.COST_REQUIRED, self.cost is not None or self.revenue is None, "cost")
        if self.enterprise_id:
            enterprise = self.enterprise
            _check(errors, rules.CENTRE_FIGURES_IN_LOGISTICS, enterprise.kind != EnterpriseKind.SERVICE_CENTRE,
                   "enterprise", name=enterprise.name)
            if self.year_id and enterprise.status == EnterpriseStatus.CLOSED and enterprise.closed_year:
                _check(errors, rules.NO_FIGURES_AFTER_CLOSING, self.year_id <= enterprise.closed_year, "year",
                       name=enterprise.name, year=self.year_id, closed_year=enterprise.closed_year)
        if errors:
            raise ValidationError(errors)
        self.profit = self.compute_profit()

    def save(self, *args, **kwargs):
        profit = self.compute_profit()
        # A missing cost is refused by clean(); rows saved without it keep profit 0 until fixed.
        self.profit = profit if profit is not None else ZERO
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "profit"}
        return super().save(*args, **kwargs)


class ReformEvent(DomainModel):
    """An event of an enterprise's history; ``date`` is a month, stored as its 1st day."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="events", verbose_name=_("企业"))
    date = models.DateField(_("时间（年月）"), help_text=_("只记到月，存为当月 1 日。"))
    kind = models.CharField(_("事项类别"), max_length=20, choices=EventKind.choices)
    staff_affected = models.IntegerField(
        _("涉及职工"), null=True, blank=True, validators=[limits.PEOPLE.validator()]
    )
    amount = limits.money_field(
        _("金额"), null=True, blank=True, help_text=_("拍卖所得、买断支付总额、中标价或投资额。"),
    )
    counterparty = models.CharField(_("对方单位/中标人"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # The reporting year the event falls in (set from ``date``), so a locked year locks its events too.
    year = models.ForeignKey(
        ReportingYear, null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("年度"),
    )

    class Meta:
        verbose_name = _("企业大事记")
        verbose_name_plural = _("企业大事记")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff_affected__isnull=True) | Q(staff_affected__gte=0))
                & (Q(amount__isnull=True) | Q(amount__gte=0)),
                name="enterprise_event_non_negative",
            ),
        ]

    def __str__(self):
        when = self.date.strftime(str(_("%Y年%m月"))) if self.date else ""
        return f"{self.enterprise} {when}{self.get_kind_display()}"

    def _sync(self):
        if self.date:
            self.date = self.date.replace(day=1)
            self.year = ReportingYear.objects.filter(pk=self.date.year).first()

    def clean(self):
        super().clean()
        errors: dict = {}
        if self.date and self.enterprise_id and self.enterprise.founded_year:
            _check(errors, rules.EVENT_AFTER_FOUNDING, self.date.year >= self.enterprise.founded_year, "date",
                   date=f"{self.date:%Y年%m月}", founded_year=self.enterprise.founded_year)
        if errors:
            raise ValidationError(errors)
        self._sync()

    def save(self, *args, **kwargs):
        self._sync()
        return super().save(*args, **kwargs)
