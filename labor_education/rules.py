"""Validation rules of 劳动教育 (codes LE-xx), after the 2020 《大中小学劳动教育指导纲要（试行）》:
per school a labor class of at least one period a week, at least 2 hours of labor outside
class a week, and a 劳动周 each school year.

Errors are enforced in the model's ``clean()`` (forms and Excel import alike); the outline's
minimums are warnings, found in saved data by the ``year_check`` functions below: the three
minimums in one query, the missing records in another.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from workstudy.rules import ERROR, READS_RETURNS, WARNING, finding_url, rule, school_reads, year_check

MODULE = "labor_education"
READS_RETURNS.add(MODULE)  # RECORD_MISSING: a school that reported (its return touched) and recorded nothing

# The outline's minimums (2 hours for every grade: the simple reading of "2-3 hours").
MIN_CLASS_PERIODS = Decimal("1")
MIN_OUT_OF_CLASS_HOURS = Decimal("2")

STUDENTS_LE_ENROLLED = rule(
    "LE-01", ERROR, _("参与学生不超过在校学生"),
    _("参与劳动教育的学生（%(taking)s 人）不能超过本校 %(year)s 年度学生人数（%(students)s 人）。"), module=MODULE,
)
LABOR_WEEK_DAYS_ZERO = rule(
    "LE-02", ERROR, _("未开展劳动周时天数为 0"),
    _("没有开展劳动周时，劳动周天数应为 0，现在填的是 %(days)s 天。"), module=MODULE,
)
LABOR_WEEK_DAYS_SET = rule(
    "LE-03", ERROR, _("开展劳动周时须填天数"),
    _("开展了劳动周，请填写劳动周天数（至少 1 天）。"), module=MODULE,
)
BASE_OF_SCHOOL = rule(
    "LE-04", ERROR, _("使用的劳动实践基地属于本校"),
    _("劳动实践基地“%(base)s”不属于%(school)s，请只选择本校的基地。"), module=MODULE,
)
ONE_PER_YEAR = rule(
    "LE-10", ERROR, _("每校每年一条劳动教育情况"),
    _("%(school)s %(year)s 年已经填写了劳动教育情况，请修改已有的那一条。"), module=MODULE,
)
CLASS_PERIODS_MIN = rule(
    "LE-05", WARNING, _("劳动教育课每周不少于 1 课时"),
    _("%(school_name)s %(year)s 年劳动教育课每周 %(value)s 课时，低于《大中小学劳动教育指导纲要》每周不少于 1 课时的要求。"),
    module=MODULE,
)
OUT_OF_CLASS_MIN = rule(
    "LE-06", WARNING, _("课外劳动每周不少于 2 小时"),
    _("%(school_name)s %(year)s 年课外劳动每周 %(value)s 小时，低于《大中小学劳动教育指导纲要》每周不少于 2 小时的要求。"),
    module=MODULE,
)
LABOR_WEEK_HELD = rule(
    "LE-07", WARNING, _("每学年开展劳动周"),
    _("%(school_name)s %(year)s 年没有开展劳动周；《大中小学劳动教育指导纲要》要求每学年设立劳动周。"), module=MODULE,
)
RECORD_MISSING = rule(
    "LE-08", WARNING, _("已填报学校须填写劳动教育情况"),
    _("%(school_name)s %(year)s 年已有填报，但还没有填写劳动教育情况。"), module=MODULE,
)


def shown(value) -> str:
    """2.50 -> '2.5', 1.00 -> '1'."""
    number = Decimal(value)
    return f"{number.normalize():f}" if number != number.to_integral_value() else f"{number:.0f}"


@year_check(CLASS_PERIODS_MIN, OUT_OF_CLASS_MIN, LABOR_WEEK_HELD)
def _below_outline(year: int, school_id: int | None):
    """The outline's three minimums, from one read of the records that miss any of them: each
    rule's warnings in school-code order, LE-05's first."""
    from django.db.models import Q

    from .models import LaborEducation

    rows = LaborEducation.objects.filter(
        Q(class_periods_per_week__lt=MIN_CLASS_PERIODS) | Q(out_of_class_hours_per_week__lt=MIN_OUT_OF_CLASS_HOURS)
        | Q(labor_week_held=False), year_id=year,
    ).select_related("school").order_by("school__code")
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    rows = list(rows)

    def found(registered, below, value=None):
        return [
            registered.finding(
                school=r.school, obj=r, url=finding_url("labor_education:edit", args=[r.pk]),
                school_name=r.school.name, year=year, **({} if value is None else {"value": shown(getattr(r, value))}),
            )
            for r in rows if below(r)
        ]

    return [
        *found(CLASS_PERIODS_MIN, lambda r: r.class_periods_per_week < MIN_CLASS_PERIODS, "class_periods_per_week"),
        *found(OUT_OF_CLASS_MIN, lambda r: r.out_of_class_hours_per_week < MIN_OUT_OF_CLASS_HOURS,
               "out_of_class_hours_per_week"),
        *found(LABOR_WEEK_HELD, lambda r: not r.labor_week_held),
    ]


# RECORD_MISSING's warnings, each made once per year, school, name and language (what it
# prints): every change to a return checks this module again, and making a county's hundreds of
# warnings afresh was most of the time of that check.
_made: dict[tuple, object] = {}
_MADE_AT_MOST = 50_000


@year_check(RECORD_MISSING)
def _missing(year: int, school_id: int | None):
    from django.utils.translation import get_language

    from workstudy.models import School, Submission, SubmissionStatus

    from .models import LaborEducation

    # A year in which no school recorded its labor education was not collected (the years before
    # the bureau asked for it): nobody is missing from it (asked in the same statement).
    # A return opened with the year and never touched is not yet a school's report.
    qs = (Submission.objects.filter(Exists(LaborEducation.objects.filter(year_id=year)), year_id=year)
          .exclude(status=SubmissionStatus.DRAFT, staff_count__isnull=True, student_count__isnull=True)
          .exclude(Exists(LaborEducation.objects.filter(school_id=OuterRef("school_id"), year_id=year)))
          .order_by("school__code"))
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    language, found = get_language(), []
    for pk, name in qs.values_list("school_id", "school__name"):
        finding = _made.get((year, pk, name, language))
        if finding is None:
            if len(_made) >= _MADE_AT_MOST:
                _made.clear()
            school = School(pk=pk, name=name)  # what the warning names: its key is the school's row
            finding = _made[(year, pk, name, language)] = RECORD_MISSING.finding(
                school=school, obj=school,
                url=finding_url("labor_education:index", query=f"year={year}&school={pk}"),
                school_name=name, year=year,
            )
        found.append(finding)
    return found


@school_reads(MODULE)
def one_school_reads(year: int, school_id: int) -> tuple | None:
    """What the checks above read for one school, in one statement: its name, whether any school
    recorded ``year``, its record's three figures the outline sets minimums for, and its return's
    status and whether its counts are filled in. While these are what they were, a principal's
    pages keep the school's warnings of this module (``workstudy.rules.school_reads``), though
    every other school's return changes status on a deadline day (a change to any return moves
    this module's stamp)."""
    from django.db import connection

    from workstudy.models import School, Submission

    from .models import LaborEducation

    q = connection.ops.quote_name
    record, school, submission = (q(m._meta.db_table) for m in (LaborEducation, School, Submission))
    sql = (
        f"SELECT s.{q('name')}, EXISTS (SELECT 1 FROM {record} WHERE {q('year_id')} = %s), r.{q('id')}, "
        f"r.{q('class_periods_per_week')}, r.{q('out_of_class_hours_per_week')}, r.{q('labor_week_held')}, "
        f"t.{q('status')}, t.{q('staff_count')} IS NULL, t.{q('student_count')} IS NULL "
        f"FROM {school} s "
        f"LEFT JOIN {record} r ON r.{q('school_id')} = s.{q('id')} AND r.{q('year_id')} = %s "
        f"LEFT JOIN {submission} t ON t.{q('school_id')} = s.{q('id')} AND t.{q('year_id')} = %s "
        f"WHERE s.{q('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, year, year, school_id])
        row = cursor.fetchone()
    return None if row is None else tuple(row)
