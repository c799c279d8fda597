from decimal import Decimal

import pytest

from tests.labor_bases.factories import (
    ActivityFactory,
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)


@pytest.fixture
def base_a(school_a):
    return LaborBaseFactory(school=school_a, name="甲校茶园基地", declared_total_mu=Decimal("12"))


@pytest.fixture
def base_b(school_b):
    return LaborBaseFactory(school=school_b, name="乙校桔园", declared_total_mu=Decimal("30"))


@pytest.fixture
def tea_a(base_a, year):
    """School A's year like 樟坪: 12 亩 tea, 120 kg x 300 + 240 kg x 40, cost 24000."""
    plot = LandParcelFactory(base=base_a, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))
    l1 = ProductionLineFactory(base=base_a, year=year, product="茶叶", grade="一级嫩茶", quantity=Decimal("120"),
                               unit_price=Decimal("300"))
    l2 = ProductionLineFactory(base=base_a, year=year, product="茶叶", grade="二级茶", quantity=Decimal("240"),
                               unit_price=Decimal("40"))
    fin = BaseYearFinanceFactory(base=base_a, year=year, remitted_to_school=Decimal("10000"))
    act = ActivityFactory(school=base_a.school, year=year, activity="采茶", participants=160, days=6, base=base_a)
    return {"plot": plot, "lines": [l1, l2], "finance": fin, "activity": act}


@pytest.fixture
def orchard_b(base_b, year):
    plot = LandParcelFactory(base=base_b, year=year, land_type="orchard", crop="桔", area_mu=Decimal("30"))
    line = ProductionLineFactory(base=base_b, year=year, product="桔", grade="", quantity=Decimal("45000"),
                                 unit_price=Decimal("3"))
    fin = BaseYearFinanceFactory(base=base_b, year=year, labor_cost=Decimal("50000"), fertilizer_cost=Decimal("20000"),
                                 seedling_cost=Decimal("0"), equipment_cost=Decimal("0"), other_income=Decimal("5000"))
    act = ActivityFactory(school=base_b.school, year=year, activity="桔园采摘", participants=400, days=3, base=base_b)
    return {"plot": plot, "line": line, "finance": fin, "activity": act}
