"""The labor bases' warnings kept in a process follow every change by checking only the schools
that changed (``workstudy.rules._fresh`` with :func:`labor_bases.rules.changed_schools`).

After any sequence of saves, edits, deletes, Excel-style bulk writes, renames and moves, the
warnings read through the kept copy are exactly those of checking every school again, and no
check of every school ran after the first. Outside a transaction, as a page reads them (the
kept copy is not used inside one), so the database is emptied between examples.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aggregates import maintain
from aggregates.models import SchoolYearFigures
from labor_bases import rules as labor_rules
from labor_bases.models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.kept import counted_checks
from workstudy import freshness, rules
from workstudy.excel.saving import _bulk_create_with_history
from workstudy.models import School

M = "labor_bases"
SCHOOLS, BASES = 3, 4
PRICES = st.sampled_from([Decimal(p) for p in ("0", "1.00", "5.00", "20.00", "25.00", "100.00", "130.00", "600.00")])
AREAS = st.sampled_from([Decimal(a) for a in ("1.00", "5.00", "12.00", "30.00")])
YEARS = st.sampled_from((2023, 2024))
line = st.tuples(st.integers(0, BASES - 1), YEARS, st.integers(0, 1), PRICES)
operation = st.one_of(
    st.tuples(st.just("line"), line),
    st.tuples(st.just("bulk"), st.lists(line, min_size=1, max_size=5)),
    st.tuples(st.just("price"), st.integers(0, 40), PRICES),
    st.tuples(st.just("delete line"), st.integers(0, 40)),
    st.tuples(st.just("plot"), st.integers(0, BASES - 1), YEARS, AREAS),
    st.tuples(st.just("plot area"), st.integers(0, 40), AREAS),
    st.tuples(st.just("declared"), st.integers(0, BASES - 1), YEARS, AREAS),
    st.tuples(st.just("accounts"), st.integers(0, BASES - 1), YEARS, st.sampled_from(["0", "100", "5000"]),
              st.sampled_from(["0", "100", "90000"])),
    st.tuples(st.just("rename base"), st.integers(0, BASES - 1), st.sampled_from(["茶园", "菜地"])),
    st.tuples(st.just("move base"), st.integers(0, BASES - 1), st.integers(0, SCHOOLS - 1)),
    st.tuples(st.just("rename school"), st.integers(0, SCHOOLS - 1), st.sampled_from(["东校", "西校"])),
)
PRODUCTS = ("茶叶", "稻谷")
_codes = itertools.count()


def _line(bases, spec) -> ProductionLine:
    base, year, product, price = spec
    return ProductionLine(base=bases[base], year_id=year, product=PRODUCTS[product], unit="kg",
                          quantity=Decimal("10"), unit_price=price)


def _nth(model, n):
    rows = list(model.objects.order_by("pk"))
    return rows[n % len(rows)] if rows else None


def _apply(op, schools, bases) -> None:
    kind, *args = op
    if kind == "line":
        _line(bases, args[0]).save()
    elif kind == "bulk":
        _bulk_create_with_history([_line(bases, spec) for spec in args[0]], user=None)
    elif kind == "price" and (row := _nth(ProductionLine, args[0])):
        row.unit_price = args[1]
        row.save()
    elif kind == "delete line" and (row := _nth(ProductionLine, args[0])):
        row.delete()
    elif kind == "plot":
        LandParcel.objects.create(base=bases[args[0]], year_id=args[1], land_type="tea", crop="茶", area_mu=args[2])
    elif kind == "plot area" and (row := _nth(LandParcel, args[0])):
        row.area_mu = args[1]
        row.save()
    elif kind == "declared":
        BaseYearArea.objects.update_or_create(base=bases[args[0]], year_id=args[1],
                                              defaults={"declared_total_mu": args[2]})
    elif kind == "accounts":
        row = BaseYearFinance.objects.filter(base=bases[args[0]], year_id=args[1]).first()
        row = row or BaseYearFinance(base=bases[args[0]], year_id=args[1])
        row.other_income, row.remitted_to_school = Decimal(args[2]), Decimal(args[3])
        row.save()
    elif kind == "rename base":
        base = LaborBase.objects.get(pk=bases[args[0]].pk)
        base.name = f"{args[1]}{args[0]}"  # names stay unique within a school
        base.save()
    elif kind == "move base":
        base = LaborBase.objects.get(pk=bases[args[0]].pk)
        base.school = schools[args[1]]
        base.save()
    elif kind == "rename school":
        school = School.objects.get(pk=schools[args[0]].pk)
        school.name = f"{args[1]}{next(_codes)}"
        school.save()


def _rows(found) -> list[tuple]:
    return [(f.rule.code, f.school_id, f.school_name, f.obj_label, f.message, f.key, str(f.url)) for f in found]


def _empty() -> None:
    for model in (ProductionLine, LandParcel, BaseYearFinance, BaseYearArea, LaborBase):
        for row in model.objects.all():
            row.delete()  # one by one, as a user deletes: the aggregates follow


def _county(prefix: str) -> tuple[list, list]:
    """The two years, SCHOOLS new schools and BASES bases spread over them; nothing kept yet."""
    ReportingYearFactory(year=2023)
    ReportingYearFactory(year=2024)
    rules.forget_kept()
    codes = [f"{prefix}{next(_codes):04d}" for _ in range(SCHOOLS)]
    schools = [SchoolFactory(code=code, name=f"学校{code}") for code in codes]
    bases = [LaborBase.objects.create(school=schools[i % SCHOOLS], name=f"基地{i}", location="某村",
                                      established_year=2010) for i in range(BASES)]
    return schools, bases


@pytest.fixture
def checks(monkeypatch) -> list:
    """The school (None: every school) of each labor-base check run from now on."""
    return counted_checks(monkeypatch, M)


@pytest.mark.django_db(transaction=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_kept_warnings_equal_every_school_checked_again(checks, operations):
    schools, bases = _county("K")
    try:
        rules.findings(2024, module=M)  # every school checked: kept from here on
        for op in operations:
            _apply(op, schools, bases)
            checks.clear()
            kept = rules.findings(2024, module=M)
            assert None not in checks, f"every school was checked again after {op}"
            assert _rows(kept) == _rows(rules._ordered(rules._check(2024, None, M))), op
    finally:
        _empty()


@pytest.mark.django_db(transaction=True)
def test_a_moved_median_rechecks_the_other_schools_with_that_product(checks):
    """LB-04 compares a line without last year's price with the county median of its product:
    a price saved at one school moves it for every school selling that product."""
    ReportingYearFactory(year=2023)
    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"P{i}", name=f"学校{i}") for i in range(3)]
    bases = [LaborBase.objects.create(school=s, name="基地", location="某村", established_year=2010) for s in schools]
    for base, price in zip(bases, ("10.00", "10.00", "60.00"), strict=True):
        ProductionLine.objects.create(base=base, year_id=2024, product="茶叶", unit="kg", quantity=Decimal("1"),
                                      unit_price=Decimal(price))
    assert [f.school_id for f in rules.findings(2024, module=M)] == [schools[2].pk]  # 60 > 5 x 10
    line = ProductionLine.objects.get(base=bases[0])
    line.unit_price = Decimal("30.00")  # the median becomes 30: 60 is no longer far from it
    line.save()
    checks.clear()
    assert rules.findings(2024, module=M) == []
    assert None not in checks and any(schools[2].pk in checked for checked in checks)


@pytest.mark.django_db(transaction=True)
def test_the_changed_schools_are_checked_again_together(checks):
    """Each rule runs once for the changed schools together (the queries of one school's check),
    not once per school, and finds what checking every school finds."""
    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"T{i}", name=f"学校{i}") for i in range(5)]
    bases = [LaborBase.objects.create(school=s, name="基地", location="某村", established_year=2010) for s in schools]
    rules.findings(2024, module=M)
    for base in bases[:3]:
        BaseYearFinance.objects.create(base=base, year_id=2024, remitted_to_school=Decimal("5"))  # LB-12
    checks.clear()
    kept = rules.findings(2024, module=M)
    assert sorted(f.school_id for f in kept) == [s.pk for s in schools[:3]]
    assert _rows(kept) == _rows(rules._ordered(rules._check(2024, None, M)))
    rules_of_module = [r for r in rules.RULES.values() if r.year_check is not None and r.module == M]
    assert checks[:len(rules_of_module)] == [frozenset(s.pk for s in schools[:3])] * len(rules_of_module)


@pytest.mark.django_db(transaction=True)
def test_many_changed_schools_are_checked_in_one_go(checks, monkeypatch):
    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"Q{i}", name=f"学校{i}") for i in range(5)]
    bases = [LaborBase.objects.create(school=s, name="基地", location="某村", established_year=2010) for s in schools]
    rules.findings(2024, module=M)
    monkeypatch.setattr(labor_rules, "RECHECK_AT_MOST", 2)
    for base in bases[:3]:
        BaseYearFinance.objects.create(base=base, year_id=2024, remitted_to_school=Decimal("5"))  # LB-12
    checks.clear()
    assert sorted(f.school_id for f in rules.findings(2024, module=M)) == [s.pk for s in schools[:3]]
    assert set(checks) == {None}, "more schools changed than the limit: one check of every school per rule"


@pytest.mark.django_db(transaction=True)
def test_tokens_change_at_every_refresh_rename_and_rebuild():
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="T1", name="甲校")
    base = LaborBase.objects.create(school=school, name="基地", location="某村", established_year=2010)
    seen = set()

    def token():
        value = SchoolYearFigures.objects.get(school=school, year=year).token
        assert value and value not in seen
        seen.add(value)

    LandParcel.objects.create(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("3"))
    token()
    base.name = "新基地"
    base.save()
    token()
    school.name = "甲校改名"
    school.save()
    token()
    school.save()  # nothing printed changed
    assert SchoolYearFigures.objects.get(school=school, year=year).token in seen
    stamp = freshness.generation(["labor_bases"])
    maintain.rebuild()
    token()
    assert freshness.generation(["labor_bases"]) != stamp, "what was read from the old aggregates is read again"


@pytest.mark.django_db(transaction=True)
def test_only_the_medians_that_moved_are_read_again(monkeypatch):
    """After the first read, the tracker reads again only the buckets of median rows whose tokens
    moved: none after a save that moves no median (a plot, a quantity), the moved product's
    bucket after a price is saved. Every product's median is not read on every change."""
    from aggregates import selectors as aggregated
    from aggregates.models import ProductPriceMedian

    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"M{i}", name=f"学校{i}") for i in range(3)]
    bases = [LaborBase.objects.create(school=s, name="基地", location="某村", established_year=2010) for s in schools]
    lines = [ProductionLine.objects.create(base=bases[i % 3], year_id=2024, product=f"产品{i}", unit="kg",
                                           quantity=Decimal("1"), unit_price=Decimal("10.00")) for i in range(12)]
    rules.forget_kept()
    rules.findings(2024, module=M)  # every median read once
    read: list = []
    every = aggregated.medians_by_bucket

    def spy(year, buckets=None):
        read.append(None if buckets is None else set(buckets))
        return every(year, buckets)

    monkeypatch.setattr(aggregated, "medians_by_bucket", spy)
    tokens = dict(ProductPriceMedian.objects.values_list("product", "token"))
    LandParcel.objects.create(base=bases[0], year_id=2024, land_type="tea", crop="茶", area_mu=Decimal("3"))
    lines[4].quantity = Decimal("7")  # its price, and so the median, stays
    lines[4].save()
    assert _rows(rules.findings(2024, module=M)) == _rows(rules._ordered(rules._check(2024, None, M)))
    assert read == []
    assert dict(ProductPriceMedian.objects.values_list("product", "token")) == tokens

    lines[5].unit_price = Decimal("90.00")
    lines[5].save()
    assert _rows(rules.findings(2024, module=M)) == _rows(rules._ordered(rules._check(2024, None, M)))
    moved = ProductPriceMedian.objects.get(product="产品5")
    assert moved.token != tokens["产品5"] and moved.median == Decimal("90")
    assert read == [{moved.pk % aggregated.TOKEN_BUCKETS}]


@pytest.mark.django_db(transaction=True)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=1, max_size=10))
def test_a_schools_kept_warnings_equal_its_check_again(checks, operations):
    """One school's warnings (a principal's pages) kept while what it reads is unchanged
    (:func:`labor_bases.rules.one_school_reads`) equal the school checked again, after any changes."""
    schools, bases = _county("S")
    try:
        for school in schools:
            rules.findings(2024, school.pk, module=M)
        for op in operations:
            _apply(op, schools, bases)
            for school in schools:
                kept = rules.findings(2024, school.pk, module=M)
                assert _rows(kept) == _rows(rules._check(2024, school.pk, M)), (op, school.code)
    finally:
        _empty()


@pytest.mark.django_db(transaction=True)
def test_a_school_is_not_checked_again_after_other_schools_changed(checks):
    ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"O{i}", name=f"学校{i}") for i in range(3)]
    bases = [LaborBase.objects.create(school=s, name="基地", location="某村", established_year=2010) for s in schools]
    lines = [ProductionLine.objects.create(base=base, year_id=2024, product=product, unit="kg", quantity=Decimal("1"),
                                           unit_price=Decimal("10.00"))
             for base, product in zip(bases, ("茶叶", "稻谷", "茶叶"), strict=True)]
    rules.forget_kept()
    mine = schools[0].pk
    assert rules.findings(2024, mine, module=M) == []
    checks.clear()
    lines[1].unit_price = Decimal("12.00")  # another school, another product
    lines[1].save()
    LandParcel.objects.create(base=bases[2], year_id=2024, land_type="tea", crop="茶", area_mu=Decimal("3"))
    assert rules.findings(2024, mine, module=M) == []
    assert checks == [], "another school's changes ran the school's checks"
    lines[2].unit_price = Decimal("80.00")  # the county median of the school's product moves
    lines[2].save()
    rules.findings(2024, mine, module=M)
    assert set(checks) == {mine}
    checks.clear()
    lines[0].quantity = Decimal("2")  # the school's own line
    lines[0].save()
    rules.findings(2024, mine, module=M)
    assert set(checks) == {mine}
