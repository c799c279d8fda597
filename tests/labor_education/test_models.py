"""Errors that block saving (model clean, so pages and Excel alike): students taking part
within the school's enrolment, 劳动周 days consistent with whether one was held, bases of
the record's own school, one record per school and year."""

from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from labor_education.models import LaborEducation
from tests.labor_education.factories import LaborEducationFactory


def _record(school, year, **values):
    fields = {"class_periods_per_week": Decimal("1"), "out_of_class_hours_per_week": Decimal("2"),
              "labor_week_held": True, "labor_week_days": 5, "students_taking_part": 400}
    fields.update(values)
    return LaborEducation(school=school, year=year, **fields)


def _codes(exc, field):
    return [e.code for e in exc.value.error_dict[field]]


def test_students_up_to_the_enrolment_pass_one_more_is_refused(school_a, year, submission_a):
    assert submission_a.student_count == 400
    _record(school_a, year, students_taking_part=400).full_clean()
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year, students_taking_part=401).full_clean()
    assert _codes(exc, "students_taking_part") == ["LE-01"]
    message = exc.value.message_dict["students_taking_part"][0]
    assert "401" in message and "400" in message and "2024" in message


def test_students_unchecked_while_the_enrolment_is_not_entered(school_a, year, submission_a):
    submission_a.student_count = None
    submission_a.save()
    _record(school_a, year, students_taking_part=5000).full_clean()


def test_labor_week_days_follow_whether_it_was_held(school_a, year, submission_a):
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year, labor_week_held=False, labor_week_days=3).full_clean()
    assert _codes(exc, "labor_week_days") == ["LE-02"]
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year, labor_week_held=True, labor_week_days=0).full_clean()
    assert _codes(exc, "labor_week_days") == ["LE-03"]
    _record(school_a, year, labor_week_held=False, labor_week_days=0).full_clean()
    _record(school_a, year, labor_week_held=True, labor_week_days=1).full_clean()


def test_days_beyond_a_year_refused_with_the_range(school_a, year, submission_a):
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year, labor_week_days=367).full_clean()
    assert "0 至 366" in exc.value.message_dict["labor_week_days"][0]


def test_per_week_figures_a_week_cannot_hold_are_refused(school_a, year, submission_a):
    _record(school_a, year, class_periods_per_week=Decimal("40"), out_of_class_hours_per_week=Decimal("168")).full_clean()
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year, class_periods_per_week=Decimal("40.5"),
                out_of_class_hours_per_week=Decimal("168.5")).full_clean()
    assert _codes(exc, "class_periods_per_week") == ["CORE-01"]
    assert _codes(exc, "out_of_class_hours_per_week") == ["CORE-01"]
    assert "0 至 40 课时" in exc.value.message_dict["class_periods_per_week"][0]
    assert "0 至 168 小时" in exc.value.message_dict["out_of_class_hours_per_week"][0]


def test_base_of_another_school_refused(school_a, year, submission_a, base_a, base_b):
    record = LaborEducationFactory(school=school_a, year=year)
    record.chosen_bases = [base_a]
    record.full_clean()
    record.chosen_bases = [base_a, base_b]
    with pytest.raises(ValidationError) as exc:
        record.full_clean()
    assert _codes(exc, "bases_used") == ["LE-04"]
    assert base_b.name in exc.value.message_dict["bases_used"][0]
    # Saved bases are checked too (a row whose school's bases were mixed up some other way).
    del record.chosen_bases
    record.bases_used.set([base_b])
    with pytest.raises(ValidationError):
        record.full_clean()


def test_one_record_per_school_and_year(school_a, year, submission_a):
    LaborEducationFactory(school=school_a, year=year)
    with pytest.raises(ValidationError) as exc:
        _record(school_a, year).clean()
    assert _codes(exc, NON_FIELD_ERRORS) == ["LE-10"]
