"""The ENT rules: computed profit, required cost, no negatives, closed enterprises, warnings."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from enterprises.models import EnterpriseYearStat, ReformEvent
from enterprises.rules import REVENUE_SWING, SUBSIDY_LE_REVENUE
from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
from tests.factories import ReportingYearFactory
from workstudy import rules as core_rules

pytestmark = pytest.mark.django_db


def _errors(obj) -> dict:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return info.value.message_dict


def _codes(obj) -> set:
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    return {e.code for errors in info.value.error_dict.values() for e in errors}


def test_profit_is_revenue_minus_cost_and_ignores_a_typed_profit(year):
    stat = YearStatFactory.build(enterprise=EnterpriseFactory(), year=year, revenue=Decimal("1234567.89"),
                                 cost=Decimal("1000000.10"))
    stat.profit = Decimal("999")  # whatever is typed, the stored profit is computed
    stat.full_clean()
    stat.save()
    stat.refresh_from_db()
    assert stat.profit == Decimal("234567.79")
    stat.cost = Decimal("1300000.00")
    stat.save()
    stat.refresh_from_db()
    assert stat.profit == Decimal("-65432.11")  # a loss is allowed


def test_profit_may_be_negative_but_validates(year):
    stat = YearStatFactory.build(enterprise=EnterpriseFactory(), year=year, revenue=Decimal("100"), cost=Decimal("250"))
    stat.full_clean()
    assert stat.profit == Decimal("-150.00")


def test_cost_is_required_ent01(year):
    stat = YearStatFactory.build(enterprise=EnterpriseFactory(), year=year, cost=None)
    errors = _errors(stat)
    assert "请填写成本" in errors["cost"][0]
    assert "ENT-01" in _codes(stat)


@pytest.mark.parametrize("field,value", [
    ("revenue", Decimal("-1")), ("cost", Decimal("-0.01")), ("tax", Decimal("-5")),
    ("remitted_to_education", Decimal("-100")), ("employees", -1), ("work_study_placements", -3),
])
def test_no_negative_money_or_counts_ent02(year, field, value):
    stat = YearStatFactory.build(enterprise=EnterpriseFactory(), year=year, **{field: value})
    errors = _errors(stat)
    assert "应在 0 至" in errors[field][0]
    assert str(value) in errors[field][0]  # the message names the value


def test_all_broken_rules_are_reported_at_once(year):
    stat = YearStatFactory.build(enterprise=EnterpriseFactory(), year=year, cost=None, employees=-2, tax=Decimal("-1"))
    errors = _errors(stat)
    assert {"cost", "employees", "tax"} <= set(errors)


def test_event_amounts_and_staff_not_negative():
    event = ReformEventFactory.build(enterprise=EnterpriseFactory(), staff_affected=-174, amount=Decimal("-1"))
    errors = _errors(event)
    assert "应在 0 至" in errors["staff_affected"][0]
    assert "应在 0 至" in errors["amount"][0]


def test_closed_enterprise_has_no_figures_after_closing_year_ent03(year, year_2023):
    enterprise = EnterpriseFactory(status="closed", closed_year=2023)
    YearStatFactory(enterprise=enterprise, year=year_2023)  # the closing year itself is fine
    late = YearStatFactory.build(enterprise=enterprise, year=year)
    errors = _errors(late)
    assert errors["year"] == [f"{enterprise.name}已于 2023 年停办，不能有 2024 年的年度数据。"]


def test_closing_an_enterprise_that_has_later_figures_is_refused(year):
    enterprise = EnterpriseFactory()
    YearStatFactory(enterprise=enterprise, year=year)
    enterprise.status, enterprise.closed_year = "closed", 2022
    errors = _errors(enterprise)
    assert "2024" in errors["closed_year"][0] and "停办" in errors["closed_year"][0]


def test_closed_needs_closed_year_and_only_closed_has_one():
    assert "ENT-06" in _codes(EnterpriseFactory.build(status="closed", closed_year=None))
    assert "ENT-07" in _codes(EnterpriseFactory.build(status="operating", closed_year=2020))
    assert "ENT-08" in _codes(EnterpriseFactory.build(status="closed", founded_year=2000, closed_year=1999))


def test_service_centre_figures_belong_to_logistics_ent10(year):
    centre = EnterpriseFactory(kind="service_centre", form="service_centre")
    stat = YearStatFactory.build(enterprise=centre, year=year)
    assert "ENT-10" in _codes(stat)


def test_event_date_is_a_month_and_takes_its_reporting_year(year):
    event = ReformEventFactory(enterprise=EnterpriseFactory(), date=datetime.date(2024, 6, 17))
    assert event.date == datetime.date(2024, 6, 1)
    assert event.year_id == 2024
    old = ReformEventFactory(enterprise=EnterpriseFactory(), date=datetime.date(2019, 6, 1))
    assert old.year_id is None  # no reporting year 2019: not bound to a lock


def test_event_not_before_founding():
    event = ReformEventFactory.build(enterprise=EnterpriseFactory(founded_year=2000), date=datetime.date(1999, 1, 1))
    assert "ENT-09" in _codes(event)


def test_one_row_per_enterprise_and_year(year):
    stat = YearStatFactory()
    dup = YearStatFactory.build(enterprise=stat.enterprise, year=stat.year)
    assert "已经填报过" in str(_errors(dup))


# Warnings --------------------------------------------------------------------


def _rule(code):
    return core_rules.RULES[code]


def test_subsidy_over_revenue_is_a_warning_ent04(year):
    stat = YearStatFactory(revenue=Decimal("10000"), cost=Decimal("5000"), remitted_to_education=Decimal("12000"))
    stat.full_clean()  # a warning never blocks saving
    found = _rule("ENT-04").year_check(2024, None)
    assert len(found) == 1
    assert found[0].rule.code == SUBSIDY_LE_REVENUE.code
    assert "12,000.00" in found[0].message and "10,000.00" in found[0].message
    assert found[0].url.endswith(f"/enterprises/{stat.enterprise_id}/?year=2024")
    # Bureau data: not on any school's review screen.
    assert _rule("ENT-04").year_check(2024, 1) == []


def test_revenue_swing_over_50_percent_ent05(year, year_2023):
    steady = EnterpriseFactory(name="平稳厂")
    YearStatFactory(enterprise=steady, year=year_2023, revenue=Decimal("100000"), cost=Decimal("1"))
    YearStatFactory(enterprise=steady, year=year, revenue=Decimal("150000"), cost=Decimal("1"))  # exactly +50%: ok
    jumpy = EnterpriseFactory(name="波动厂")
    YearStatFactory(enterprise=jumpy, year=year_2023, revenue=Decimal("780000"), cost=Decimal("1"))
    YearStatFactory(enterprise=jumpy, year=year, revenue=Decimal("1260000"), cost=Decimal("1"))
    falling = EnterpriseFactory(name="下滑厂")
    YearStatFactory(enterprise=falling, year=year_2023, revenue=Decimal("200000"), cost=Decimal("1"))
    YearStatFactory(enterprise=falling, year=year, revenue=Decimal("90000"), cost=Decimal("1"))
    found = _rule("ENT-05").year_check(2024, None)
    assert [f.obj_label for f in found] == ["下滑厂", "波动厂"]
    assert all(f.rule.code == REVENUE_SWING.code for f in found)
    assert "+61.5%" in found[1].message and "-55.0%" in found[0].message
    # Included in the portal-wide findings used by the summary appendix.
    assert {f.obj_label for f in core_rules.findings(2024) if f.rule.code == "ENT-05"} == {"下滑厂", "波动厂"}


def test_warning_checks_run_a_fixed_number_of_queries(year, year_2023, django_assert_num_queries):
    for n in range(6):
        e = EnterpriseFactory(name=f"厂{n}")
        YearStatFactory(enterprise=e, year=year_2023, revenue=Decimal("100"), cost=Decimal("1"))
        YearStatFactory(enterprise=e, year=year, revenue=Decimal("300"), cost=Decimal("1"),
                        remitted_to_education=Decimal("400"))
    with django_assert_num_queries(1):
        assert len(_rule("ENT-05").year_check(2024, None)) == 6
    with django_assert_num_queries(1):
        assert len(_rule("ENT-04").year_check(2024, None)) == 6


def test_model_saves_keep_profit_in_sync_with_update_fields(year):
    stat = YearStatFactory()
    stat.revenue = Decimal("200000")
    stat.save(update_fields=["revenue"])
    assert EnterpriseYearStat.objects.get(pk=stat.pk).profit == Decimal("120000.00")


def test_reform_event_str():
    event = ReformEventFactory.build(enterprise=EnterpriseFactory(name="教育印刷厂"), date=datetime.date(2019, 6, 1))
    assert str(event) == "教育印刷厂 2019年06月资产拍卖"
    assert isinstance(event, ReformEvent)


def test_year_factory_helper():
    assert ReportingYearFactory(year=2022).year == 2022
