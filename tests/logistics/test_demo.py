"""The demo data: the county's figures, valid under every rule, and idempotent."""

from decimal import Decimal

import pytest

from logistics import demo, selectors
from logistics.models import (
    CapitalInvestment,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)
from workstudy import demo as core_demo
from workstudy import rules as core_rules

MODELS = [ServiceCentre, Shop, CentreYearFigures, SalesLine, CapitalInvestment, SchoolService, ExamLodgingProgram,
          ExamSite]


@pytest.fixture
def loaded(db):
    schools = core_demo.load_schools()
    users = core_demo.load_users(schools)
    core_demo.load_years_and_submissions(schools)
    demo.load(schools=schools, users=users)
    return schools, users


def test_demo_is_idempotent(loaded):
    schools, users = loaded
    before = {m: (m.objects.count(), m.history.count()) for m in MODELS}
    demo.load(schools=schools, users=users)
    assert {m: (m.objects.count(), m.history.count()) for m in MODELS} == before


def test_demo_rows_pass_every_rule(loaded):
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()
    for year in demo.YEARS:
        assert [f.message for f in core_rules.findings(year) if f.rule.module == "logistics"] == []


def test_demo_matches_the_countys_figures(loaded):
    schools, _ = loaded
    c = selectors.centre(2024)
    assert c["name"] == "贵溪市腾飞学校后勤服务中心" and c["founded_year"] == 2003
    assert len(c["shops"]) == 3 and c["vehicles"] == 1
    labels = {label for shop in c["shops"] for label in shop["categories"]}
    assert labels == {"文化办公用品", "体育器材", "运动服装"}
    assert c["investments"] == [{"year": 2007, "kind": "warehouse_store", "label": "仓库及店面",
                                 "amount": Decimal("128000.00"), "note": "自建仓库及店面（十余万元）"}]
    assert all(row["amount"] > 0 for row in c["sales_by_customer"])
    urban = {schools[code].pk for code in ("GX008", "GX009", "GX010")}
    for year in demo.YEARS:
        e = selectors.exam_lodging(year)
        assert e["first_year"] == 2005
        assert 2 <= len(e["sites"]) <= 3 and {s["school_id"] for s in e["sites"]} <= urban
        assert 600 <= e["candidates"] <= 900 and e["beds"] >= e["candidates"]
        assert e["family_cost_after"] < e["family_cost_before"]
        assert e["revenue"] == e["fee_per_candidate"] * e["candidates"]
    assert SchoolService.objects.filter(year_id=2024).values("school").distinct().count() >= 20
    assert not SchoolService.objects.filter(year_id=2024, school=schools["GX001"]).exists()
