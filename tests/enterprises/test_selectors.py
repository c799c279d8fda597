"""enterprises.selectors against hand-computed figures, with fixed query counts."""

import datetime
from decimal import Decimal

import pytest

from enterprises import selectors
from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
from tests.factories import ReportingYearFactory, SchoolFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def county(db):
    y2023, y2024 = ReportingYearFactory(year=2023), ReportingYearFactory(year=2024)
    school = SchoolFactory(code="GX005", name="贵溪市职业中学")
    uniform = EnterpriseFactory(name="市职中校服厂", sponsor_school=school, founded_year=1992)
    paint = EnterpriseFactory(name="宏达乳胶漆厂", kind="paint", ownership="contracted", founded_year=1996)
    printing = EnterpriseFactory(name="教育印刷厂", kind="printing", founded_year=None, founded_text="上世纪80年代",
                                 status="reformed", ownership="reformed", form="tendered_right")
    centre = EnterpriseFactory(name="贵溪市腾飞学校后勤服务中心", kind="service_centre", form="service_centre",
                               founded_year=None)
    closed = EnterpriseFactory(name="已停办厂", status="closed", founded_year=1990, closed_year=2023)
    EnterpriseFactory(name="未来厂", founded_year=2025)
    # 2024, by hand:
    #   revenue 3,350,000.00 + 1,260,000.00 + 330,000.00             = 4,940,000.00
    #   cost    2,920,000.00 + 1,120,000.00 +  26,200.50             = 4,066,200.50
    #   profit    430,000.00 +   140,000.00 + 303,799.50             =   873,799.50
    #   tax       100,500.00 +    37,800.00 +       0.00             =   138,300.00
    #   remitted  180,000.00 +    45,000.00 + 275,000.00             =   500,000.00
    #   employees 50 + 18 + 2 = 70; placements 72 + 10 + 0 = 82
    YearStatFactory(enterprise=uniform, year=y2024, revenue=D("3350000"), cost=D("2920000"), tax=D("100500"),
                    employees=50, remitted_to_education=D("180000"), work_study_placements=72)
    YearStatFactory(enterprise=paint, year=y2024, revenue=D("1260000"), cost=D("1120000"), tax=D("37800"),
                    employees=18, remitted_to_education=D("45000"), work_study_placements=10)
    YearStatFactory(enterprise=printing, year=y2024, revenue=D("330000"), cost=D("26200.50"), tax=D("0"),
                    employees=2, remitted_to_education=D("275000"), work_study_placements=0)
    # 2023: revenue 780,000 + 100,000 = 880,000; cost 742,000 + 150,000 = 892,000; profit -12,000
    YearStatFactory(enterprise=paint, year=y2023, revenue=D("780000"), cost=D("742000"),
                    remitted_to_education=D("20000"))
    YearStatFactory(enterprise=closed, year=y2023, revenue=D("100000"), cost=D("150000"),
                    remitted_to_education=D("0"))
    month = datetime.date(2019, 6, 1)
    ReformEventFactory(enterprise=printing, date=month, kind="reform", staff_affected=174, amount=None)
    ReformEventFactory(enterprise=printing, date=month, kind="auction", amount=D("2360000"))
    ReformEventFactory(enterprise=printing, date=month, kind="buyout", staff_affected=174, amount=D("3132000"))
    ReformEventFactory(enterprise=printing, date=month, kind="tender", amount=D("1500000"), counterparty="中标人甲")
    ReformEventFactory(enterprise=paint, date=datetime.date(2023, 4, 1), kind="investment", amount=D("80000"))
    return dict(school=school, uniform=uniform, paint=paint, printing=printing, centre=centre, closed=closed)


def test_active_enterprises(county):
    rows = selectors.active_enterprises(2024)
    assert [r["name"] for r in rows] == sorted(
        ["市职中校服厂", "宏达乳胶漆厂", "教育印刷厂", "贵溪市腾飞学校后勤服务中心"]
    )
    by_name = {r["name"]: r for r in rows}
    assert by_name["市职中校服厂"]["sponsor"] == "贵溪市职业中学"
    assert by_name["市职中校服厂"]["school_id"] == county["school"].pk
    assert by_name["宏达乳胶漆厂"]["sponsor"] == "勤工办" and by_name["宏达乳胶漆厂"]["school_id"] is None
    printing = by_name["教育印刷厂"]
    assert (printing["kind_label"], printing["status_label"], printing["form_label"]) == ("印刷厂", "改制", "招标经营权")
    # 2023: the closed one still counts (closed at the end of 2023).
    assert "已停办厂" in [r["name"] for r in selectors.active_enterprises(2023)]


def test_figures_totals_and_rows(county):
    result = selectors.figures(2024)
    assert result["totals"] == {
        "revenue": D("4940000.00"), "cost": D("4066200.50"), "profit": D("873799.50"), "tax": D("138300.00"),
        "remitted_to_education": D("500000.00"), "employees": 70, "placements": 82,
        "unmatched_revenue": D("0.00"),
    }
    rows = result["rows"]
    assert [r["name"] for r in rows] == ["市职中校服厂", "宏达乳胶漆厂", "教育印刷厂"]
    assert rows[2]["profit"] == D("303799.50") and rows[2]["cost"] == D("26200.50")
    assert rows[0]["school_name"] == "贵溪市职业中学" and rows[1]["school_id"] is None
    assert all(isinstance(r["revenue"], Decimal) and r["revenue"].as_tuple().exponent == -2 for r in rows)


def test_figures_of_an_empty_year_are_zero(county):
    result = selectors.figures(2020)
    assert result["rows"] == []
    assert result["totals"]["revenue"] == D("0.00") and result["totals"]["employees"] == 0


def test_figures_by_year(county):
    result = selectors.figures_by_year([2022, 2023, 2024])
    assert result[2024] == {"revenue": D("4940000.00"), "cost": D("4066200.50"), "profit": D("873799.50"),
                            "remitted_to_education": D("500000.00"), "unmatched_revenue": D("0.00")}
    assert result[2023] == {"revenue": D("880000.00"), "cost": D("892000.00"), "profit": D("-12000.00"),
                            "remitted_to_education": D("20000.00"), "unmatched_revenue": D("0.00")}
    assert result[2022] == {"revenue": D("0.00"), "cost": D("0.00"), "profit": D("0.00"),
                            "remitted_to_education": D("0.00"), "unmatched_revenue": D("0.00")}


def test_revenue_without_cost_is_not_profit(county):
    """A year's figures saved without a cost count their revenue as unmatched, not as profit."""
    from enterprises.models import EnterpriseYearStat

    stat = EnterpriseYearStat.objects.filter(year_id=2023).first()
    EnterpriseYearStat.objects.filter(pk=stat.pk).update(cost=None, profit=stat.revenue)
    result = selectors.figures_by_year([2023])[2023]
    assert result["unmatched_revenue"] == stat.revenue
    assert result["profit"] == D("-12000.00") - (stat.revenue - stat.cost)
    [row] = [r for r in selectors.figures(2023)["rows"] if r["enterprise_id"] == stat.enterprise_id]
    assert row["cost"] is None and row["profit"] is None
    assert selectors.figures(2023)["totals"]["unmatched_revenue"] == stat.revenue


def test_reform_events(county):
    events = selectors.reform_events()
    printing = [e for e in events if e["enterprise"] == "教育印刷厂"]
    assert [e["label"] for e in printing] == ["改制", "资产拍卖", "工龄买断", "公开招标"]
    assert {e["date"] for e in printing} == {datetime.date(2019, 6, 1)}
    buyout = printing[2]
    assert buyout["staff_affected"] == 174 and buyout["amount"] == D("3132000.00")
    assert printing[0]["amount"] is None
    assert printing[3]["counterparty"] == "中标人甲"
    assert events[-1]["label"] == "投资建设"  # date order
    assert [e["kind"] for e in selectors.reform_events(kinds=["auction"])] == ["auction"]


def test_rows_url():
    assert selectors.rows_url("figures", 2024) == "/enterprises/figures/?year=2024"
    assert selectors.rows_url("figures", 2024, enterprise=7) == "/enterprises/figures/?year=2024&enterprise=7"
    assert selectors.rows_url("enterprises", 2024) == "/enterprises/?active_in=2024"
    assert selectors.rows_url("enterprises", 2024, status="reformed") == "/enterprises/?active_in=2024&status=reformed"
    assert selectors.rows_url("events", None, event_kind="auction") == "/enterprises/events/?kind=auction"
    assert selectors.rows_url(kind="enterprises", year=2023, enterprise_kind="paint") == (
        "/enterprises/?active_in=2023&kind=paint")
    assert selectors.rows_url("enterprise", enterprise=3) == "/enterprises/3/"
    with pytest.raises(ValueError):
        selectors.rows_url("nonsense", 2024)


def test_rows_url_pages_show_the_rows(director_client, county):
    body = director_client.get(selectors.rows_url("enterprises", 2024)).content.decode()
    assert "教育印刷厂" in body and "未来厂" not in body and "已停办厂" not in body
    body = director_client.get(selectors.rows_url("figures", 2024, enterprise=county["paint"].pk)).content.decode()
    assert "1,260,000.00" in body and "3,350,000.00" not in body
    body = director_client.get(selectors.rows_url("events", 2019)).content.decode()
    assert "3,132,000.00" in body and "80,000.00" not in body  # the 2023 investment is not listed


def _grow(n: int):
    years = {y: ReportingYearFactory(year=y) for y in (2021, 2022, 2023, 2024)}
    school = SchoolFactory()
    for i in range(n):
        e = EnterpriseFactory(name=f"规模测试厂{n}-{i}", sponsor_school=school if i % 2 else None)
        for y in years.values():
            YearStatFactory(enterprise=e, year=y)
        ReformEventFactory(enterprise=e)


@pytest.mark.parametrize("size", [3, 30])
def test_selectors_run_a_fixed_number_of_queries(size, django_assert_num_queries):
    _grow(size)
    with django_assert_num_queries(1):
        assert len(selectors.active_enterprises(2024)) == size
    with django_assert_num_queries(1):
        assert len(selectors.figures(2024)["rows"]) == size
    with django_assert_num_queries(1):
        assert selectors.figures_by_year([2021, 2022, 2023, 2024])[2023]["revenue"] == D("100000.00") * size
    with django_assert_num_queries(1):
        assert len(selectors.reform_events()) == size


@pytest.mark.parametrize("size", [3, 30])
def test_pages_run_a_fixed_number_of_queries(size, director_client, django_assert_max_num_queries):
    _grow(size)
    # Session, user, etc. are included; what matters is that the count does not grow with the data.
    with django_assert_max_num_queries(14):
        assert director_client.get("/enterprises/").status_code == 200
    with django_assert_max_num_queries(16):
        assert director_client.get("/enterprises/figures/?year=2024").status_code == 200
    with django_assert_max_num_queries(14):
        assert director_client.get("/enterprises/events/").status_code == 200
