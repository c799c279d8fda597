"""coverage(): schools with a record, meeting each requirement of the outline, students taking part."""

from decimal import Decimal

from labor_education.selectors import coverage
from tests.factories import SchoolFactory, SubmissionFactory
from tests.labor_education.factories import LaborEducationFactory


def test_coverage_counts_each_requirement_at_its_boundary(year):
    rows = [
        # class periods, hours, 劳动周 held, students
        (Decimal("1"), Decimal("2"), True, 100),       # meets all three (boundaries included)
        (Decimal("0.99"), Decimal("3"), True, 200),    # class short
        (Decimal("2"), Decimal("1.99"), True, 300),    # hours short
        (Decimal("1"), Decimal("2"), False, 50),       # no 劳动周
    ]
    ids = []
    for periods, hours, held, students in rows:
        school = SchoolFactory()
        SubmissionFactory(school=school, year=year, student_count=1000)
        ids.append(LaborEducationFactory(school=school, year=year, class_periods_per_week=periods,
                                         out_of_class_hours_per_week=hours, labor_week_held=held,
                                         labor_week_days=5 if held else 0, students_taking_part=students).school_id)
    LaborEducationFactory(school=SchoolFactory(), year__year=2023, students_taking_part=999)  # another year
    assert coverage(2024) == {"schools": 4, "class_ok": 3, "hours_ok": 3, "labor_week": 3, "all_ok": 1,
                              "students": 650}
    assert coverage(year, school_ids=ids[1:3]) == {"schools": 2, "class_ok": 1, "hours_ok": 1, "labor_week": 2,
                                                    "all_ok": 0, "students": 500}


def test_coverage_of_an_empty_year(year):
    assert coverage(2024) == {"schools": 0, "class_ok": 0, "hours_ok": 0, "labor_week": 0, "all_ok": 0,
                              "students": 0}
