"""A one-row subquery (a base's declared area, a school's counts for the year) carries no ORDER
BY: the models' default orderings go through joins (school code, base name), and PostgreSQL
then joins and sorts once per outer row. For LB-03's area check at province size that was
minutes instead of a fraction of a second, on every summary and every aggregate rebuild."""

from insurance.models import StudentAccidentCoverage
from insurance.views import schools_without_coverage
from labor_bases.models import LaborBase
from labor_bases.selectors import area_mismatched_bases, with_declared_area
from workstudy.models import School
from workstudy.views import with_year_counts


def _order_bys(queryset) -> int:
    return str(queryset.query).upper().count("ORDER BY")


def test_one_row_subqueries_are_not_sorted(db):
    assert _order_bys(with_declared_area(LaborBase.objects.order_by(), 2024)) == 0
    assert _order_bys(area_mismatched_bases(2024).order_by()) == 0
    assert _order_bys(StudentAccidentCoverage.objects.with_counts().order_by()) == 0
    assert _order_bys(with_year_counts(School.objects.order_by(), 2024)) == 0
    assert _order_bys(schools_without_coverage(2024)) == 1  # its own, by code
