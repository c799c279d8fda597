"""The demo's five enterprises, their figures and the 教育印刷厂 reform; loading twice changes nothing."""

import datetime
from decimal import Decimal

import pytest

from enterprises import demo, selectors
from enterprises.models import Enterprise, EnterpriseYearStat, ReformEvent
from tests.factories import ReportingYearFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(db):
    for y in (2021, 2022, 2023, 2024):
        ReportingYearFactory(year=y)
    return {
        "GX005": SchoolFactory(code="GX005", name="贵溪市职业中学"),
        "GX006": SchoolFactory(code="GX006", name="贵溪市实验小学"),
    }


def _snapshot():
    return (
        list(Enterprise.objects.order_by("pk").values()),
        list(EnterpriseYearStat.objects.order_by("pk").values()),
        list(ReformEvent.objects.order_by("pk").values()),
        Enterprise.history.count() + EnterpriseYearStat.history.count() + ReformEvent.history.count(),
    )


def test_demo_loads_the_countys_enterprises_idempotently(schools):
    demo.load(schools=schools, users={})
    first = _snapshot()
    demo.load(schools=schools, users={})
    assert _snapshot() == first

    active = selectors.active_enterprises(2024)
    assert len(active) == 5  # 五家
    by_name = {e["name"]: e for e in active}
    assert by_name["市职中校服厂"]["sponsor"] == "贵溪市职业中学"
    assert by_name["实小校具厂"]["sponsor"] == "贵溪市实验小学"
    assert by_name["贵溪市腾飞学校后勤服务中心"]["kind_label"] == "服务中心"
    printing = Enterprise.objects.get(name="教育印刷厂")
    assert (printing.status, printing.form, printing.founded_text) == ("reformed", "tendered_right", "上世纪80年代")

    events = selectors.reform_events()
    assert {e["date"] for e in events} == {datetime.date(2005, 6, 1)}
    kinds = {e["kind"]: e for e in events}
    assert kinds["buyout"]["staff_affected"] == 174 and kinds["buyout"]["amount"] > 0
    assert kinds["auction"]["amount"] > 0 and kinds["tender"]["counterparty"]

    for year in (2021, 2022, 2023, 2024):
        totals = selectors.figures(year)["totals"]
        assert Decimal("1000000") < totals["revenue"] < Decimal("10000000")
        assert totals["remitted_to_education"] > 0 and totals["profit"] > 0
    # The centre's money is counted in logistics, never here.
    assert not EnterpriseYearStat.objects.filter(enterprise__kind="service_centre").exists()
    # Every demo row passes the rules.
    for stat in EnterpriseYearStat.objects.all():
        stat.full_clean()
