"""The Excel import at scale: new rows are written together (bulk, with their history and
the base's accounts refreshed), lookups are made once per distinct value, and the number
of SQL queries does not grow with the number of rows."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import measure as benchmark
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory, ProductionLineFactory
from workstudy import excel
from workstudy.models import Role


@pytest.fixture
def bases(year):
    found = []
    for n in range(3):
        school = SchoolFactory(code=f"S{n}", name=f"规模学校{n}")
        SubmissionFactory(school=school, year=year)
        base = LaborBaseFactory(school=school, name=f"规模基地{n}")
        BaseYearFinanceFactory(base=base, year=year, other_income=Decimal("100"))
        found.append(base)
    return found


def _rows(bases, n, year, start=0):
    return [
        {
            "school_code": bases[i % len(bases)].school.code,
            "base_name": bases[i % len(bases)].name,
            "base_id": bases[i % len(bases)].pk,
            "year": year.year,
            "product": f"产品{start + i}",
            "grade": "",
            "quantity": Decimal("2.5"),
            "unit": "kg",
            "unit_price": Decimal("4.00"),
            "note": "",
        }
        for i in range(n)
    ]


def _import(user, year, rows, dry_run=False):
    registration = excel.get_registration("labor_production")
    with CaptureQueriesContext(connection) as ctx:
        report = excel.run_import(registration, user=user, year=year, data=benchmark.portal_xlsx(rows), dry_run=dry_run)
    assert report.ok, [str(i) for i in report.issues]
    return report, len(ctx.captured_queries)


def test_bulk_import_keeps_history_values_and_accounts(director, year, bases):
    from labor_bases.models import BaseYearFinance, ProductionLine

    report, _queries = _import(director, year, _rows(bases, 30, year))
    assert report.new == 30
    lines = ProductionLine.objects.filter(product__startswith="产品")
    assert lines.count() == 30
    assert all(line.value == Decimal("10.00") for line in lines)  # 2.5 x 4.00, by the model's compute_value
    history = ProductionLine.history.filter(product__startswith="产品")
    assert history.count() == 30 and {h.history_user_id for h in history} == {director.pk}
    assert {h.history_type for h in history} == {"+"}
    for base in bases:
        finance = BaseYearFinance.objects.get(base=base, year=year)
        assert finance.production_value == Decimal("100.00")  # 10 lines x 10.00
        assert finance.revenue == Decimal("200.00") and finance.profit == finance.revenue - finance.cost


def test_preview_saves_nothing(director, year, bases):
    from labor_bases.models import ProductionLine

    report, _queries = _import(director, year, _rows(bases, 12, year), dry_run=True)
    assert report.new == 12
    assert not ProductionLine.objects.filter(product__startswith="产品").exists()
    assert not ProductionLine.history.filter(product__startswith="产品").exists()


def test_queries_do_not_grow_with_rows(director, year, bases):
    _r, small = _import(director, year, _rows(bases, 10, year), dry_run=True)
    _r, large = _import(director, year, _rows(bases, 200, year, start=1000), dry_run=True)
    assert large <= small + 5, (small, large)


def test_existing_rows_are_found_and_updated_one_by_one(director, year, bases):
    from labor_bases.models import ProductionLine

    existing = ProductionLineFactory(
        base=bases[0], year=year, product="产品0", grade="", unit="kg", quantity=Decimal("1"), unit_price=Decimal("1")
    )
    report, _queries = _import(director, year, _rows(bases, 6, year))
    assert (report.new, report.update) == (5, 1)
    existing.refresh_from_db()
    assert existing.quantity == Decimal("2.50") and existing.version == 2  # saved through save()
    assert ProductionLine.objects.filter(product="产品0").count() == 1


def test_a_principal_still_imports_only_their_school(year, bases):
    principal = UserFactory(username="scale-principal", role=Role.PRINCIPAL, school=bases[0].school)
    rows = _rows(bases, 4, year)  # rows 1 and 3 name other schools
    registration = excel.get_registration("labor_production")
    report = excel.run_import(registration, user=principal, year=year, data=benchmark.portal_xlsx(rows), dry_run=True)
    assert not report.ok
    assert {issue.row for issue in report.issues} == {3, 4}
