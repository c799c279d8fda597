"""The summary's own data: staff-written narrative, policy documents, per-year settings
and the stored PDF of a locked year. Every figure comes from the data apps' selectors.

The staff-written rows (narrative, settings, policy documents, dated facts, stated figures)
belong to a county, or with no county to the whole deployment: a county's summary prints its
own row where it has one, else the shared one (:mod:`reports.texts`)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workstudy.models import DomainModel, ReportingYear


class Section(models.TextChoices):
    INTRO = "intro", _("一、基本情况")
    ENTERPRISES = "enterprises", _("㈠ 校办企业改制")
    BASES = "bases", _("㈡ 劳动实践基地建设")
    LOGISTICS = "logistics", _("㈢ 后勤社会化")
    INSURANCE = "insurance", _("㈣ 学校风险防范和风险转移")
    SHORTCOMINGS = "shortcomings", _("三、存在的不足")
    DIRECTIONS = "directions", _("三、今后努力方向")


def county_field():
    """The county a staff-written row of the summary belongs to; empty: shared by the whole
    deployment (printed by every county that has no row of its own)."""
    return models.ForeignKey(
        "workstudy.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("县（市、区）"), help_text=_("空：全部县（市、区）共用，没有本县内容的县使用它。"),
    )


def unique_per_county(fields: list[str], name: str, message) -> list[models.UniqueConstraint]:
    """One row per ``fields`` and county, and one shared row (no county) per ``fields``."""
    return [
        models.UniqueConstraint(fields=[*fields, "county"], condition=Q(county__isnull=False), name=name,
                                violation_error_message=message),
        models.UniqueConstraint(fields=fields, condition=Q(county__isnull=True), name=f"{name}_shared",
                                violation_error_message=message),
    ]


# The summary's usual sub-headings, used until staff write their own.
DEFAULT_HEADINGS = {
    Section.ENTERPRISES: "锐意改革，实现校办企业角色的大转变",
    Section.BASES: "发挥优势，狠抓学校劳动实践基地建设",
    Section.LOGISTICS: "不断创新，丰富学校后勤社会化工作内涵",
    Section.INSURANCE: "服务教育，扎实推动学校风险防范和风险转移工作",
}


class NarrativeBlock(DomainModel):
    """A staff-written passage of one section for one year (plain text, blank lines = paragraphs)."""

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    section = models.CharField(_("章节"), max_length=16, choices=Section.choices)
    heading = models.CharField(
        _("小标题"), max_length=100, blank=True, help_text=_("二、具体做法各部分的小标题；留空则用默认标题。")
    )
    text = models.TextField(_("正文"), blank=True, help_text=_("纯文本；空一行为新的段落。数字由系统根据数据生成，无需手写。"))
    approved = models.BooleanField(_("已审定"), default=False)
    county = county_field()

    class Meta:
        verbose_name = _("总结叙述段落")
        verbose_name_plural = _("总结叙述段落")
        constraints = unique_per_county(["year", "section"], "narrative_per_county_year_section",
                                        _("本年度这一部分的叙述已经有了，请在原段落上修改。"))
        ordering = ["year_id", "section"]

    def __str__(self):
        return f"{self.year_id} {self.get_section_display()}"

    @property
    def paragraphs(self) -> list[str]:
        return paragraphs(self.text)


def paragraphs(text: str) -> list[str]:
    """Split plain text into paragraphs: blank lines or single line breaks both start one."""
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


class PolicyDocument(DomainModel):
    """A document the summary cites (e.g. 省厅 赣教勤字〔2008〕3号)."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("意见")
        PLAN = "plan", _("实施方案")
        NOTICE = "notice", _("通知")
        OTHER = "other", _("其他")

    class Topic(models.TextChoices):
        LOGISTICS = "logistics", _("后勤社会化")
        LIABILITY = "liability", _("校(园)方责任保险")
        INSURANCE = "insurance", _("其他保险")
        OTHER = "other", _("其他")

    title = models.CharField(_("文件名称"), max_length=200)
    issuer = models.CharField(_("发文单位"), max_length=100)
    doc_no = models.CharField(_("文号"), max_length=60, blank=True, help_text=_("例如：赣教勤字〔2008〕3号"))
    date = models.DateField(_("发文日期"))
    kind = models.CharField(_("文种"), max_length=16, choices=Kind.choices, default=Kind.NOTICE)
    topic = models.CharField(_("涉及工作"), max_length=16, choices=Topic.choices, default=Topic.OTHER)
    county = county_field()

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        ordering = ["date", "id"]
        constraints = unique_per_county(["issuer", "title"], "policy_document_per_county_title",
                                        _("同一发文单位的同名文件已经登记过了。"))

    def __str__(self):
        return f"《{self.title}》"


class SummarySettings(DomainModel):
    """Per-year choices for the summary (the start year of “XX年以来” and the wording thresholds)."""

    class SubsidyMode(models.TextChoices):
        TOTAL = "total", _("期间累计")
        AVERAGE = "average", _("年均")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    period_start = models.PositiveSmallIntegerField(
        _("统计起始年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_("“××年以来”的起始年；年均收益按起始年至本年度计算。"),
    )
    subsidy_mode = models.CharField(
        _("补贴教育经费口径"), max_length=8, choices=SubsidyMode.choices, default=SubsidyMode.TOTAL
    )
    base_coverage_threshold = models.DecimalField(
        _("“基本实现校校有基地”比例"), max_digits=4, decimal_places=2, default=Decimal("0.90"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("有劳动基地的学校占比达到此值（0-1）时，总结写“基本实现校校有劳动基地”。"),
    )
    county = county_field()

    class Meta:
        verbose_name = _("总结设置")
        verbose_name_plural = _("总结设置")
        constraints = unique_per_county(["year"], "summary_settings_per_county_year",
                                        _("本年度的总结设置已经有了，请在原设置上修改。"))

    def __str__(self):
        return f"{self.year_id}"

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.year_id and self.period_start and self.period_start > self.year_id:
            raise ValidationError({"period_start": _("统计起始年度（%(start)s）不能晚于本年度（%(year)s）。")
                                   % {"start": self.period_start, "year": self.year_id}})


class ArchivedDocument(models.Model):
    """A document of a locked year as it was issued: the summary and every school's sheet,
    rendered once when the year was locked, dated with the lock date and served byte-identical
    on every later download. Reopening the year marks them superseded (kept, with their hashes,
    for whoever holds a copy); locking again issues a new set. ``/verify/`` finds them by SHA-256."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("年度工作总结")
        SHEET = "sheet", _("学校勤工俭学简表")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    kind = models.CharField(_("文件"), max_length=8, choices=Kind.choices)
    school = models.ForeignKey("workstudy.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("学校"))
    county = models.ForeignKey("workstudy.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("县（市、区）"), help_text=_("该县锁定时出具的总结；空：全部县的总结。"))
    pdf = models.FileField(_("PDF 文件"), upload_to="reports/archive/")
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("字节数"))
    locked_at = models.DateTimeField(_("锁定时间"))
    generated_at = models.DateTimeField(_("生成时间"))
    data_version = models.PositiveIntegerField(_("数据版本"))
    fingerprint = models.CharField(_("数据指纹"), max_length=64, blank=True)
    superseded_at = models.DateTimeField(_("作废时间"), null=True, blank=True,
                                         help_text=_("年度重新开放的时间；作废的文件仍保留，可供核验。"))

    class Meta:
        verbose_name = _("存档文件")
        verbose_name_plural = _("存档文件")
        ordering = ["-year_id", "-locked_at", "kind", "school_id"]
        indexes = [models.Index(fields=["year", "kind", "superseded_at"], name="archive_current")]

    def __str__(self):
        return f"{self.year_id} {self.get_kind_display()} {self.sha256[:12]}"

    @property
    def current(self) -> bool:
        return self.superseded_at is None


def _year_validators():
    return [MinValueValidator(1949), MaxValueValidator(2100)]


class DatedFact(DomainModel):
    """A dated event of the county's history that the summary prints and no data row dates
    (the year the county first insured every school's property and 校方责任).

    The other dated facts live where they are entered (the centre's founding and its first
    unified 中考 lodging on the centre, the 改制 in the enterprises' events, the province's
    notice among the policy documents, the city's paying for 财产险 in the funding rules, the
    broker's mandate on the broker); :mod:`reports.milestones` gathers all of them, in date
    order, and checks that order. A fact belongs to no year: a locked year's summary reads
    it as it was when the year was locked (its change history)."""

    class Kind(models.TextChoices):
        FIRST_INSURANCE = "first_insurance", _("率先推行学校财产险和校(园)方责任险")

    kind = models.CharField(_("事项"), max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("年份"), validators=_year_validators())
    month = models.PositiveSmallIntegerField(
        _("月份"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("不清楚可不填。"),
    )
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("例如：当年的发文、保单或会议纪要。"))
    county = county_field()

    class Meta:
        verbose_name = _("大事记")
        verbose_name_plural = _("大事记")
        ordering = ["year", "month", "kind"]
        constraints = unique_per_county(["kind"], "dated_fact_per_county_kind",
                                        _("这一事项已经登记过了，请在原记录上修改。"))

    def __str__(self):
        return f"{self.get_kind_display()} {self.year}"


class ExampleSchool(DomainModel):
    """A school the year's summary describes as a 典型 (typical example), in staff's order.
    With none chosen for a year the summary takes the top three by base profit with accounts."""

    class Mode(models.TextChoices):
        FULL = "full", _("详细介绍")
        BRIEF = "brief", _("简要提及")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    school = models.ForeignKey("workstudy.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    mode = models.CharField(_("写法"), max_length=8, choices=Mode.choices, default=Mode.FULL)
    order = models.PositiveSmallIntegerField(
        _("顺序"), default=1, validators=[MinValueValidator(1), MaxValueValidator(99)], help_text=_("小的在前。"),
    )
    feature = models.CharField(
        _("特色"), max_length=40, blank=True,
        help_text=_("简要提及时写的特色，例如：桔园、雪梨种植；留空则用面积最大的地块。"),
    )

    class Meta:
        verbose_name = _("典型学校")
        verbose_name_plural = _("典型学校")
        ordering = ["year_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "school"], name="one_example_per_year_school")]

    def __str__(self):
        return f"{self.year_id} {self.school}"


class StatedFigure(DomainModel):
    """A figure an earlier document stated (e.g. 全市劳动基地约890亩), kept beside the figure the
    data gives for the same year: the summary's data-quality appendix prints both and the difference."""

    class Key(models.TextChoices):
        LAND_TOTAL = "land_total", _("劳动基地总面积（亩）")
        AVG_TOTAL_INCOME = "avg_total_income", _("勤工俭学总收益年均（万元）")
        SUBSIDY = "subsidy", _("补贴教育经费（万元）")
        CLAIM_PERSON_TIMES = "claim_person_times", _("风险理赔人次")
        CLAIM_PAID = "claim_paid", _("理赔金额（万元）")
        PROPERTY_CLAIM_PAID = "property_claim_paid", _("学校财产损失理赔额（万元）")

    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    key = models.CharField(_("数字"), max_length=32, choices=Key.choices)
    value = models.DecimalField(
        _("文件所写数值"), max_digits=14, decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("999999999999"))],
    )
    source = models.CharField(_("出处"), max_length=200, help_text=_("哪份文件写的，例如：2023年勤工俭学工作总结（手工稿）。"))
    county = county_field()

    class Meta:
        verbose_name = _("文件所写数字")
        verbose_name_plural = _("文件所写数字")
        ordering = ["year_id", "key"]
        constraints = unique_per_county(["year", "key", "source"], "stated_figure_per_county",
                                        _("同一出处的同一个数字只登记一次。"))

    def __str__(self):
        return f"{self.year_id} {self.get_key_display()} {self.value}"


class FrozenSummary(models.Model):
    """A locked year's computed summary, kept as it was at the lock: the summary page, its PDF,
    the 大事记 and the workbook of that year print it whatever is corrected later in rows that
    belong to no year (a school's or base's name, a dated fact, a policy document, a broker).
    Dropped when the year is reopened. ``payload`` is the pickled :class:`reports.figures.Summary`
    of format ``format``; one of another format (written by an older version of the code) is not
    used, and the archived PDF remains the document of record."""

    year = models.OneToOneField(ReportingYear, on_delete=models.CASCADE, primary_key=True, related_name="+",
                                verbose_name=_("年度"))
    format = models.PositiveSmallIntegerField(_("格式版本"))
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    payload = models.BinaryField(_("内容"))
    taken_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("锁定时的总结数字")
        verbose_name_plural = _("锁定时的总结数字")

    def __str__(self):
        return f"{self.year_id} {self.fingerprint[:12]}"


class FrozenSheet(models.Model):
    """One school's sheet data as it stood when its year was locked, for a year too large to
    render every sheet's PDF within the lock (:data:`reports.archive.SHEETS_AT_LOCK`): the PDF
    is then made from it, dated with the lock date, at its first download, and kept."""

    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    school = models.ForeignKey("workstudy.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("学校"))
    payload = models.BinaryField(_("内容"))

    class Meta:
        verbose_name = _("锁定时的学校简表数据")
        verbose_name_plural = _("锁定时的学校简表数据")
        constraints = [models.UniqueConstraint(fields=["year", "school"], name="one_frozen_sheet_per_school")]

    def __str__(self):
        return f"{self.year_id} {self.school_id}"


class RenderJob(models.Model):
    """An open year's PDF (the summary or one school's sheet) to be made by ``manage.py pdf_worker``
    outside the web workers (:mod:`reports.render_jobs`). One row per document and data fingerprint
    asked for; the row keeps the PDF made, of the data current when it was made
    (``output_fingerprint``: newer than the one asked for if the data changed in between)."""

    class Kind(models.TextChoices):
        SUMMARY = "summary", _("年度工作总结")
        SHEET = "sheet", _("学校勤工俭学简表")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("文件"), max_length=8, choices=Kind.choices)
    year = models.ForeignKey(ReportingYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("年度"))
    school = models.ForeignKey("workstudy.School", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("学校"))
    key = models.CharField(_("文件标识"), max_length=40)
    fingerprint = models.CharField(_("数据指纹"), max_length=64)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    requested_at = models.DateTimeField(_("请求时间"))
    available_at = models.DateTimeField(_("可开始时间"))
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    worker = models.CharField(_("生成进程"), max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="reports/rendered/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    output_fingerprint = models.CharField(_("所用数据指纹"), max_length=64, blank=True)
    data_version = models.PositiveIntegerField(_("数据版本"), null=True, blank=True)
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("PDF 生成任务")
        verbose_name_plural = _("PDF 生成任务")
        ordering = ["-requested_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["key", "fingerprint"], name="one_render_job_per_version")]
        indexes = [
            models.Index(fields=["state", "available_at"], name="render_job_queue"),
            models.Index(fields=["key", "output_fingerprint"], name="render_job_output"),
        ]

    def __str__(self):
        return f"{self.key} {self.fingerprint[:12]} {self.state}"
