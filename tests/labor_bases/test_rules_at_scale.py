"""LB-03 and LB-04 as the database-side / lean versions compute them: the same findings,
with the school named (the appendix shows the school of every warning), scoped by school."""

from decimal import Decimal

from labor_bases import rules
from tests.factories import ReportingYearFactory
from tests.labor_bases.factories import LandParcelFactory, ProductionLineFactory


def test_area_mismatch_only_and_school_named(base_a, base_b, year, school_a):
    LandParcelFactory(base=base_a, year=year, area_mu=Decimal("7"))
    LandParcelFactory(base=base_a, year=year, area_mu=Decimal("5"))  # 12 = declared: no finding
    LandParcelFactory(base=base_b, year=year, area_mu=Decimal("29.5"))  # declared 30
    found = rules.check_area_sum(2024, None)
    assert [(f.school_name, f.obj_label) for f in found] == [(base_b.school.name, base_b.name)]
    assert "29.50 亩" in found[0].message and "0.50 亩" in found[0].message
    assert rules.check_area_sum(2024, school_a.pk) == []
    assert len(rules.check_area_sum(2024, base_b.school_id)) == 1


def test_price_outlier_names_its_school_and_respects_scope(base_a, base_b, year, school_a):
    last = ReportingYearFactory(year=2023)
    ProductionLineFactory(base=base_a, year=last, product="桔", grade="", unit_price=Decimal("3"))
    ProductionLineFactory(base=base_a, year=year, product="桔", grade="", unit_price=Decimal("30"))
    ProductionLineFactory(base=base_b, year=year, product="桔", grade="", unit_price=Decimal("3.20"))
    found = rules.check_price_outliers(2024, None)
    assert [(f.school_id, f.school_name) for f in found] == [(school_a.pk, school_a.name)]
    assert "10.0 倍" in found[0].message
    assert rules.check_price_outliers(2024, base_b.school_id) == []
    assert len(rules.check_price_outliers(2024, school_a.pk)) == 1
