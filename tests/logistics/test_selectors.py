"""Selectors against hand-computed figures, and a fixed query count at two data sizes."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from logistics import selectors
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.logistics.factories import (
    CapitalInvestmentFactory,
    CentreYearFiguresFactory,
    ExamLodgingProgramFactory,
    ExamSiteFactory,
    SalesLineFactory,
    SchoolServiceFactory,
    ServiceCentreFactory,
    ShopFactory,
)

D = Decimal


@pytest.fixture
def data(db):
    y23, y24 = ReportingYearFactory(year=2023), ReportingYearFactory(year=2024)
    centre = ServiceCentreFactory(name="腾飞中心", founded_year=2012, exam_lodging_from_year=2014)
    s1 = ShopFactory(centre=centre, name="甲店", categories="stationery,sports_equipment", opened_year=2012)
    s2 = ShopFactory(centre=centre, name="乙店", categories="sportswear", opened_year=2016)
    ShopFactory(centre=centre, name="丙店", categories="sportswear", opened_year=2025)  # not yet open in 2024
    ShopFactory(centre=centre, name="丁店", categories="sportswear", opened_year=2013, active=False)
    CentreYearFiguresFactory(centre=centre, year=y24, vehicles=1, deliveries=360, cost=D("50000.00"),
                             remitted_to_education=D("8000.00"))
    CentreYearFiguresFactory(centre=centre, year=y23, vehicles=1, deliveries=300, cost=D("40000.00"),
                             remitted_to_education=D("6000.00"))
    for shop, cat, cust, amount in [
        (s1, "stationery", "school", "30000.50"), (s1, "stationery", "society", "10000.00"),
        (s1, "sports_equipment", "school", "12000.00"), (s2, "sportswear", "society", "8000.25"),
        (None, "sports_equipment", "school", "5000.00"),
    ]:
        SalesLineFactory(centre=centre, year=y24, shop=shop, category=cat, customer_kind=cust, amount=D(amount))
    SalesLineFactory(centre=centre, year=y23, shop=s1, category="stationery", customer_kind="school", amount=D("45000"))
    CapitalInvestmentFactory(centre=centre, year=2016, kind="warehouse_store", amount=D("128000.00"))
    CapitalInvestmentFactory(centre=centre, year=2025, kind="vehicle", amount=D("90000.00"))  # after 2024
    urban = [SchoolFactory(code=f"U{i}", name=f"城区{i}中", area_class="urban") for i in range(3)]
    program = ExamLodgingProgramFactory(year=y24, operator=centre, candidates_lodged=700, beds=730, meals=4200,
                                        fee_per_candidate=D("260.00"), revenue=D("182000.00"), cost=D("150000.00"),
                                        incidents=0, family_cost_before=D("720.00"), family_cost_after=D("260.00"))
    ExamSiteFactory(program=program, host_school=urban[0], candidates=400, beds=420)
    ExamSiteFactory(program=program, host_school=urban[1], candidates=300, beds=310)
    ExamLodgingProgramFactory(year=y23, operator=centre, candidates_lodged=600, beds=600, fee_per_candidate=D("250"),
                              revenue=D("150000"), cost=D("120000"))
    a, b = SchoolFactory(code="SA", name="甲校"), SchoolFactory(code="SB", name="乙校")
    SchoolServiceFactory(school=a, year=y24, kind="canteen", mode="self_run")
    SchoolServiceFactory(school=a, year=y24, kind="canteen", name="二食堂", mode="contracted", operator="张三")
    SchoolServiceFactory(school=b, year=y24, kind="canteen", mode="self_run")
    SchoolServiceFactory(school=b, year=y24, kind="dormitory", mode="self_run")
    SchoolServiceFactory(school=b, year=y23, kind="shop", mode="entrusted", operator="腾飞中心")
    return {"centre": centre, "urban": urban, "a": a, "b": b}


def test_centre_figures(data):
    c = selectors.centre(2024)
    assert c["name"] == "腾飞中心" and c["founded_year"] == 2012
    assert [s["name"] for s in c["shops"]] == ["乙店", "甲店"]  # 丙 not open yet, 丁 closed
    assert c["shops"][1]["categories"] == ["文化办公用品", "体育器材"]
    assert c["vehicles"] == 1 and c["deliveries"] == 360
    # 30000.50 + 10000 + 12000 + 8000.25 + 5000 = 65000.75
    assert c["sales_total"] == D("65000.75") == c["revenue"]
    assert c["sales_by_category"] == [
        {"category": "stationery", "label": "文化办公用品", "amount": D("40000.50")},
        {"category": "sports_equipment", "label": "体育器材", "amount": D("17000.00")},
        {"category": "sportswear", "label": "运动服装", "amount": D("8000.25")},
        {"category": "other", "label": "其他商品", "amount": D("0.00")},
    ]
    assert c["sales_by_customer"] == [
        {"customer_kind": "school", "label": "学校", "amount": D("47000.50")},
        {"customer_kind": "society", "label": "社会", "amount": D("18000.25")},
    ]
    assert c["cost"] == D("50000.00") and c["profit"] == D("15000.75")
    assert c["remitted_to_education"] == D("8000.00")
    assert [(i["year"], i["label"], i["amount"]) for i in c["investments"]] == [(2016, "仓库及店面", D("128000.00"))]


def test_centre_none_without_centre(db):
    assert selectors.centre(2024) is None


def test_figures_by_year(data):
    result = selectors.figures_by_year([2023, 2024, 2022])
    # 2024: sales 65000.75 + exam 182000 = 247000.75; cost 50000 + 150000 = 200000
    assert result[2024] == {"revenue": D("247000.75"), "cost": D("200000.00"), "profit": D("47000.75"),
                            "remitted_to_education": D("8000.00"), "unmatched_revenue": D("0.00")}
    # 2023: 45000 + 150000 = 195000; cost 40000 + 120000 = 160000
    assert result[2023] == {"revenue": D("195000.00"), "cost": D("160000.00"), "profit": D("35000.00"),
                            "remitted_to_education": D("6000.00"), "unmatched_revenue": D("0.00")}
    assert result[2022] == {"revenue": D("0.00"), "cost": D("0.00"), "profit": D("0.00"),
                            "remitted_to_education": D("0.00"), "unmatched_revenue": D("0.00")}


def test_sales_without_yearly_figures_are_not_profit(data):
    """The centre's sales of a year without its yearly figures (the cost) count in revenue and
    in unmatched_revenue, never in profit (the exam lodging's own cost still counts)."""
    from logistics.models import CentreYearFigures

    CentreYearFigures.objects.filter(year_id=2024).delete()
    result = selectors.figures_by_year([2024])[2024]
    assert result["revenue"] == D("247000.75") and result["unmatched_revenue"] == D("65000.75")
    assert result["cost"] == D("150000.00") and result["profit"] == D("32000.00")
    centre = selectors.centre(2024)
    assert centre["cost"] is None and centre["profit"] is None


def test_exam_lodging(data):
    e = selectors.exam_lodging(2024)
    assert e["first_year"] == 2014
    assert [(s["school_id"], s["school_name"]) for s in e["sites"]] == [
        (data["urban"][0].pk, "城区0中"), (data["urban"][1].pk, "城区1中"),
    ]
    assert (e["candidates"], e["beds"], e["meals"], e["incidents"]) == (700, 730, 4200, 0)
    assert e["fee_per_candidate"] == D("260.00") and e["revenue"] == D("182000.00") and e["cost"] == D("150000.00")
    assert e["closed_management"] is True
    assert e["family_cost_before"] == D("720.00") and e["family_cost_after"] == D("260.00")
    assert selectors.exam_lodging(2022) is None


def test_exam_first_year_falls_back_to_earliest_programme(data):
    data["centre"].exam_lodging_from_year = None
    data["centre"].save()
    assert selectors.exam_lodging(2024)["first_year"] == 2023


def test_school_services(data):
    rows = selectors.school_services(2024)
    assert [(r["kind"], r["label"], r["mode"], r["mode_label"], r["count"], r["school_count"]) for r in rows] == [
        ("canteen", "食堂", "self_run", "自营", 2, 2),
        ("canteen", "食堂", "contracted", "承包", 1, 1),
        ("dormitory", "学生公寓", "self_run", "自营", 1, 1),
    ]


def test_school_sheet(data):
    sheet = selectors.school_sheet(2024, data["a"].pk)
    assert sheet["school_name"] == "甲校"
    assert [(s["label"], s["mode_label"], s["operator"]) for s in sheet["services"]] == [
        ("食堂", "自营", ""), ("食堂", "承包", "张三"),
    ]
    assert sheet["exam_sites"] == []
    host = selectors.school_sheet(2024, data["urban"][0].pk)
    assert host["exam_sites"][0]["candidates"] == 400 and host["exam_sites"][0]["beds"] == 420


def test_rows_url(db):
    assert selectors.rows_url("sales", 2024, category="stationery") == "/logistics/sales/?year=2024&category=stationery"
    assert selectors.rows_url("school_services", 2024, kind="canteen", mode="self_run", school=None) == (
        "/logistics/services/?year=2024&kind=canteen&mode=self_run"
    )
    assert selectors.rows_url("exam_sites", 2023, school=5) == "/logistics/exam/sites/?year=2023&school=5"
    assert selectors.rows_url("investments", 2024).endswith("#investments")
    with pytest.raises(ValueError):
        selectors.rows_url("nope", 2024)


def test_rows_url_pages_filter_the_rows(data, director_client):
    body = director_client.get(selectors.rows_url("sales", 2024, category="sportswear")).content.decode()
    assert "8,000.25" in body and "30,000.50" not in body
    body = director_client.get(
        selectors.rows_url("school_services", 2024, kind="canteen", mode="contracted")
    ).content.decode()
    assert "张三" in body and "<td>乙校</td>" not in body and "<td>甲校</td>" in body


def _queries(func):
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _all_selectors(school_id):
    selectors.centre(2024)
    selectors.figures_by_year([2022, 2023, 2024])
    selectors.exam_lodging(2024)
    selectors.school_services(2024)
    selectors.school_sheet(2024, school_id)


def _grow(data, n):
    y24 = ReportingYearFactory(year=2024)
    centre = data["centre"]
    shop = ShopFactory(centre=centre, name=f"扩展店{n}", categories="stationery", opened_year=2012)
    program = selectors.exam_lodging(2024)["id"]
    for i in range(n):
        school = SchoolFactory(code=f"G{n}{i}", name=f"扩展学校{n}-{i}", area_class="urban")
        SalesLineFactory(centre=centre, year=y24, shop=shop, category="stationery", amount=D("1"))
        SchoolServiceFactory(school=school, year=y24, kind="shop", mode="self_run")
        SchoolServiceFactory(school=data["a"], year=y24, kind="other", name=f"其他{n}-{i}", mode="self_run")
        ExamSiteFactory(program_id=program, host_school=school, candidates=1, beds=1)
        CapitalInvestmentFactory(centre=centre, year=2017, kind="equipment", amount=D("10"))


def test_query_count_fixed_at_two_sizes(data):
    small = {name: _queries(lambda f=f: f()) for name, f in _calls(data).items()}
    _grow(data, 30)
    large = {name: _queries(lambda f=f: f()) for name, f in _calls(data).items()}
    assert small == large
    assert small == {"centre": 5, "figures_by_year": 3, "exam_lodging": 2, "school_services": 1, "school_sheet": 3}


def _calls(data):
    return {
        "centre": lambda: selectors.centre(2024),
        "figures_by_year": lambda: selectors.figures_by_year([2022, 2023, 2024]),
        "exam_lodging": lambda: selectors.exam_lodging(2024),
        "school_services": lambda: selectors.school_services(2024),
        "school_sheet": lambda: selectors.school_sheet(2024, data["a"].pk),
    }
