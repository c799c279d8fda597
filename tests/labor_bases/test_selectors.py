"""Each selector against figures computed by hand from the fixtures, and a fixed query count.

School A (tea_a): 12 亩 茶园; 120 kg x 300 = 36000 and 240 kg x 40 = 9600 (45600);
cost 24000; profit 21600; remitted 10000; 采茶 160 人次, 6 days.
School B (orchard_b): 30 亩 果园 (declared 30); 45000 kg 桔 x 3 = 135000; other income 5000;
revenue 140000; cost 70000; profit 70000; 桔园采摘 400 人次, 3 days.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from labor_bases import selectors
from labor_bases.views import rules_findings
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.labor_bases.factories import (
    ActivityFactory,
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from workstudy import modules

D = Decimal


@pytest.fixture
def county(tea_a, orchard_b, base_a):
    # A second plot on A's base: 2 亩 其他 -> A's plots 14 亩 against a declared 12 (1 mismatch).
    LandParcelFactory(base=base_a, year=tea_a["plot"].year, land_type="other", land_type_note="菜园", crop="蔬菜",
                      area_mu=D("2"))
    return tea_a, orchard_b


def test_land_by_type(county):
    rows = selectors.land_by_type(2024)
    assert [r["label"] for r in rows] == ["粮田", "果园", "雷竹", "茶园", "湿地松", "荒山", "鱼塘", "其他"]
    by = {r["land_type"]: r for r in rows}
    assert by["tea"]["area_mu"] == D("12.00") and by["tea"]["school_count"] == 1
    assert by["orchard"]["area_mu"] == D("30.00") and by["other"]["area_mu"] == D("2.00")
    assert by["grain"]["area_mu"] == D("0") and by["grain"]["school_count"] == 0
    assert all(isinstance(r["area_mu"], Decimal) for r in rows)


def test_base_overview(county, school_a, school_b):
    SchoolFactory(code="C001", name="无基地学校")
    overview = selectors.base_overview(2024)
    assert overview == {
        "total_mu": D("44.00"),  # Σ plots (12 + 2 + 30), never the declared figure
        "schools_with_base": 2,
        "school_count": 3,
        "declared_total_mu": D("42.00"),
        "area_mismatches": 1,
        "students_participating": 560,
        "practice_days": 9,
    }


def test_base_finance(county):
    assert selectors.base_finance(2024) == {
        "revenue": D("185600.00"),  # 45600 + 135000 + 5000
        "other_income": D("5000.00"),
        "cost": D("94000.00"),
        "profit": D("91600.00"),
        "remitted_to_school": D("10000.00"),
        "production_value": D("180600.00"),
        "matched_revenue": D("185600.00"),
        "unmatched_revenue": D("0.00"),
        "has_accounts": True,
    }


def test_revenue_without_accounts_is_not_profit(county, year):
    """A base that sold products but has no accounts (cost) for the year adds to revenue and to
    unmatched_revenue, never to profit: the county, its school and the base say so alike."""
    school = SchoolFactory(code="Z001", name="樟坪中心学校")
    base = LaborBaseFactory(school=school)
    ProductionLineFactory(base=base, year=year, quantity=D("120"), unit_price=D("300"))  # 36,000, no accounts
    county = selectors.base_finance(2024)
    assert county["revenue"] == D("221600.00") and county["profit"] == D("91600.00")
    assert county["unmatched_revenue"] == D("36000.00") and county["matched_revenue"] == D("185600.00")
    assert selectors.unmatched_schools(2024) == [
        {"school_id": school.pk, "school_name": "樟坪中心学校", "revenue": D("36000.00")}]
    own = selectors.school_finance(2024, [school.pk])[school.pk]
    assert own["cost"] is None and own["profit"] is None and own["unmatched_revenue"] == D("36000.00")
    assert selectors.school_sheet(2024, school.pk)["finance"] == own
    [row] = selectors.finance_rows(2024, school_id=school.pk)
    assert row["profit"] is None and row["has_accounts"] is False
    # Ranked by profit against known cost: 36,000 of sales without cost rank below 21,600 of profit.
    assert selectors.table_school_ids(2024, sort="profit")[-1] == school.pk


def test_finance_by_year(county, base_a):
    last = ReportingYearFactory(year=2023)
    ProductionLineFactory(base=base_a, year=last, quantity=D("100"), unit_price=D("280"))  # 28000
    BaseYearFinanceFactory(base=base_a, year=last, labor_cost=D("10000"), fertilizer_cost=D("0"), seedling_cost=D("0"),
                           equipment_cost=D("0"), remitted_to_school=D("5000"))
    result = selectors.finance_by_year([2023, 2024, 2022])
    assert {k: result[2023][k] for k in ("revenue", "cost", "profit", "remitted_to_school")} == {
        "revenue": D("28000.00"), "cost": D("10000.00"), "profit": D("18000.00"), "remitted_to_school": D("5000.00")}
    assert result[2024]["profit"] == D("91600.00")
    assert {k: result[2022][k] for k in ("revenue", "cost", "profit", "remitted_to_school")} == {
        "revenue": D("0.00"), "cost": D("0.00"), "profit": D("0.00"), "remitted_to_school": D("0.00")}


def test_school_examples_highest_profit_first(county, school_a, school_b):
    examples = selectors.school_examples(2024, limit=3)
    assert [e["school_id"] for e in examples] == [school_b.pk, school_a.pk]
    a = examples[1]
    assert a["school_name"] == school_a.name
    assert (a["revenue"], a["cost"], a["profit"]) == (D("45600.00"), D("24000.00"), D("21600.00"))
    assert {(p["label"], p["area_mu"], p["crop"]) for p in a["plots"]} == {
        ("茶园", D("12.00"), "茶"), ("其他（菜园）", D("2.00"), "蔬菜")}
    assert {(line["grade"], line["quantity"], line["unit"], line["unit_price"], line["value"]) for line in a["lines"]} == {
        ("一级嫩茶", D("120.00"), "千克", D("300.00"), D("36000.00")),
        ("二级茶", D("240.00"), "千克", D("40.00"), D("9600.00")),
    }
    assert a["activities"] == ["采茶"]
    # No submission for the year: no counts (never another year's or an undated figure).
    assert (a["staff_count"], a["student_count"]) == (None, None)
    assert len(selectors.school_examples(2024, limit=1)) == 1


def test_school_examples_use_the_years_submission_counts(county, school_a, submission_a):
    submission_a.staff_count, submission_a.student_count = 13, 106
    submission_a.save()
    example = next(e for e in selectors.school_examples(2024) if e["school_id"] == school_a.pk)
    assert (example["staff_count"], example["student_count"]) == (13, 106)


def test_school_sheet(county, school_a, base_a):
    sheet = selectors.school_sheet(2024, school_a.pk)
    assert sheet["school_name"] == school_a.name
    assert sheet["total_mu"] == D("14.00") and sheet["declared_total_mu"] == D("12.00")
    assert sheet["finance"] == {"production_value": D("45600.00"), "other_income": D("0.00"), "revenue": D("45600.00"),
                                "cost": D("24000.00"), "profit": D("21600.00"), "remitted_to_school": D("10000.00"),
                                "matched_revenue": D("45600.00"), "unmatched_revenue": D("0.00"), "has_accounts": True}
    [base] = sheet["bases"]
    assert base["id"] == base_a.pk and base["area_mu"] == D("14.00") and base["area_matches"] is False
    assert len(base["plots"]) == 2 and len(base["lines"]) == 2
    assert sheet["participants"] == 160 and sheet["practice_days"] == 6
    assert sheet["activities"][0]["activity"] == "采茶"


def test_module_counts_are_plots_plus_lines(county, school_a, school_b):
    module = {m.key: m for m in modules.all_modules()}["labor_bases"]
    assert module.counts(2024) == {school_a.pk: 4, school_b.pk: 2}
    assert module.counts(2023) == {}


def test_rows_url():
    assert selectors.rows_url("plots", 2024, land_type="tea") == "/labor-bases/plots/?year=2024&land_type=tea"
    assert selectors.rows_url("production", 2024, school=3) == "/labor-bases/production/?year=2024&school=3"
    assert selectors.rows_url("finance", 2023) == "/labor-bases/finance/?year=2023"


def _make_schools(n, year, start):
    for i in range(start, start + n):
        school = SchoolFactory(code=f"Q{i:04d}", name=f"量测学校{i}")
        base = LaborBaseFactory(school=school, name=f"量测基地{i}", declared_total_mu=D("7"))
        LandParcelFactory(base=base, year=year, land_type="tea", area_mu=D("5"))
        LandParcelFactory(base=base, year=year, land_type="grain", area_mu=D("3"))
        ProductionLineFactory(base=base, year=year)
        ProductionLineFactory(base=base, year=year, grade="二级茶", unit_price=D("40"))
        BaseYearFinanceFactory(base=base, year=year)
        ActivityFactory(school=school, year=year)


def _count_queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


CALLS = {
    "land_by_type": lambda: selectors.land_by_type(2024),
    "base_overview": lambda: selectors.base_overview(2024),
    "base_finance": lambda: selectors.base_finance(2024),
    "finance_by_year": lambda: selectors.finance_by_year([2023, 2024]),
    "school_examples": lambda: selectors.school_examples(2024, limit=3),
    "school_sheet": lambda: selectors.school_sheet(2024, selectors.LaborBase.objects.first().school_id),
    "module_counts": lambda: modules.counts(2024),  # every module's
    "warnings": lambda: rules_findings(2024, None),
}


@pytest.mark.django_db
def test_query_count_does_not_grow_with_rows(year):
    ReportingYearFactory(year=2023)
    _make_schools(2, year, 0)
    small = {name: _count_queries(call) for name, call in CALLS.items()}
    _make_schools(15, year, 100)
    large = {name: _count_queries(call) for name, call in CALLS.items()}
    assert small == large, (small, large)
    assert large["land_by_type"] == 1 and large["module_counts"] == 1
