"""School risk transfer (学校风险防范与风险转移): insurers and the broker, funding rules,
policies and who pays their premiums, 学平险 coverage per school, and claims (理赔).

Every ERROR rule of ``insurance.rules`` is enforced in a model's ``clean()`` so forms,
the API and Excel imports all refuse the same bad data with the same words.
"""

from __future__ import annotations

import contextlib
import unicodedata
import uuid
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Sum
from django.db.models.functions import Length
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workstudy import limits
from workstudy.models import DomainModel, ReportingYear, School, county_field

from . import rules as R

money = limits.money_field


class PolicyType(models.TextChoices):
    PROPERTY = "property", _("学校财产险")
    LIABILITY = "liability", _("校(园)方责任险")
    STUDENT = "student", _("学生平安险(学平险)")


class FundingSource(models.TextChoices):
    CITY = "city", _("市财政")
    PARENT = "parent", _("家长自付")
    INSURER_FREE = "insurer_free", _("保险公司免费")
    SCHOOL_ADVANCE = "school_advance", _("学校公用经费垫付")
    BUREAU_WORKSTUDY = "bureau_ws", _("教育局勤工俭学经费")
    SCHOOL_WORKSTUDY = "school_ws", _("学校勤工俭学经费")


class Insurer(DomainModel):
    """An insurance company or the broker entrusted with the county's school insurance."""

    class Role(models.TextChoices):
        INSURER = "insurer", _("保险公司")
        BROKER = "broker", _("保险经纪公司")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    county = county_field()
    role = models.CharField(_("类别"), max_length=16, choices=Role.choices, default=Role.INSURER)
    entrusted_from_year = limits.year_field(
        _("委托起始年度"), null=True, blank=True, help_text=_("经纪公司：从哪一年起全权委托其办理学校保险。")
    )
    service_fee = money(_("服务费（元）"), default=Decimal("0.00"), help_text=_("向学校收取的服务费，0 表示无偿服务。"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("保险公司/经纪公司")
        verbose_name_plural = _("保险公司/经纪公司")
        ordering = ["role", "name"]

    def __str__(self):
        return self.name


class FundingRule(DomainModel):
    """Which sources may pay the premium of an insurance type, from one year to another."""

    insurance_type = models.CharField(_("险种"), max_length=16, choices=PolicyType.choices)
    county = county_field()
    from_year = limits.year_field(_("起始年度"))
    to_year = limits.year_field(_("截止年度"), null=True, blank=True, help_text=_("留空表示至今有效。"))
    allowed_sources = models.JSONField(_("允许的经费来源"), default=list)
    bureau_share_pct = limits.percent_field(
        _("教育局承担比例（%）"),
        null=True,
        blank=True,
        help_text=_("校(园)方责任险：教育局与学校两级勤工俭学经费中教育局承担的百分比。"),
    )
    note = models.CharField(_("依据/说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("经费保障规则")
        verbose_name_plural = _("经费保障规则")
        ordering = ["insurance_type", "from_year"]

    def __str__(self):
        end = self.to_year or _("至今")
        return f"{self.get_insurance_type_display()} {self.from_year}–{end}"

    def clean(self):
        super().clean()
        if self.to_year is not None and self.from_year is not None:
            R.RULE_YEARS_ORDER.check(self.to_year >= self.from_year, "to_year", start=self.from_year, end=self.to_year)
        sources = self.allowed_sources if isinstance(self.allowed_sources, list) else None
        if not sources or any(s not in FundingSource.values for s in sources):
            raise ValidationError({"allowed_sources": _("请至少选择一个经费来源。")})

    @property
    def allowed_labels(self) -> list[str]:
        return [str(FundingSource(s).label) for s in self.allowed_sources if s in FundingSource.values]

    @classmethod
    def covering(cls, insurance_type: str, year: int):
        return cls.objects.filter(insurance_type=insurance_type, from_year__lte=year).filter(
            Q(to_year__isnull=True) | Q(to_year__gte=year)
        )


class InsurancePolicy(DomainModel):
    """One policy for one statistical year; ``school`` empty = a county-wide policy held by the bureau."""

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    policy_no = models.CharField(_("保单号"), max_length=50, unique=True)
    policy_type = models.CharField(_("险种"), max_length=16, choices=PolicyType.choices)
    insurer = models.ForeignKey(
        Insurer,
        on_delete=models.PROTECT,
        related_name="policies",
        verbose_name=_("保险公司"),
        limit_choices_to={"role": Insurer.Role.INSURER},
    )
    broker = models.ForeignKey(
        Insurer,
        on_delete=models.PROTECT,
        related_name="brokered_policies",
        verbose_name=_("经纪公司"),
        null=True,
        blank=True,
        limit_choices_to={"role": Insurer.Role.BROKER},
    )
    county = county_field()
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="insurance_policies",
        verbose_name=_("投保学校"),
        null=True,
        blank=True,
        help_text=_("留空表示教育局统一投保、覆盖全市学校的保单。"),
    )
    coverage_start = models.DateField(_("保险起期"))
    coverage_end = models.DateField(_("保险止期"))
    sum_insured = money(_("保险金额（元）"), null=True, blank=True, help_text=_("财产险填写。"))
    per_accident_limit = money(_("每次事故赔偿限额（元）"), null=True, blank=True)
    per_person_limit = money(_("每人赔偿限额（元）"), null=True, blank=True)
    aggregate_limit = money(_("累计赔偿限额（元）"), null=True, blank=True)
    premium_rate = money(_("保费标准（元/人/年）"), limits.PRICE, null=True, blank=True)
    insured_count = limits.count_field(_("投保人数（人）"), null=True, blank=True)
    premium_total = money(_("保费合计（元）"))
    compulsory = models.BooleanField(_("强制投保"), default=False, help_text=_("学平险坚持自愿原则，不得勾选。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("保单")
        verbose_name_plural = _("保单")
        ordering = ["-year_id", "policy_type", "policy_no"]
        indexes = [models.Index(fields=["year", "policy_type"])]

    def __str__(self):
        return f"{self.get_policy_type_display()} {self.policy_no}"

    @property
    def holder_label(self) -> str:
        return self.school.name if self.school_id else str(_("全市统保（教育局）"))

    def clean(self):
        super().clean()
        if self.coverage_start and self.coverage_end:
            R.RULE_COVERAGE_PERIOD.check(
                self.coverage_end >= self.coverage_start,
                "coverage_end",
                start=self.coverage_start,
                end=self.coverage_end,
            )
        if self.policy_type == PolicyType.STUDENT:
            R.RULE_VOLUNTARY.check(not self.compulsory, "compulsory")
        if self.broker_id and self.broker.role != Insurer.Role.BROKER:
            raise ValidationError({"broker": _("“%(name)s”不是经纪公司。") % {"name": self.broker}})
        if self.insurer_id and self.insurer.role != Insurer.Role.INSURER:
            raise ValidationError({"insurer": _("“%(name)s”不是保险公司。") % {"name": self.insurer}})


class PremiumFunding(DomainModel):
    """Who paid how much of a policy's premium, for how many persons."""

    policy = models.ForeignKey(InsurancePolicy, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("保单"))
    source = models.CharField(_("经费来源"), max_length=16, choices=FundingSource.choices)
    amount = money(_("金额（元）"))
    persons = limits.count_field(_("人数（人）"), default=0)

    class Meta:
        verbose_name = _("保费来源")
        verbose_name_plural = _("保费来源")
        ordering = ["policy_id", "source"]
        constraints = [models.UniqueConstraint(fields=["policy", "source"], name="one_funding_per_policy_source")]

    def __str__(self):
        return f"{self.policy.policy_no} {self.get_source_display()}"

    def clean(self):
        super().clean()
        if not self.policy_id or not self.source:
            return
        policy = self.policy
        R.RULE_LIABILITY_NOT_PARENTS.check(
            not (policy.policy_type == PolicyType.LIABILITY and self.source == FundingSource.PARENT), "source"
        )
        rules = list(FundingRule.covering(policy.policy_type, policy.year_id))
        allowed = {s for r in rules for s in r.allowed_sources}
        R.RULE_SOURCE_ALLOWED.check(
            self.source in allowed,
            "source",
            source=self.get_source_display(),
            type=policy.get_policy_type_display(),
            year=policy.year_id,
            allowed="、".join(str(FundingSource(s).label) for s in FundingSource.values if s in allowed) or _("（尚未设置）"),
        )


class CoverageQuerySet(models.QuerySet):
    def with_counts(self):
        """Annotate each coverage with its school's submission counts for the year
        (``counted_students``, ``counted_poor``), read by :attr:`enrolled` / :attr:`poor_students`."""
        from workstudy.models import Submission

        sub = Submission.objects.filter(school_id=OuterRef("school_id"), year_id=OuterRef("year_id")).order_by()
        return self.annotate(
            counted_students=Subquery(sub.values("student_count")[:1]),
            counted_poor=Subquery(sub.values("poor_student_count")[:1]),
        )


# (school_id, year_id) -> the submission's (student count, poor student count) (None: no
# submission), for every row of an Excel file being checked (set by
# StudentAccidentCoverage.cleaning_many).
_STUDENT_COUNTS: ContextVar[dict | None] = ContextVar("coverage_student_counts", default=None)


class StudentAccidentCoverage(DomainModel):
    """学平险 take-up of one school in one year, entered by the principal.

    The school's students and poor students are not asked for here: they are the yearly
    counts of the school's :class:`~workstudy.models.Submission` (entered once, in the
    counts form) and are read from it (:attr:`enrolled`, :attr:`poor_students`).
    """

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="accident_coverages", verbose_name=_("学校"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    insured_parent_paid = limits.count_field(_("家长自愿投保人数（人）"), default=0)
    poor_free_by_insurer = limits.count_field(_("保险公司免费投保的贫困生（人）"), default=0)
    poor_advanced_by_school = limits.count_field(_("学校公用经费垫付的贫困生（人）"), default=0)
    advance_amount = money(_("学校垫付金额（元）"), default=Decimal("0.00"))
    voluntary_consent_recorded = models.BooleanField(
        _("已留存家长自愿投保告知/确认材料"),
        default=False,
        help_text=_("学平险坚持自愿原则，不搞强买强卖。有学生投保时须勾选。"),
    )

    objects = CoverageQuerySet.as_manager()

    class Meta:
        verbose_name = _("学平险投保统计")
        verbose_name_plural = _("学平险投保统计")
        ordering = ["-year_id", "school__code"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="one_coverage_per_school_year")]

    def __str__(self):
        return _("%(school)s %(year)s 学平险") % {"school": self.school, "year": self.year_id}

    @property
    def insured_total(self) -> int:
        return (self.insured_parent_paid or 0) + (self.poor_free_by_insurer or 0) + (self.poor_advanced_by_school or 0)

    @property
    def poor_covered(self) -> int:
        return (self.poor_free_by_insurer or 0) + (self.poor_advanced_by_school or 0)

    @property
    def enrolled(self) -> int | None:
        """在校学生数: the school's student count in its submission for the year."""
        return self.school_counts()[0]

    @property
    def poor_students(self) -> int | None:
        """贫困家庭学生数: the poor-student count in the school's submission for the year."""
        return self.school_counts()[1]

    def school_counts(self) -> tuple[int | None, int | None]:
        """(students, poor students) of the school's submission for the year; read once per
        row, from the ``counted_*`` annotations of :meth:`CoverageQuerySet.with_counts` when
        present, or for a whole Excel file at once (:meth:`cleaning_many`)."""
        if "counted_students" in self.__dict__:
            return self.__dict__["counted_students"], self.__dict__.get("counted_poor")
        key = (self.school_id, self.year_id)
        cached = self.__dict__.get("_school_counts")
        if cached is not None and cached[0] == key:
            return cached[1]
        known = _STUDENT_COUNTS.get()
        if known is not None and key in known:
            counts = known[key] or (None, None)
        else:
            from workstudy.models import Submission

            counts = (
                Submission.objects.filter(school_id=self.school_id, year_id=self.year_id)
                .values_list("student_count", "poor_student_count").first()
            ) or (None, None)
        self.__dict__["_school_counts"] = (key, tuple(counts))
        return tuple(counts)

    def clean(self):
        super().clean()
        counts = ["insured_parent_paid", "poor_free_by_insurer", "poor_advanced_by_school"]
        for name in counts:
            value = getattr(self, name)
            R.RULE_COUNTS.check(value is None or (int(value) == value and value >= 0), name)
        if self.school_id and self.year_id:
            self.__dict__.pop("counted_students", None)  # re-read: the counts may have changed since loading
            self.__dict__.pop("_school_counts", None)
            students, poor = self.school_counts()
            R.RULE_COUNTS_ENTERED.check(
                (students is not None or self.insured_total == 0) and (poor is not None or self.poor_covered == 0),
                "insured_parent_paid", year=self.year_id,
            )
            if poor is not None:
                R.RULE_POOR_COVERED.check(
                    self.poor_covered <= poor,
                    "poor_free_by_insurer",
                    free=self.poor_free_by_insurer,
                    advanced=self.poor_advanced_by_school,
                    poor=poor,
                )
            if students is not None:
                R.RULE_INSURED_LE_ENROLLED.check(
                    self.insured_total <= students, "insured_parent_paid", insured=self.insured_total,
                    enrolled=students,
                )
        advanced = self.poor_advanced_by_school or 0
        amount = self.advance_amount or Decimal("0")
        R.RULE_ADVANCE_AMOUNT.check((advanced > 0) == (amount > 0), "advance_amount", persons=advanced, amount=amount)
        R.RULE_VOLUNTARY_CONSENT.check(self.insured_total == 0 or self.voluntary_consent_recorded, "voluntary_consent_recorded")

    @classmethod
    @contextlib.contextmanager
    def cleaning_many(cls, instances):
        """While the Excel import runs ``clean()`` on every row of a file: the student counts
        of all their schools, read in one query per 2,000 schools instead of one per row."""
        from workstudy.models import Submission

        keys = {(i.school_id, i.year_id) for i in instances if i.school_id and i.year_id}
        counts = dict.fromkeys(keys)
        schools, years = sorted({k[0] for k in keys}), sorted({k[1] for k in keys})
        for start in range(0, len(schools), 2000):
            rows = Submission.objects.filter(school_id__in=schools[start:start + 2000], year_id__in=years)
            for school_id, year_id, students, poor in rows.values_list(
                "school_id", "year_id", "student_count", "poor_student_count"
            ):
                if (school_id, year_id) in counts:
                    counts[(school_id, year_id)] = (students, poor)
        token = _STUDENT_COUNTS.set(counts)
        try:
            yield
        finally:
            _STUDENT_COUNTS.reset(token)


class ClaimantKind(models.TextChoices):
    SCHOOL = "school", _("学校")
    STUDENT = "student", _("学生")
    STAFF = "staff", _("教职工")


class ClaimStatus(models.TextChoices):
    REPORTED = "reported", _("已报案")
    DOCS_COMPLETE = "docs_complete", _("材料齐全")
    REVIEWING = "reviewing", _("审核中")
    PAID = "paid", _("已赔付")
    REJECTED = "rejected", _("拒赔")


class IncidentKind(models.TextChoices):
    ACTIVITY = "activity", _("校内活动意外")
    SPORTS = "sports", _("体育运动受伤")
    TRAFFIC = "traffic", _("交通事故")
    ILLNESS = "illness", _("疾病住院")
    FIRE = "fire", _("火灾")
    DISASTER = "disaster", _("暴雨/雷击等自然灾害")
    THEFT = "theft", _("盗窃")
    OTHER = "other", _("其他")


def mask_name(name: str) -> str:
    """张三丰 -> 张**: the family name only."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_id_number(number: str) -> str:
    """362301200801011234 -> 3623**********1234: region prefix and last four only."""
    number = (number or "").strip()
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# A claim's personal data and how it is shown to anyone but bureau staff (history pages,
# the claim page, the edit form, the API, exports).
PERSONAL_FIELDS = {"injured_name": mask_name, "injured_id_number": mask_id_number}


def keep_personal(stored: str, sent, mask) -> str:
    """What an edit that cannot show ``stored`` in full saves: the stored value when the
    field comes back empty or as its own masked form, else the newly typed value."""
    text = (sent or "").strip() if isinstance(sent, str) else sent
    if stored and (not text or text == mask(stored)):
        return stored
    return sent


class Claim(DomainModel):
    """One claim (理赔案件): opened by the school (报案), processed by the bureau."""

    claim_no = models.CharField(_("案件编号"), max_length=40, unique=True, blank=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="insurance_claims", verbose_name=_("学校"))
    policy = models.ForeignKey(InsurancePolicy, on_delete=models.PROTECT, related_name="claims", verbose_name=_("保单"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    claimant_kind = models.CharField(_("出险对象"), max_length=16, choices=ClaimantKind.choices)
    injured_name = models.CharField(_("受伤人员姓名"), max_length=50, blank=True)
    injured_id_number = models.CharField(_("受伤人员身份证号"), max_length=18, blank=True)

    # Personal data shown masked on the change-history page to anyone but bureau staff.
    history_masked_fields = PERSONAL_FIELDS
    incident_date = models.DateField(_("出险日期"))
    place = models.CharField(_("出险地点"), max_length=100)
    incident_kind = models.CharField(_("事故类型"), max_length=16, choices=IncidentKind.choices)
    cause = models.CharField(_("出险经过"), max_length=300)
    persons = limits.count_field(_("受伤人次（人次）"), default=1, help_text=_("纯财产损失填 0。"))
    requested_amount = money(_("申请赔偿金额（元）"))
    assessed_amount = money(_("核定金额（元）"), null=True, blank=True)
    paid_amount = money(_("实际赔付金额（元）"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.REPORTED)
    reject_reason = models.TextField(_("拒赔原因"), blank=True)
    reported_date = models.DateField(_("报案日期"))
    documents_date = models.DateField(_("材料齐全日期"), null=True, blank=True)
    review_date = models.DateField(_("进入审核日期"), null=True, blank=True)
    paid_date = models.DateField(_("赔付日期"), null=True, blank=True)
    rejected_date = models.DateField(_("拒赔日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("理赔案件")
        verbose_name_plural = _("理赔案件")
        ordering = ["-incident_date", "-id"]
        indexes = [
            models.Index(fields=["year", "status"]),
            models.Index(fields=["status", "paid_date"]),
            # Page 1 in the default order (API list; the claim list within a year) reads the
            # index backwards instead of sorting every claim (200,000 in a province).
            models.Index(fields=["incident_date", "id"], name="ins_claim_incident_idx"),
            models.Index(fields=["year", "incident_date", "id"], name="ins_claim_year_incident_idx"),
        ]

    def __str__(self):
        return self.claim_no or str(_("新案件"))

    @property
    def masked_name(self) -> str:
        return mask_name(self.injured_name)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.injured_id_number)

    def save(self, *args, **kwargs):
        if self.policy_id and not self.year_id:
            self.year_id = self.policy.year_id
        if not self.claim_no and self.year_id:
            self.claim_no = _next_claim_no(self.year_id)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        self._clean_policy()
        self._clean_counts_and_person()
        self._clean_amounts()
        self._clean_dates()
        self._clean_status()

    def _clean_policy(self):
        if not self.policy_id:
            return
        policy = self.policy
        self.year_id = policy.year_id
        if self.school_id:
            R.RULE_ACTIVE_POLICY.check(
                policy.school_id in (None, self.school_id),
                "policy",
                school=self.school,
                date=self.incident_date or "",
                type=policy.get_policy_type_display(),
            )
        if self.incident_date:
            R.RULE_INCIDENT_IN_COVERAGE.check(
                policy.coverage_start <= self.incident_date <= policy.coverage_end,
                "incident_date",
                date=self.incident_date,
                policy=policy.policy_no,
                start=policy.coverage_start,
                end=policy.coverage_end,
            )

    def _clean_counts_and_person(self):
        R.RULE_COUNTS.check(self.persons is None or self.persons >= 0, "persons")
        if self.claimant_kind in (ClaimantKind.STUDENT, ClaimantKind.STAFF):
            R.RULE_PERSONS_KIND.check((self.persons or 0) >= 1, "persons", kind=self.get_claimant_kind_display())
            if not self.injured_name:
                raise ValidationError({"injured_name": _("学生或教职工受伤的案件请填写受伤人员姓名。")})
        if self.policy_id and self.policy.policy_type == PolicyType.PROPERTY:
            R.RULE_PROPERTY_NO_PERSONS.check(self.persons == 0, "persons", persons=self.persons)
        if self.injured_id_number:
            number = self.injured_id_number.strip().upper()
            ok = (len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")) or (
                len(number) == 15 and number.isdigit()
            )
            if not ok:
                raise ValidationError({"injured_id_number": _("身份证号应为 18 位（最后一位可以是 X）或 15 位数字。")})
            self.injured_id_number = number

    def _clean_amounts(self):
        requested, assessed, paid = self.requested_amount, self.assessed_amount, self.paid_amount
        if assessed is not None and requested is not None:
            R.RULE_PAID_LE_ASSESSED_LE_REQUESTED.check(
                assessed <= requested,
                "assessed_amount",
                what=_("核定金额"),
                amount=assessed,
                other=_("申请金额"),
                limit=requested,
            )
        if paid is not None:
            R.RULE_PAID_LE_ASSESSED_LE_REQUESTED.check(
                assessed is not None and paid <= assessed,
                "paid_amount",
                what=_("赔付金额"),
                amount=paid,
                other=_("核定金额"),
                limit=assessed if assessed is not None else _("（未核定）"),
            )
        if paid is None or not self.policy_id:
            return
        policy = self.policy
        if policy.per_person_limit is not None and (self.persons or 0) >= 1:
            limit = policy.per_person_limit * self.persons
            R.RULE_PER_PERSON.check(
                paid <= limit, "paid_amount", amount=paid, limit=policy.per_person_limit, persons=self.persons
            )
        if policy.per_accident_limit is not None:
            R.RULE_PER_ACCIDENT.check(
                paid <= policy.per_accident_limit, "paid_amount", amount=paid, limit=policy.per_accident_limit
            )
        others = Claim.objects.filter(policy_id=policy.pk).exclude(pk=self.pk).aggregate(t=Sum("paid_amount"))["t"] or Decimal(
            "0"
        )
        total = others + paid
        if policy.aggregate_limit is not None:
            R.RULE_AGGREGATE.check(
                total <= policy.aggregate_limit, "paid_amount", total=total, limit=policy.aggregate_limit, policy=policy.policy_no
            )
        if policy.policy_type == PolicyType.PROPERTY and policy.sum_insured is not None:
            R.RULE_SUM_INSURED.check(
                total <= policy.sum_insured, "paid_amount", total=total, limit=policy.sum_insured, policy=policy.policy_no
            )

    def _clean_dates(self):
        chain = [
            ("incident_date", _("出险日期")),
            ("reported_date", _("报案日期")),
            ("documents_date", _("材料齐全日期")),
            ("review_date", _("进入审核日期")),
            ("paid_date", _("赔付日期")),
            ("rejected_date", _("拒赔日期")),
        ]
        previous = None
        for name, label in chain:
            value = getattr(self, name)
            if value is None:
                continue
            if previous is not None:
                R.RULE_DATE_ORDER.check(
                    getattr(self, previous[0]) <= value,
                    name,
                    later=label,
                    later_date=value,
                    earlier=previous[1],
                    earlier_date=getattr(self, previous[0]),
                )
            previous = (name, label)

    def _clean_status(self):
        status = self.status
        if status == ClaimStatus.PAID:
            R.RULE_PAID_COMPLETE.check(self.paid_amount is not None and self.paid_date is not None, "paid_amount")
        else:
            if self.paid_amount is not None or self.paid_date is not None:
                raise ValidationError({"paid_amount": _("只有“已赔付”的案件才能填写赔付金额和赔付日期。")})
        if status == ClaimStatus.REJECTED:
            R.RULE_REJECT_REASON.check(bool((self.reject_reason or "").strip()), "reject_reason")


def _next_claim_no(year: int) -> str:
    prefix = f"LP{year}-"
    # Longest first, then highest: "LP2024-10000" sorts below "LP2024-9999" as text.
    last = (
        Claim.objects.filter(claim_no__startswith=prefix)
        .order_by(Length("claim_no").desc(), "-claim_no")
        .values_list("claim_no", flat=True)
        .first()
    )
    seq = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{seq:04d}"


class DocumentType(models.TextChoices):
    NOTICE = "notice", _("出险通知书")
    APPLICATION = "application", _("索赔申请书")
    AGREEMENT = "agreement", _("赔付协议书")
    PROOF = "proof", _("事故证明/学校证明")
    IDENTITY = "identity", _("身份证明/户口簿")
    MEDICAL = "medical", _("病历/诊断证明/出院小结")
    INVOICE = "invoice", _("医疗费发票原件")
    BANK = "bank", _("银行账户/转账授权书")
    LOSS_LIST = "loss_list", _("财产损失清单/照片")
    OTHER = "other", _("其他材料")


# The checklist a claim needs before it counts as 材料齐全 (DOMAIN rule 5).
REQUIRED_DOCUMENTS = {
    ClaimantKind.SCHOOL: (DocumentType.NOTICE, DocumentType.APPLICATION, DocumentType.LOSS_LIST),
    ClaimantKind.STUDENT: (
        DocumentType.NOTICE,
        DocumentType.APPLICATION,
        DocumentType.IDENTITY,
        DocumentType.MEDICAL,
        DocumentType.INVOICE,
        DocumentType.BANK,
    ),
    ClaimantKind.STAFF: (
        DocumentType.NOTICE,
        DocumentType.APPLICATION,
        DocumentType.IDENTITY,
        DocumentType.MEDICAL,
        DocumentType.INVOICE,
        DocumentType.BANK,
    ),
}


class ClaimDocument(DomainModel):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents", verbose_name=_("理赔案件"))
    doc_type = models.CharField(_("材料"), max_length=16, choices=DocumentType.choices)
    received = models.BooleanField(_("已收到"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("理赔材料")
        verbose_name_plural = _("理赔材料")
        ordering = ["claim_id", "doc_type"]
        constraints = [models.UniqueConstraint(fields=["claim", "doc_type"], name="one_document_per_claim_type")]

    def __str__(self):
        return f"{self.claim} {self.get_doc_type_display()}"


# Scans and photos attached to a claim (ClaimFile): what may be stored, decided by the
# file's first bytes, never by its name or the browser's content type.
CLAIM_FILE_MAX_BYTES = 10 * 1024 * 1024
# content type -> (magic bytes at offset 0, extensions a download name may end in; the first is added
# when the name ends in none of them)
CLAIM_FILE_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "application/pdf": (b"%PDF-", (".pdf",)),
}
CLAIM_FILE_ACCEPT = "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf"
_NAME_MAX = 120


def sniff_content_type(head: bytes) -> str | None:
    """The content type of a file starting with ``head`` if it is one a claim may hold, else None."""
    for content_type, (magic, _exts) in CLAIM_FILE_TYPES.items():
        if head.startswith(magic):
            return content_type
    return None


def clean_file_name(name: str, content_type: str | None = None) -> str:
    """A file name as the user gave it, safe to show and to send back in Content-Disposition:
    no folders, no control characters, at most 120 characters, and (given ``content_type``)
    ending in an extension of that type."""
    name = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .") or "file"
    exts = CLAIM_FILE_TYPES[content_type][1] if content_type in CLAIM_FILE_TYPES else ()
    if exts and not name.lower().endswith(exts):
        name += exts[0]
    if len(name) > _NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and len(ext) <= 8 else ""
        name = (stem if ext else name)[: _NAME_MAX - len(ext)] + ext
    return name


def check_claim_upload(upload) -> str:
    """The sniffed content type of an uploaded file, or ValidationError (empty, over 10 MB, or
    not a JPEG, PNG or PDF by its content) in words naming the file."""
    name = clean_file_name(getattr(upload, "name", ""))
    size = upload.size or 0
    if size <= 0:
        raise ValidationError(gettext("“%(name)s”是空文件（0 字节），请重新选择。") % {"name": name}, code="empty")
    if size > CLAIM_FILE_MAX_BYTES:
        raise ValidationError(
            gettext("“%(name)s”大小为 %(size)s，超过了每个文件 %(limit)s 的上限，请压缩照片或分页扫描后再上传。")
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(CLAIM_FILE_MAX_BYTES)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError(
            gettext(
                "“%(name)s”不是 JPEG、PNG 图片或 PDF 文件（按文件内容判断，与扩展名无关），不能上传。请上传照片或 PDF 扫描件。"
            ) % {"name": name},
            code="file_type",
        )
    return content_type


def claim_file_path(instance: ClaimFile, filename: str) -> str:
    """Where a claim's file is stored: by year and claim, under a random name (the user's name
    is kept in ``original_name``, never in the storage path)."""
    ext = CLAIM_FILE_TYPES[instance.content_type][1][0]
    return f"claims/{instance.claim.year_id}/{instance.claim_id}/{uuid.uuid4().hex}{ext}"


class ClaimFile(DomainModel):
    """A scan or photo of one of a claim's documents (accident report, medical bills, receipts...).

    Stored through Django's storage API (``STORAGES["default"]``) and served only by
    ``insurance.views.ClaimFileDownloadView`` to those who may see the claim. Written and
    deleted through ``insurance.services`` (``claim_add_files``, ``claim_delete_file``)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="files", verbose_name=_("理赔案件"))
    doc_type = models.CharField(_("材料"), max_length=16, choices=DocumentType.choices)
    file = models.FileField(_("文件"), upload_to=claim_file_path, max_length=255)
    original_name = models.CharField(_("文件名"), max_length=_NAME_MAX)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("文件类型"), max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("上传人"),
    )

    class Meta:
        verbose_name = _("理赔材料文件")
        verbose_name_plural = _("理赔材料文件")
        ordering = ["claim_id", "doc_type", "created_at", "id"]
        indexes = [models.Index(fields=["claim", "doc_type"], name="ins_claimfile_claim_type_idx")]

    def __str__(self):
        return f"{self.claim} {self.get_doc_type_display()} {self.original_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def missing_documents(claim: Claim) -> list[str]:
    """Labels of the required documents not yet received: neither ticked as received (paper)
    nor with at least one file attached."""
    required = REQUIRED_DOCUMENTS.get(claim.claimant_kind, ())
    received = set()
    if claim.pk:
        received = set(claim.documents.filter(received=True).values_list("doc_type", flat=True))
        received |= set(claim.files.values_list("doc_type", flat=True).distinct())
    return [str(DocumentType(d).label) for d in required if d not in received]
