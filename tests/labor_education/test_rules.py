"""Warnings (never block saving) below the 2020 outline, each at its boundary, and a school
with a return for the year but no labor-education record."""

import dataclasses
from decimal import Decimal

from tests.factories import SchoolFactory, SubmissionFactory
from tests.labor_education.factories import LaborEducationFactory
from workstudy import rules as core_rules
from workstudy.models import Submission


def findings(code, school_id=None):
    return [f for f in core_rules.findings(2024, school_id, module="labor_education") if f.rule.code == code]


def test_outline_met_gives_no_warning(record_a):
    assert core_rules.findings(2024, record_a.school_id, module="labor_education") == []


def test_class_periods_below_one_a_week(record_a, school_a):
    record_a.class_periods_per_week = Decimal("0.99")
    record_a.save()
    [found] = findings("LE-05")
    assert found.school_id == school_a.pk
    assert school_a.name in found.message and "0.99 课时" in found.message and "不少于 1 课时" in found.message


def test_out_of_class_hours_below_two_a_week(record_a, school_a):
    record_a.out_of_class_hours_per_week = Decimal("1.5")
    record_a.save()
    [found] = findings("LE-06")
    assert school_a.name in found.message and "1.5 小时" in found.message
    record_a.out_of_class_hours_per_week = Decimal("2")
    record_a.save()
    assert findings("LE-06") == []


def test_no_labor_week(record_a, school_a):
    record_a.labor_week_held, record_a.labor_week_days = False, 0
    record_a.save()
    [found] = findings("LE-07")
    assert school_a.name in found.message and "劳动周" in found.message
    assert findings("LE-05") == findings("LE-06") == []


def test_school_with_a_return_but_no_record(record_a, school_a, school_b, submission_b):
    [found] = findings("LE-08")
    assert found.school_id == school_b.pk and school_b.name in found.message and "2024" in found.message
    assert findings("LE-08", school_a.pk) == []


def test_return_never_touched_is_not_missing_a_record(year, record_a):
    school = SchoolFactory()
    Submission.objects.create(school=school, year=year, staff_count=None, student_count=None)
    assert findings("LE-08") == []
    SubmissionFactory(school=school, year=year)  # get_or_create: the same return
    Submission.objects.filter(school=school).update(student_count=300, staff_count=20)
    assert [f.school_id for f in findings("LE-08")] == [school.pk]


def test_warnings_are_per_year_and_school(record_a, record_b, school_b):
    LaborEducationFactory(school=school_b, year__year=2023, class_periods_per_week=Decimal("0"))
    assert findings("LE-05") == []
    record_b.class_periods_per_week = Decimal("0")
    record_b.save()
    assert [f.school_id for f in findings("LE-05")] == [school_b.pk]
    assert findings("LE-05", record_a.school_id) == []


def test_a_year_nobody_recorded_was_not_collected(year, submission_a, school_b):
    """Before the bureau collected labor education (no record in the year), no school is missing."""
    Submission.objects.filter(pk=submission_a.pk).update(student_count=300, staff_count=20)
    assert findings("LE-08") == []
    LaborEducationFactory(school=school_b, year=year)
    assert [f.school_id for f in findings("LE-08")] == [submission_a.school_id]


def test_a_missing_record_is_the_same_warning_however_often_it_is_made(record_a, school_a, school_b, submission_b):
    """The warning is made once per school, name and language and then reused: it must be the one
    made from the school's row (its key is what an explanation is kept under), and a renamed
    school or another language gets its own."""
    from django.utils import translation

    from labor_education.rules import RECORD_MISSING
    from workstudy.rules import finding_url

    def made_from_the_row(school):
        return RECORD_MISSING.finding(school=school, obj=school, school_name=school.name, year=2024,
                                      url=finding_url("labor_education:index", query=f"year=2024&school={school.pk}"))

    first = findings("LE-08")
    assert [dataclasses.astuple(f) for f in first] == [dataclasses.astuple(made_from_the_row(school_b))]
    core_rules.forget_kept()
    assert findings("LE-08") == first  # made again from what was kept: equal in every field
    school_b.name = "改名后的乙校"
    school_b.save()
    [renamed] = findings("LE-08")
    assert "改名后的乙校" in renamed.message and renamed.school_name == "改名后的乙校"
    assert renamed.key == first[0].key  # the same warning of the same school: its explanation stays
    with translation.override("en"):
        [english] = findings("LE-08")
        assert english.message != renamed.message and english.key == renamed.key
        assert dataclasses.astuple(english) == dataclasses.astuple(made_from_the_row(school_b))


def test_the_module_is_checked_in_two_statements(django_assert_num_queries, record_a, school_a, school_b,
                                                  submission_b):
    """The three minimums come from one read of the records (each rule's warnings in school-code
    order, as three reads gave them), the missing records from another, whether a school or the
    whole year is checked: every return submitted on a deadline day checks this module again."""
    record_a.class_periods_per_week, record_a.labor_week_held, record_a.labor_week_days = Decimal("0.5"), False, 0
    record_a.save()
    last = LaborEducationFactory(school=SchoolFactory(code="ZZZ9"), year=record_a.year,
                                 class_periods_per_week=Decimal("0"), out_of_class_hours_per_week=Decimal("1"))
    everything = [("LE-05", school_a.pk), ("LE-05", last.school_id), ("LE-06", last.school_id),
                  ("LE-07", school_a.pk), ("LE-08", school_b.pk)]
    for school_id in (None, school_a.pk, last.school_id):
        with django_assert_num_queries(2):
            found = core_rules._check(2024, school_id, "labor_education")
        assert [(f.rule.code, f.school_id) for f in found] \
            == [(code, school) for code, school in everything if school_id in (None, school)]
