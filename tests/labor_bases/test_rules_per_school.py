"""LB-04 (unit price far from last year's or the county median) per school, on random data.

The check reads the county medians kept per product and year (``aggregates``) and lets the
database pick the candidate lines; here it is compared with the rule computed from every
price of both years (the rule's definition, written out below), for the whole county and for
each school alone, after random saves, edits, deletes and Excel-style bulk writes.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from statistics import median

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labor_bases import rules
from labor_bases.models import LaborBase, ProductionLine
from tests.factories import ReportingYearFactory, SchoolFactory
from workstudy.excel.saving import _bulk_create_with_history

SCHOOLS = 3
PRODUCTS = ("茶叶", "稻谷")
# Prices far apart, so that random lines cross the 5x limit often.
PRICES = st.sampled_from([Decimal(p) for p in ("0", "1.00", "4.99", "5.00", "5.01", "20.00", "24.95", "25.00",
                                               "100.00", "125.00", "130.00", "600.00")])
line = st.tuples(st.integers(0, SCHOOLS * 2 - 1), st.sampled_from((2023, 2024)), st.integers(0, 1),
                 st.sampled_from(("", "一级")), st.sampled_from(("kg", "jin")), PRICES)
operation = st.one_of(
    st.tuples(st.just("save"), line),
    st.tuples(st.just("bulk"), st.lists(line, min_size=1, max_size=6)),
    st.tuples(st.just("price"), st.integers(0, 60), PRICES),
    st.tuples(st.just("delete"), st.integers(0, 60)),
)


def _line(bases, spec) -> ProductionLine:
    base, year, product, grade, unit, price = spec
    return ProductionLine(base=bases[base], year_id=year, product=PRODUCTS[product], grade=grade, unit=unit,
                          quantity=Decimal("10"), unit_price=price)


def _apply(op, bases) -> None:
    kind, *args = op
    lines = list(ProductionLine.objects.order_by("pk"))
    if kind == "save":
        _line(bases, args[0]).save()
    elif kind == "bulk":
        _bulk_create_with_history([_line(bases, spec) for spec in args[0]], user=None)
    elif kind == "price" and lines:
        row = lines[args[0] % len(lines)]
        row.unit_price = args[1]
        row.save()
    elif kind == "delete" and lines:
        lines[args[0] % len(lines)].delete()


def _by_definition(year: int) -> set[tuple]:
    """(school, line, reference, ratio) of every line LB-04 flags, from every price of both years:
    the base's last-year median for the same product, else the county median of the year's
    prices of the product when there are at least 3; flagged beyond 5x either way."""
    last_year, county = defaultdict(list), defaultdict(list)
    this_year = []
    for pk, base_id, school_id, product, grade, unit, price, row_year in ProductionLine.objects.filter(
            unit_price__gt=0, year_id__in=(year, year - 1)).values_list(
            "pk", "base_id", "base__school_id", "product", "grade", "unit", "unit_price", "year_id"):
        key = (product.strip(), grade.strip(), unit)
        if row_year == year - 1:
            last_year[(base_id, *key)].append(price)
        else:
            county[key].append(price)
            this_year.append((pk, base_id, school_id, key, price))
    found = set()
    for pk, base_id, school_id, key, price in this_year:
        if last_year.get((base_id, *key)):
            ref = median(last_year[(base_id, *key)])
        elif len(county[key]) >= 3:
            ref = median(county[key])
        else:
            continue
        ratio = price / ref
        if ratio > 5 or ratio < Decimal("0.2"):
            found.add((school_id, f"/labor-bases/production/{pk}/edit/", f"{Decimal(ref):,.2f}", f"{ratio:.1f}"))
    return found


def _found(findings) -> set[tuple]:
    return {(f.school_id, str(f.url), f.message.split("（")[-1].split(" 元）")[0], f.message.split("的 ")[-1].split(" 倍")[0])
            for f in findings}


class _Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=14))
def test_price_outliers_per_school_and_county_match_the_definition(operations):
    try:
        with transaction.atomic():
            ReportingYearFactory(year=2023)
            ReportingYearFactory(year=2024)
            schools = [SchoolFactory(code=f"R{i:03d}", name=f"学校{i}") for i in range(SCHOOLS)]
            bases = [LaborBase.objects.create(school=schools[i % SCHOOLS], name=f"基地{i}", location="某村",
                                              established_year=2010) for i in range(SCHOOLS * 2)]
            for op in operations:
                _apply(op, bases)
            expected = _by_definition(2024)
            everything = rules.check_price_outliers(2024, None)
            assert _found(everything) == expected
            for school in schools:
                alone = rules.check_price_outliers(2024, school.pk)
                assert _found(alone) == {f for f in expected if f[0] == school.pk}
                assert [f.key for f in alone] == [f.key for f in everything if f.school_id == school.pk]
            raise _Rollback
    except _Rollback:
        pass


@pytest.mark.django_db
def test_one_school_check_reads_its_own_lines_not_the_county(year, school_a, school_b):
    """A school's LB-04 is the same few queries however many lines other schools have, and the
    rows it brings back are its own (the county median comes from the kept medians)."""
    ReportingYearFactory(year=2023)
    base_a = LaborBase.objects.create(school=school_a, name="甲基地", location="某村", established_year=2010)
    base_b = LaborBase.objects.create(school=school_b, name="乙基地", location="某村", established_year=2010)
    ProductionLine(base=base_a, year=year, product="茶叶", quantity=Decimal("1"), unit="kg",
                   unit_price=Decimal("900")).save()

    def check():
        with CaptureQueriesContext(connection) as ctx:
            found = rules.check_price_outliers(2024, school_a.pk)
        return found, len(ctx.captured_queries)

    assert check() == ([], 1)  # no peers yet: nothing to compare with
    _bulk_create_with_history([ProductionLine(base=base_b, year=year, product="茶叶", quantity=Decimal("1"), unit="kg",
                                              unit_price=Decimal("100")) for _ in range(40)], user=None)
    found, queries = check()
    assert [f.school_id for f in found] == [school_a.pk]
    assert "全县同类产品单价中位数（100.00 元）" in found[0].message
    _bulk_create_with_history([ProductionLine(base=base_b, year=year, product="茶叶", quantity=Decimal("1"), unit="kg",
                                              unit_price=Decimal("120")) for _ in range(400)], user=None)
    assert check()[1] == queries
    assert "全县同类产品单价中位数（120.00 元）" in rules.check_price_outliers(2024, school_a.pk)[0].message
