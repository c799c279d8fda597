"""Computed figures and the LB rules (errors in clean(), warnings through year checks)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from labor_bases import rules
from labor_bases.models import BaseYearFinance, LandParcel, ProductionLine
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from tests.labor_bases.factories import (
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from workstudy import rules as core_rules
from workstudy.services import submit_errors


def codes(exc: ValidationError) -> set[str]:
    return {e.code for errors in exc.error_dict.values() for e in errors}


def test_value_is_quantity_times_price_and_never_typed(base_a, year):
    line = ProductionLineFactory(base=base_a, year=year, quantity=Decimal("120"), unit_price=Decimal("300"), value=1)
    assert line.value == Decimal("36000.00")
    line.refresh_from_db()
    assert line.value == Decimal("36000.00")
    line.quantity = Decimal("2.5")
    line.unit_price = Decimal("0.333")
    line.save()
    assert line.value == Decimal("0.83")  # rounded half up to 分


def test_finance_revenue_cost_profit_are_computed(tea_a):
    fin = tea_a["finance"]
    fin.refresh_from_db()
    assert fin.production_value == Decimal("45600.00")
    assert fin.cost == Decimal("24000.00")
    assert fin.revenue == Decimal("45600.00")
    assert fin.profit == Decimal("21600.00")
    fin.other_income = Decimal("400")
    fin.save()
    assert (fin.revenue, fin.profit) == (Decimal("46000.00"), Decimal("22000.00"))


def test_finance_follows_line_changes_without_bumping_its_version(tea_a):
    fin = tea_a["finance"]
    version = BaseYearFinance.objects.get(pk=fin.pk).version
    line = tea_a["lines"][1]
    line.quantity = Decimal("250")  # 250 x 40 = 10000 instead of 9600
    line.save()
    fin = BaseYearFinance.objects.get(pk=fin.pk)
    assert fin.revenue == Decimal("46000.00") and fin.profit == Decimal("22000.00")
    assert fin.version == version
    line.delete()
    fin = BaseYearFinance.objects.get(pk=fin.pk)
    assert fin.revenue == Decimal("36000.00")


@pytest.mark.parametrize("area", ["0", "-1"])
def test_area_must_be_positive(base_a, year, area):
    plot = LandParcel(base=base_a, year=year, land_type="tea", area_mu=Decimal(area))
    with pytest.raises(ValidationError) as exc:
        plot.full_clean()
    assert "LB-01" in codes(exc.value)
    assert "面积必须大于 0 亩" in str(exc.value)


def test_negative_quantity_and_price_refused(base_a, year):
    line = ProductionLine(base=base_a, year=year, product="茶叶", quantity=Decimal("-1"), unit="kg",
                          unit_price=Decimal("-2"))
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert codes(exc.value) == {"CORE-01"}
    assert set(exc.value.message_dict) == {"quantity", "unit_price"}, "both refused in one round"
    assert "产量应在 0 至" in str(exc.value)


def test_negative_costs_refused_with_the_field_named(base_a, year):
    fin = BaseYearFinance(base=base_a, year=year, labor_cost=Decimal("-5"))
    with pytest.raises(ValidationError) as exc:
        fin.full_clean()
    assert "labor_cost" in exc.value.error_dict
    assert "人工应在 0 至" in str(exc.value)


def test_other_land_type_needs_a_note(base_a, year):
    plot = LandParcel(base=base_a, year=year, land_type="other", area_mu=Decimal("1"))
    with pytest.raises(ValidationError) as exc:
        plot.full_clean()
    assert "LB-07" in codes(exc.value)
    plot.land_type_note = "蔬菜大棚"
    plot.full_clean()
    assert plot.land_type_label == "其他（蔬菜大棚）"


def test_one_finance_per_base_and_year(tea_a):
    fin = tea_a["finance"]
    dup = BaseYearFinance(base=fin.base, year=fin.year)
    with pytest.raises(ValidationError) as exc:
        dup.full_clean()
    assert "LB-10" in codes(exc.value)


def test_parcel_of_another_base_refused(base_a, base_b, year):
    other = LandParcelFactory(base=base_b, year=year)
    line = ProductionLine(base=base_a, year=year, parcel=other, product="茶", quantity=1, unit="kg", unit_price=1)
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert "LB-08" in codes(exc.value)


def test_area_sum_warning_names_both_figures(base_a, year):
    LandParcelFactory(base=base_a, year=year, area_mu=Decimal("10"))
    LandParcelFactory(base=base_a, year=year, land_type="grain", area_mu=Decimal("5"))
    found = rules.check_area_sum(2024, None)
    assert len(found) == 1
    assert "15.00 亩" in found[0].message and "12.00 亩" in found[0].message
    assert found[0].school_id == base_a.school_id
    # It is in the shared findings (review screen and appendix), and gone once the plots match.
    assert any(f.rule.code == "LB-03" for f in core_rules.findings(2024, base_a.school_id))
    LandParcel.objects.filter(land_type="grain").delete()
    LandParcel.objects.update(area_mu=Decimal("12"))
    assert rules.check_area_sum(2024, None) == []


def test_price_outlier_against_last_year(base_a, year):
    last = ReportingYearFactory(year=2023)
    ProductionLineFactory(base=base_a, year=last, product="桔", grade="", unit_price=Decimal("3"))
    ProductionLineFactory(base=base_a, year=year, product="桔", grade="", unit_price=Decimal("30"))
    found = rules.check_price_outliers(2024, base_a.school_id)
    assert len(found) == 1 and "10.0 倍" in found[0].message and "上年" in found[0].message
    ProductionLine.objects.filter(year=year).update(unit_price=Decimal("3.5"))
    assert rules.check_price_outliers(2024, None) == []


def test_big_change_warns_and_blocks_submit_without_explanation(base_a, year):
    last = ReportingYearFactory(year=2023)
    LandParcelFactory(base=base_a, year=last, area_mu=Decimal("10"))
    LandParcelFactory(base=base_a, year=year, area_mu=Decimal("16"))
    found = rules.check_big_change(2024, None)
    assert len(found) == 1 and "+60.0%" in found[0].message
    submission = SubmissionFactory(school=base_a.school, year=year, explanation="")
    assert any("较上年变化" in e for e in submit_errors(submission))
    submission.explanation = "新开垦茶园 6 亩"
    assert not any("较上年变化" in e for e in submit_errors(submission))


def test_profit_without_cost_cannot_be_submitted(base_a, year):
    ProductionLineFactory(base=base_a, year=year)  # 36000 元 of tea, no accounts
    submission = SubmissionFactory(school=base_a.school, year=year)
    errors = submit_errors(submission)
    assert any("还没有填写任何成本" in e and "36,000.00" in e for e in errors), errors
    BaseYearFinanceFactory(base=base_a, year=year)
    assert not any("成本" in e for e in submit_errors(submission))


def test_history_is_kept(tea_a):
    line = tea_a["lines"][0]
    line.unit_price = Decimal("280")
    line.save()
    assert line.history.count() == 2
    assert line.history.first().value == Decimal("33600.00")


def test_big_change_edges_area_and_revenue(base_a, base_b, year):
    """The database picks the schools that moved, the rule's test stays exact: 50% is not
    "over 50%", 50.01% is; a school without last year's figures, or with zero, is skipped;
    revenue counts line values and other income together."""
    last = ReportingYearFactory(year=2023)
    LandParcelFactory(base=base_a, year=last, area_mu=Decimal("10"))
    LandParcelFactory(base=base_a, year=year, area_mu=Decimal("15"))  # +50.0%: not over
    LandParcelFactory(base=base_b, year=last, area_mu=Decimal("100"))
    LandParcelFactory(base=base_b, year=year, area_mu=Decimal("49.99"))  # -50.01%: over
    ProductionLineFactory(base=base_a, year=last, quantity=Decimal("1"), unit_price=Decimal("100"))
    BaseYearFinanceFactory(base=base_a, year=last, other_income=Decimal("100"))  # last year 200 元
    ProductionLineFactory(base=base_a, year=year, quantity=Decimal("1"), unit_price=Decimal("300.01"))  # 300.01: +50.005%
    found = {(f.school_id, f.message.split("由")[0]) for f in rules.check_big_change(2024, None)}
    assert found == {(base_b.school_id, "基地总面积"), (base_a.school_id, "基地总收入")}, found
    assert [f.school_id for f in rules.check_big_change(2024, base_a.school_id)] == [base_a.school_id]
    LandParcel.objects.filter(year=last).update(area_mu=Decimal("0"))  # zero last year: no percentage
    ProductionLine.objects.filter(year=last).delete()
    BaseYearFinance.objects.filter(year=last).delete()  # no revenue last year: nothing to compare
    assert rules.check_big_change(2024, None) == []


def test_price_outliers_for_one_school_match_the_county_check(base_a, base_b, year):
    """A school's review screen reads only its own lines and its products' peers: the same
    warnings as the county-wide check restricted to that school."""
    last = ReportingYearFactory(year=2023)
    others = [LaborBaseFactory(school=SchoolFactory(code=f"P{i}", name=f"比价学校{i}")) for i in range(3)]
    for base, price in zip(others, ("10", "11", "12"), strict=True):
        ProductionLineFactory(base=base, year=year, product="茶叶", grade="", unit="kg", unit_price=Decimal(price))
        ProductionLineFactory(base=base, year=year, product="鲜鱼", grade="", unit="kg", unit_price=Decimal("20"))
    ProductionLineFactory(base=base_a, year=year, product="茶叶", grade="", unit="kg", unit_price=Decimal("100"))
    ProductionLineFactory(base=base_a, year=year, product="稻谷", grade="", unit="kg", unit_price=Decimal("3"))
    ProductionLineFactory(base=base_b, year=last, product="桔", grade="", unit="kg", unit_price=Decimal("3"))
    ProductionLineFactory(base=base_b, year=year, product="桔", grade="", unit="kg", unit_price=Decimal("30"))
    everything = rules.check_price_outliers(2024, None)
    assert {f.school_id for f in everything} == {base_a.school_id, base_b.school_id}
    for school_id in (base_a.school_id, base_b.school_id, others[0].school_id):
        alone = [(f.school_id, f.message) for f in rules.check_price_outliers(2024, school_id)]
        assert alone == [(f.school_id, f.message) for f in everything if f.school_id == school_id]
