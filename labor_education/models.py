"""劳动教育: what each school does for labor education in a reporting year, against the
2020 《大中小学劳动教育指导纲要（试行）》 (a labor class of at least 1 period a week, at least
2 hours of labor outside class a week, a 劳动周 each school year).

One record per school and year. Periods and hours are per week (decimals allowed: a class
every other week is 0.5); the 劳动周 is counted in days.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from labor_bases.models import LaborBase
from workstudy import limits
from workstudy.models import DomainModel, ReportingYear, School, Submission
from workstudy.rules import collect

from . import rules


class LaborEducation(DomainModel):
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="labor_education", verbose_name=_("学校"))
    year = models.ForeignKey(ReportingYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("年度"))
    class_periods_per_week = limits.quantity_field(
        _("劳动教育课（课时/周）"), limits.PERIODS_PER_WEEK, default=Decimal("0"),
        help_text=_("每周劳动教育课课时，纲要要求不少于 1 课时。"))
    out_of_class_hours_per_week = limits.quantity_field(
        _("课外劳动（小时/周）"), limits.HOURS_PER_WEEK, default=Decimal("0"),
        help_text=_("每周课外、校外劳动时间，纲要要求不少于 2 小时。"))
    labor_week_held = models.BooleanField(_("开展劳动周"), default=False)
    labor_week_days = limits.count_field(
        _("劳动周天数"), limits.DAYS, default=0, help_text=_("未开展劳动周时填 0。"))
    students_taking_part = limits.count_field(_("参与学生"), help_text=_("单位：人；不超过本校学生人数。"))
    bases_used = models.ManyToManyField(
        LaborBase, blank=True, related_name="labor_education", verbose_name=_("使用的劳动实践基地"))
    note = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("劳动教育情况")
        verbose_name_plural = _("劳动教育情况")
        ordering = ["-year_id", "school__code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="labor_education_one_per_school_year"),
        ]

    def __str__(self):
        school = self.school.name if self.school_id else "—"
        return _("%(school)s %(year)s 年劳动教育情况") % {"school": school, "year": self.year_id}

    def clean(self):
        super().clean()
        collect(self._check_one_per_year, self._check_students, self._check_labor_week,
                self._check_bases)

    def _check_one_per_year(self):
        # Also when the form does not show the school (a principal's): the constraint alone would be a 500.
        if self.school_id and self.year_id:
            taken = LaborEducation.objects.filter(school_id=self.school_id, year_id=self.year_id).exclude(pk=self.pk)
            rules.ONE_PER_YEAR.check(not taken.exists(), None, school=self.school.name, year=self.year_id)

    def _check_students(self):
        if self.students_taking_part is None or not (self.school_id and self.year_id):
            return
        enrolled = (Submission.objects.filter(school_id=self.school_id, year_id=self.year_id)
                    .values_list("student_count", flat=True).first())
        if enrolled is not None:
            rules.STUDENTS_LE_ENROLLED.check(
                self.students_taking_part <= enrolled, "students_taking_part",
                taking=self.students_taking_part, year=self.year_id, students=enrolled)

    def _check_labor_week(self):
        days = self.labor_week_days
        if days is None:
            return
        if self.labor_week_held:
            rules.LABOR_WEEK_DAYS_SET.check(days > 0, "labor_week_days")
        else:
            rules.LABOR_WEEK_DAYS_ZERO.check(days == 0, "labor_week_days", days=days)

    def _check_bases(self):
        """Every base used is this school's: the bases a form chose (``chosen_bases``, set before
        ``full_clean()``; a many-to-many value is saved after the row) or else the saved ones."""
        bases = getattr(self, "chosen_bases", None)
        if bases is None:
            bases = self.bases_used.all() if self.pk else ()
        if not self.school_id:
            return
        for base in bases:
            rules.BASE_OF_SCHOOL.check(
                base.school_id == self.school_id, "bases_used", base=base.name, school=self.school.name)
