"""The per-school yearly aggregates against the from-scratch computation, on random data.

Random production lines, accounts, plots, declared areas, practice activities and bases are
written through every path that writes them (a form's save, an edit moving a line to another
base or year, a delete, the Excel import's bulk write, a base moved to another school);
afterwards the county figures read from the aggregates must equal those summed from every
row (``labor_bases.selectors``), the product medians those of every price, the stored rows a
rebuild's, and the summary the same as after a rebuild. Runs on SQLite and on PostgreSQL
(``DATABASE_URL``).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates import maintain
from aggregates import selectors as aggregated
from aggregates.models import ProductPriceMedian, SchoolYearFigures
from labor_bases import selectors as from_rows
from labor_bases.models import (
    BaseYearArea,
    BaseYearFinance,
    LaborBase,
    LandParcel,
    ProductionLine,
    StudentPracticeActivity,
)
from reports import figures
from tests.factories import ReportingYearFactory, SchoolFactory
from workstudy.excel.saving import _bulk_create_with_history

YEARS = (2023, 2024)
SCHOOLS = 3
BASES = 4
PRODUCTS = ("茶叶", "稻谷", "桔")
GRADES = ("", "一级")
UNITS = ("kg", "jin")

money = st.decimals(min_value=0, max_value=5000, places=2, allow_nan=False, allow_infinity=False)
price = st.one_of(st.just(Decimal("0")), st.decimals(min_value=Decimal("0.01"), max_value=900, places=2))
line = st.tuples(st.integers(0, BASES - 1), st.sampled_from(YEARS), st.integers(0, len(PRODUCTS) - 1),
                 st.integers(0, len(GRADES) - 1), st.sampled_from(UNITS),
                 st.decimals(min_value=0, max_value=500, places=1), price)
area = st.sampled_from([Decimal(a) for a in ("1.00", "2.50", "3.50", "6.00")])
plot = st.tuples(st.integers(0, BASES - 1), st.sampled_from(YEARS), area)
operation = st.one_of(
    st.tuples(st.just("line"), line),
    st.tuples(st.just("import"), st.lists(line, min_size=1, max_size=5)),
    st.tuples(st.just("edit"), st.integers(0, 50), line),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("accounts"), st.integers(0, BASES - 1), st.sampled_from(YEARS), money, money, money),
    st.tuples(st.just("drop_accounts"), st.integers(0, 50)),
    st.tuples(st.just("move_base"), st.integers(0, BASES - 1), st.integers(0, SCHOOLS - 1)),
    st.tuples(st.just("plots"), st.lists(plot, min_size=1, max_size=3), st.booleans()),
    st.tuples(st.just("drop_plot"), st.integers(0, 50)),
    st.tuples(st.just("declare"), st.integers(0, BASES - 1), st.sampled_from(YEARS), area),
    st.tuples(st.just("activity"), st.integers(0, SCHOOLS - 1), st.sampled_from(YEARS), st.integers(1, 90),
              st.integers(1, 5), st.booleans()),
    st.tuples(st.just("drop_activity"), st.integers(0, 50)),
)


def _new_line(bases, spec) -> ProductionLine:
    base, year, product, grade, unit, quantity, unit_price = spec
    return ProductionLine(base=bases[base], year_id=year, product=PRODUCTS[product], grade=GRADES[grade], unit=unit,
                          quantity=quantity, unit_price=unit_price)


def _apply(op, schools, bases) -> None:
    kind, *args = op
    lines = list(ProductionLine.objects.order_by("pk"))
    accounts = list(BaseYearFinance.objects.order_by("pk"))
    if kind == "line":
        _new_line(bases, args[0]).save()
    elif kind == "import":
        _bulk_create_with_history([_new_line(bases, spec) for spec in args[0]], user=None)
    elif kind == "edit" and lines:
        row, new = lines[args[0] % len(lines)], _new_line(bases, args[1])
        for name in ("base", "year_id", "product", "grade", "unit", "quantity", "unit_price"):
            setattr(row, name, getattr(new, name))
        row.save()
    elif kind == "delete" and lines:
        lines[args[0] % len(lines)].delete()
    elif kind == "accounts":
        base, year, other, cost, remitted = args
        row = BaseYearFinance.objects.filter(base=bases[base], year_id=year).first() or BaseYearFinance(
            base=bases[base], year_id=year)
        row.other_income, row.labor_cost, row.remitted_to_school = other, cost, remitted
        row.save()
    elif kind == "drop_accounts" and accounts:
        accounts[args[0] % len(accounts)].delete()
    elif kind == "plots":
        parcels = [LandParcel(base=bases[b], year_id=y, land_type="tea", crop="茶", area_mu=a) for b, y, a in args[0]]
        if args[1]:
            _bulk_create_with_history(parcels, user=None)
        else:
            for parcel in parcels:
                parcel.save()
    elif kind == "drop_plot":
        parcels = list(LandParcel.objects.order_by("pk"))
        if parcels:
            parcels[args[0] % len(parcels)].delete()
    elif kind == "declare":
        base, year, declared = args
        row = BaseYearArea.objects.filter(base=bases[base], year_id=year).first() or BaseYearArea(
            base=bases[base], year_id=year)
        row.declared_total_mu = declared
        row.save()
    elif kind == "activity":
        school, year, participants, days, bulk = args
        activity = StudentPracticeActivity(school=schools[school], year_id=year, activity="采茶",
                                           participants=participants, days=days)
        if bulk:
            _bulk_create_with_history([activity], user=None)
        else:
            activity.save()
    elif kind == "drop_activity":
        activities = list(StudentPracticeActivity.objects.order_by("pk"))
        if activities:
            activities[args[0] % len(activities)].delete()
    elif kind == "move_base":
        base = LaborBase.objects.get(pk=bases[args[0]].pk)
        base.school = schools[args[1]]
        base.save()


def _medians_from_every_price(year: int) -> dict:
    prices = defaultdict(list)
    for product, grade, unit, p in ProductionLine.objects.filter(year_id=year, unit_price__gt=0).values_list(
            "product", "grade", "unit", "unit_price"):
        prices[(product.strip(), grade.strip(), unit)].append(p)
    return {key: (len(found), Decimal(median(found))) for key, found in prices.items()}


def _stored() -> dict:
    """The aggregate rows that hold anything (a refresh may keep a row of zeros; a rebuild makes none)."""
    return {
        (row.school_id, row.year_id): tuple(getattr(row, name) for name in maintain.ALL_FIELDS)
        for row in SchoolYearFigures.objects.all()
        if any(getattr(row, name) for name in maintain.ALL_FIELDS)
    }


def _assert_same_as_from_rows() -> None:
    assert aggregated.finance_by_year(YEARS) == from_rows.finance_by_year(YEARS)
    for year in YEARS:
        assert aggregated.base_overview(year) == from_rows.base_overview(year)
        assert aggregated.unmatched_schools(year) == from_rows.unmatched_schools(year)
        assert aggregated.top_profit_schools(year, 3) == from_rows.table_school_ids(
            year, sort="profit", accounts_only=True)[:3]
        assert aggregated.price_medians(year) == _medians_from_every_price(year)
        # A school's sheet adds its bases' figures up: the same as the database grouping the school's rows.
        for school_id in LaborBase.objects.values_list("school_id", flat=True).distinct():
            grouped = from_rows.school_finance(year, [school_id]).get(school_id) or from_rows._combine(
                Decimal(0), Decimal(0), None)
            assert from_rows.school_sheet(year, school_id)["finance"] == grouped


def _world():
    for year in YEARS:
        ReportingYearFactory(year=year)
    schools = [SchoolFactory(code=f"P{i:03d}", name=f"随机学校{i}") for i in range(SCHOOLS)]
    bases = [LaborBase.objects.create(school=schools[i % SCHOOLS], name=f"基地{i}", location="某村",
                                      established_year=2010) for i in range(BASES)]
    return schools, bases


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=12))
def test_aggregates_equal_the_sums_of_every_row(operations):
    try:
        with transaction.atomic():
            schools, bases = _world()
            for op in operations:
                _apply(op, schools, bases)
            _assert_same_as_from_rows()
            kept = _stored()
            kept_medians = set(ProductPriceMedian.objects.values_list("year_id", "product", "grade", "unit", "lines",
                                                                      "median"))
            maintain.rebuild()
            assert _stored() == kept
            assert set(ProductPriceMedian.objects.values_list("year_id", "product", "grade", "unit", "lines",
                                                              "median")) == kept_medians
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_summary_from_aggregates_equals_summary_after_rebuild(operations):
    """The whole summary (every figure, table and warning) from the kept aggregates is the one
    computed after rebuilding them from the rows, and its labor-base money is the rows' sums."""
    try:
        with transaction.atomic():
            schools, bases = _world()
            for op in operations:
                _apply(op, schools, bases)
            kept = figures.compute(2024)
            maintain.rebuild()
            rebuilt = figures.compute(2024)
            assert kept.fingerprint() == rebuilt.fingerprint()
            assert kept.data["base_finance"] == dict(from_rows.base_finance(2024), **kept.data["finance_rows"][-1][
                "labor_bases"])
            assert kept.data["unmatched_bases"] == from_rows.unmatched_schools(2024)
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_rebuild_command_restores_rows_written_behind_the_signals(school_a, year):
    """Rows written where no signal is sent (a raw bulk_create) are counted after
    ``manage.py rebuild_aggregates`` — the command bench data and restores end with."""
    from django.core.management import call_command

    base = LaborBase.objects.create(school=school_a, name="基地", location="某村", established_year=2010)
    ProductionLine.objects.bulk_create([
        ProductionLine(base=base, year=year, product="茶叶", quantity=Decimal("10"), unit="kg",
                       unit_price=Decimal("30"), value=Decimal("300.00"))])
    assert aggregated.finance_by_year([2024])[2024]["production_value"] == Decimal("0.00")
    call_command("rebuild_aggregates")
    assert aggregated.finance_by_year([2024])[2024]["production_value"] == Decimal("300.00")
    assert aggregated.finance_by_year([2024]) == from_rows.finance_by_year([2024])
