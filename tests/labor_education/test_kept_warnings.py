"""One school's labor-education warnings (a principal's pages) are kept while what they read is
unchanged (:func:`labor_education.rules.one_school_reads`), though every other school's return
changes on a deadline day: after any sequence of records saved, changed and deleted, returns
moved between states, counts filled in or cleared and schools renamed, the kept warnings are
those of checking the school again. Outside a transaction, as a page reads them (nothing is kept
inside one), so the database is emptied between examples."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from labor_education.models import LaborEducation
from labor_education.rules import MODULE
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from tests.kept import counted_checks
from workstudy import rules
from workstudy.models import School, Submission, SubmissionStatus

SCHOOLS = 3
school = st.integers(0, SCHOOLS - 1)
operation = st.one_of(
    st.tuples(st.just("record"), school, st.sampled_from([2023, 2024]), st.sampled_from(["0.5", "1", "3"]),
              st.sampled_from(["1", "2", "4.5"]), st.booleans()),
    st.tuples(st.just("delete record"), school, st.sampled_from([2023, 2024])),
    st.tuples(st.just("status"), school, st.sampled_from(list(SubmissionStatus.values))),
    st.tuples(st.just("counts"), school, st.sampled_from([None, 0, 40]), st.sampled_from([None, 0, 300])),
    st.tuples(st.just("rename school"), school),
)
_names = itertools.count()


def _apply(op, schools) -> None:
    kind, index, *args = op
    school = schools[index]
    if kind == "record":
        year, periods, hours, held = args
        record = LaborEducation.objects.filter(school=school, year_id=year).first() or LaborEducation(
            school=school, year_id=year, students_taking_part=10)
        record.class_periods_per_week, record.out_of_class_hours_per_week = Decimal(periods), Decimal(hours)
        record.labor_week_held, record.labor_week_days = held, 5 if held else 0
        record.save()
    elif kind == "delete record":
        for record in LaborEducation.objects.filter(school=school, year_id=args[0]):
            record.delete()
    elif kind == "status":
        submission = Submission.objects.get(school=school, year_id=2024)
        submission.status = args[0]
        submission.save()
    elif kind == "counts":
        submission = Submission.objects.get(school=school, year_id=2024)
        submission.staff_count, submission.student_count = args
        submission.save()
    elif kind == "rename school":
        row = School.objects.get(pk=school.pk)
        row.name = f"学校{next(_names)}"
        row.save()


def _rows(found) -> list[tuple]:
    return [(f.rule.code, f.school_id, f.school_name, f.obj_label, f.message, f.key, str(f.url)) for f in found]


def _county() -> list:
    ReportingYearFactory(year=2023)
    ReportingYearFactory(year=2024)
    rules.forget_kept()
    schools = [SchoolFactory(name=f"学校{next(_names)}") for _ in range(SCHOOLS)]
    for school in schools:
        SubmissionFactory(school=school, year_id=2024, status=SubmissionStatus.DRAFT, staff_count=None,
                          student_count=None)
    return schools


def _empty() -> None:
    LaborEducation.objects.all().delete()
    Submission.objects.all().delete()


@pytest.fixture
def checks(monkeypatch) -> list:
    """The school of each labor-education check run from now on."""
    return counted_checks(monkeypatch, MODULE)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=10))
@example(operations=[("record", 1, 2024, "1", "2", True), ("status", 0, SubmissionStatus.SUBMITTED)])
def test_a_schools_kept_warnings_equal_its_check_again(checks, operations):
    schools = _county()
    try:
        for school in schools:
            rules.findings(2024, school.pk, module=MODULE)
        for op in operations:
            _apply(op, schools)
            for school in schools:
                kept = rules.findings(2024, school.pk, module=MODULE)
                assert _rows(kept) == _rows(rules._check(2024, school.pk, MODULE)), (op, school.pk)
    finally:
        _empty()


@pytest.mark.django_db(transaction=True)
def test_a_school_is_not_checked_again_after_other_schools_returns_changed(checks):
    schools = _county()
    try:
        mine, other = schools[0], schools[1]
        _apply(("record", 1, 2024, "0.5", "2", True), schools)  # the year is recorded: LE-08 applies
        _apply(("counts", 0, 40, 300), schools)
        found = rules.findings(2024, mine.pk, module=MODULE)
        assert [f.rule.code for f in found] == ["LE-08"]
        checks.clear()
        for status in (SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED, SubmissionStatus.APPROVED):
            _apply(("status", 1, status), schools)  # another school's return, as staff review it
            assert rules.findings(2024, mine.pk, module=MODULE) == found
        assert checks == [], "another school's return ran the school's checks"
        third = schools[2]
        assert rules.findings(2024, third.pk, module=MODULE) == []  # a return never touched is no report yet
        _apply(("status", 2, SubmissionStatus.SUBMITTED), schools)  # submitted without its counts: a report
        assert [f.rule.code for f in rules.findings(2024, third.pk, module=MODULE)] == ["LE-08"]
        checks.clear()
        _apply(("delete record", 1, 2024), schools)  # the only record: the year is no longer collected
        assert rules.findings(2024, mine.pk, module=MODULE) == []
        assert set(checks) == {mine.pk}
        checks.clear()
        _apply(("record", 0, 2024, "1", "1", True), schools)  # the school's own record: below 2 hours
        assert [f.rule.code for f in rules.findings(2024, mine.pk, module=MODULE)] == ["LE-06"]
        assert set(checks) == {mine.pk}
        assert other.pk not in checks
    finally:
        _empty()
