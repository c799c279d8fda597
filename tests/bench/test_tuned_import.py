"""The benchmark's django-import-export tuned resource: it must do the same work as the
portal's engine on the benchmark's file (same rows, values, history, accounts, validation
and scope), or its figures would compare unlike things. And the code-line count."""

from decimal import Decimal

import pytest

from bench import measure as benchmark
from bench.tuned_import import tuned_import
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory, ProductionLineFactory
from workstudy.models import Role


@pytest.fixture
def bases(year):
    found = []
    for n in range(3):
        school = SchoolFactory(code=f"T{n}", name=f"调优学校{n}")
        SubmissionFactory(school=school, year=year)
        base = LaborBaseFactory(school=school, name=f"调优基地{n}")
        BaseYearFinanceFactory(base=base, year=year, other_income=Decimal("100"))
        found.append(base)
    return found


def _rows(bases, n, year, **change):
    rows = [
        {
            "school_code": bases[i % len(bases)].school.code,
            "base_name": bases[i % len(bases)].name,
            "base_id": bases[i % len(bases)].pk,
            "year": year.year,
            "product": f"调优产品{i}",
            "grade": "",
            "quantity": Decimal("2.5"),
            "unit": "kg",
            "unit_price": Decimal("4.00"),
            "note": "",
        }
        for i in range(n)
    ]
    for index, values in change.items():
        rows[int(index.removeprefix("row"))].update(values)
    return rows


def _messages(result) -> dict[int, list[str]]:
    found = {}
    for invalid in result.invalid_rows:
        found[invalid.number] = [str(m) for messages in invalid.error_dict.values() for m in messages]
    for number, errors in result.row_errors():
        found.setdefault(number, []).extend(str(e.error) for e in errors)
    return found


def test_tuned_import_writes_what_the_portal_writes(director, year, bases):
    from aggregates.models import SchoolYearFigures
    from labor_bases.models import BaseYearFinance, ProductionLine

    result = tuned_import(benchmark.portal_xlsx(_rows(bases, 30, year)), user=director, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert result.totals["new"] == 30
    lines = ProductionLine.objects.filter(product__startswith="调优产品")
    assert lines.count() == 30 and all(line.value == Decimal("10.00") for line in lines)
    history = ProductionLine.history.filter(product__startswith="调优产品")
    assert history.count() == 30 and {h.history_user_id for h in history} == {director.pk}
    for base in bases:
        finance = BaseYearFinance.objects.get(base=base, year=year)
        assert finance.production_value == Decimal("100.00")  # 10 lines x 10.00
        assert finance.revenue == Decimal("200.00")
        kept = SchoolYearFigures.objects.get(school=base.school, year=year)
        assert kept.production_value == Decimal("100.00")  # the aggregates followed the bulk write


def test_tuned_preview_leaves_nothing(director, year, bases):
    from labor_bases.models import ProductionLine

    result = tuned_import(benchmark.portal_xlsx(_rows(bases, 12, year)), user=director, dry_run=True)
    assert result.totals["new"] == 12 and not result.has_validation_errors()
    assert not ProductionLine.objects.filter(product__startswith="调优产品").exists()
    assert not ProductionLine.history.filter(product__startswith="调优产品").exists()


def test_tuned_import_validates_every_row_and_saves_nothing_when_one_is_bad(director, year, bases):
    from labor_bases.models import ProductionLine

    rows = _rows(
        bases,
        6,
        year,
        row1={"quantity": Decimal("200000000")},
        row3={"base_name": "没有这个基地"},
        row4={"unit_price": Decimal("2000000")},
    )
    result = tuned_import(benchmark.portal_xlsx(rows), user=director, dry_run=False)
    messages = _messages(result)
    assert set(messages) == {2, 4, 5}  # import-export numbers data rows from 1
    assert any("产量" in m for m in messages[2])  # the portal's limit message, via full_clean
    assert any("没有这个基地" in m for m in messages[4])
    assert not ProductionLine.objects.filter(product__startswith="调优产品").exists()
    unchecked = tuned_import(benchmark.portal_xlsx(rows), user=director, dry_run=True, validate=False)
    assert set(_messages(unchecked)) == {4}  # without full_clean only the widgets refuse


def test_tuned_import_keeps_a_principal_to_their_school(year, bases):
    principal = UserFactory(username="tuned-principal", role=Role.PRINCIPAL, school=bases[0].school)
    result = tuned_import(benchmark.portal_xlsx(_rows(bases, 4, year)), user=principal, dry_run=True)
    assert set(_messages(result)) == {2, 3}  # rows naming schools the principal cannot see


def test_tuned_import_finds_existing_rows_by_natural_key(director, year, bases):
    from labor_bases.models import ProductionLine

    ProductionLineFactory(
        base=bases[0], year=year, product="调优产品0", grade="", unit="kg", quantity=Decimal("1"), unit_price=Decimal("1")
    )
    result = tuned_import(benchmark.portal_xlsx(_rows(bases, 3, year)), user=director, dry_run=False)
    assert (result.totals["new"], result.totals["update"]) == (2, 1)
    assert ProductionLine.objects.get(product="调优产品0").quantity == Decimal("2.50")


def test_code_lines_leave_out_blanks_comments_and_docstrings(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        '"""Module\ndocstring."""\n\n# a comment\nimport os  # trailing\n\n\ndef f(x):\n'
        '    """Doc."""\n    return (x +\n            1)\n',
        encoding="utf-8",
    )
    assert benchmark.code_lines(source) == 4  # import, def, and the two lines of the return
    (tmp_path / "more.py").write_text("x = 1\n", encoding="utf-8")
    assert benchmark.code_lines(tmp_path) == 5
