"""The demo data has the county's figures and loading it twice changes nothing."""

from decimal import Decimal

import pytest

from labor_bases import demo, rules, selectors
from labor_bases.models import BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from workstudy import demo as core_demo
from workstudy import modules
from workstudy.models import Submission
from workstudy.services import submit_errors

D = Decimal


def _snapshot():
    models = (LaborBase, LandParcel, ProductionLine, BaseYearFinance, StudentPracticeActivity)
    return {m.__name__: sorted(m.objects.values_list("pk", "version")) for m in models}


@pytest.fixture
def loaded(db):
    schools = core_demo.load_schools()
    users = core_demo.load_users(schools)
    core_demo.load_years_and_submissions(schools)
    demo.load(schools=schools, users=users)
    return schools


def test_2024_land_by_type_is_the_countys(loaded):
    areas = {row["label"]: row["area_mu"] for row in selectors.land_by_type(2024)}
    assert areas == {"粮田": D("210"), "果园": D("260"), "雷竹": D("20"), "茶园": D("30"), "湿地松": D("260"),
                     "荒山": D("310"), "鱼塘": D("20"), "其他": D("0")}
    overview = selectors.base_overview(2024)
    assert overview["total_mu"] == D("1110.00")
    assert overview["schools_with_base"] == 23 and overview["school_count"] == 27
    assert overview["area_mismatches"] == 1  # 耳口中心学校: declared 96, plots 76

    # zhangping_tea_is_the_countys
    school = loaded["GX001"]
    sheet = selectors.school_sheet(2023, school.pk)
    assert sheet["total_mu"] == D("12.00")
    assert {(line["grade"], line["value"]) for line in sheet["lines"]} == {("一级嫩茶", D("36000.00")), ("二级茶", D("9600.00"))}
    assert sheet["finance"]["cost"] == D("24000.00") and sheet["finance"]["profit"] == D("21600.00")
    assert [a["activity"] for a in sheet["activities"]] == ["采茶", "参观茶叶焙制流程"]
    # 2024: base and plots there (checklist shows progress), accounts still to fill in -> cannot submit yet.
    assert modules.counts(2024)["labor_bases"][school.pk] == 3
    errors = submit_errors(Submission.objects.get(school=school, year_id=2024))
    assert any("还没有填写任何成本" in e for e in errors)

    # zhoufang_and_others
    sheet = selectors.school_sheet(2024, loaded["GX002"].pk)
    assert {(p["label"], p["area_mu"]) for p in sheet["plots"]} == {("粮田", D("60.00")), ("鱼塘", D("11.00"))}
    crops = {p["crop"] for p in selectors.school_sheet(2024, loaded["GX003"].pk)["plots"]}
    assert crops == {"桔"}
    assert {p["crop"] for p in selectors.school_sheet(2024, loaded["GX004"].pk)["plots"]} == {"雪梨"}

    # warnings_show
    assert [f.school_id for f in rules.check_area_sum(2024, None)] == [loaded["GX013"].pk]
    assert [f.school_id for f in rules.check_price_outliers(2024, None)] == [loaded["GX003"].pk]
    assert any(f.school_id == loaded["GX005"].pk for f in rules.check_big_change(2024, None))


def test_loading_twice_changes_nothing(loaded):
    before = _snapshot()
    schools = core_demo.load_schools()
    demo.load(schools=schools, users={})
    assert _snapshot() == before

    # other_years_vary
    totals = {y: selectors.base_overview(y)["total_mu"] for y in (2021, 2022, 2023, 2024)}
    assert len(set(totals.values())) > 1
    figures = selectors.finance_by_year([2021, 2022, 2023, 2024])
    assert all(figures[y]["profit"] > 0 for y in figures)
