"""A small county with every module filled, and its hand-computed summary figures.

Period 2023-2024 (SummarySettings.period_start = 2023). Per year:

=========  ==========================  ===========================  =========================
year       enterprise (rev - cost)      base of school A             centre + exam lodging
=========  ==========================  ===========================  =========================
2023       100000 - 80000 = 20000       30000 - 24000 = 6000          0
2024       150000 - 100000 = 50000      45600 - 24000 = 21600         (5000 - 1000) + (150000 - 120000) = 34000
=========  ==========================  ===========================  =========================

total income 26000 + 105600 = 131600 -> average 65800 元 = 6.58 万元;
subsidy 5000 + 10000 + 2000 + 6000 + 100 = 23100 元 = 2.31 万元 (cumulative);
paid claims: 3000 (学平险, 1 人次, 2024) + 12000 (财产险, 0 人次, 2023) -> 2 件, 1 人次,
1.50 万元, property 1.20 万元. Land 2024: 12 亩 tea + extra schools' 5 亩 grain each.
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from tests.reports.factories import (
    DatedFactFactory,
    NarrativeBlockFactory,
    PolicyDocumentFactory,
    SummarySettingsFactory,
)


def build_county(*, school_a, extra_schools=0):
    from enterprises.models import EventKind
    from insurance.models import ClaimStatus, FundingSource, PolicyType
    from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
    from tests.insurance.factories import (
        BrokerFactory,
        ClaimFactory,
        CoverageFactory,
        FundingFactory,
        FundingRuleFactory,
        PolicyFactory,
    )
    from tests.labor_bases.factories import (
        ActivityFactory,
        BaseYearFinanceFactory,
        LaborBaseFactory,
        LandParcelFactory,
        ProductionLineFactory,
    )
    from tests.logistics.factories import (
        CapitalInvestmentFactory,
        CentreYearFiguresFactory,
        ExamLodgingProgramFactory,
        ExamSiteFactory,
        SalesLineFactory,
        ServiceCentreFactory,
        ShopFactory,
    )

    y23, y24 = ReportingYearFactory(year=2023), ReportingYearFactory(year=2024)
    SummarySettingsFactory(year=y24, period_start=2023)
    PolicyDocumentFactory()
    DatedFactFactory()
    NarrativeBlockFactory(year=y24, text="第一段叙述。\n\n第二段叙述。")

    ent = EnterpriseFactory(name="教育印刷厂")
    YearStatFactory(enterprise=ent, year=y23, revenue=Decimal("100000"), cost=Decimal("80000"),
                    remitted_to_education=Decimal("5000"))
    YearStatFactory(enterprise=ent, year=y24, revenue=Decimal("150000"), cost=Decimal("100000"),
                    remitted_to_education=Decimal("10000"))
    ReformEventFactory(enterprise=ent, date=dt.date(2019, 6, 1), kind=EventKind.AUCTION)
    ReformEventFactory(enterprise=ent, date=dt.date(2019, 7, 1), kind=EventKind.BUYOUT, amount=None)

    base = LaborBaseFactory(school=school_a, name="茶园基地")
    LandParcelFactory(base=base, year=y24, land_type="tea", area_mu=Decimal("12"))
    ProductionLineFactory(base=base, year=y23, quantity=Decimal("100"), unit_price=Decimal("300"))
    BaseYearFinanceFactory(base=base, year=y23, remitted_to_school=Decimal("2000"))
    ProductionLineFactory(base=base, year=y24, quantity=Decimal("120"), unit_price=Decimal("300"))
    ProductionLineFactory(base=base, year=y24, grade="二级茶", quantity=Decimal("240"), unit_price=Decimal("40"))
    BaseYearFinanceFactory(base=base, year=y24, remitted_to_school=Decimal("6000"))
    ActivityFactory(school=school_a, year=y24, activity="采茶")

    centre = ServiceCentreFactory(name="腾飞学校后勤服务中心", founded_year=2012, exam_lodging_from_year=2014)
    ShopFactory(centre=centre)
    CentreYearFiguresFactory(centre=centre, year=y24, cost=Decimal("1000"), remitted_to_education=Decimal("100"))
    SalesLineFactory(centre=centre, year=y24, amount=Decimal("5000"))
    CapitalInvestmentFactory(centre=centre, year=2016, amount=Decimal("128000"))
    program = ExamLodgingProgramFactory(year=y24, operator=centre)
    ExamSiteFactory(program=program, host_school=school_a)

    BrokerFactory()
    for kind in (PolicyType.PROPERTY, PolicyType.LIABILITY, PolicyType.STUDENT):
        FundingRuleFactory(insurance_type=kind, from_year=2021)
    property_policy = PolicyFactory(year=y23, policy_type=PolicyType.PROPERTY, premium_total=Decimal("2000"))
    FundingFactory(policy=property_policy, source=FundingSource.CITY, amount=Decimal("2000"), persons=0)
    PolicyFactory(year=y23, policy_type=PolicyType.LIABILITY)
    student = PolicyFactory(year=y24, policy_type=PolicyType.STUDENT)
    FundingFactory(policy=student, source=FundingSource.PARENT)
    CoverageFactory(school=school_a, year=y24)
    ClaimFactory(school=school_a, policy=student, status=ClaimStatus.PAID, assessed_amount=Decimal("3000"),
                 paid_amount=Decimal("3000"), paid_date=dt.date(2024, 5, 1), persons=1)
    ClaimFactory(school=school_a, policy=property_policy, status=ClaimStatus.PAID, persons=0,
                 requested_amount=Decimal("12000"), assessed_amount=Decimal("12000"), paid_amount=Decimal("12000"),
                 paid_date=dt.date(2023, 9, 1), claimant_kind="school")
    ClaimFactory(school=school_a, policy=student)  # reported, not paid: never counted

    SubmissionFactory(school=school_a, year=y24)
    for i in range(extra_schools):
        school = SchoolFactory(code=f"X{i:03d}", name=f"扩展学校{i:03d}")
        SubmissionFactory(school=school, year=y24)
        b = LaborBaseFactory(school=school, name=f"基地{i}")
        LandParcelFactory(base=b, year=y24, land_type="grain", crop="水稻", area_mu=Decimal("5"))
        ProductionLineFactory(base=b, year=y24, product="稻谷", grade="", quantity=Decimal("100"), unit_price=Decimal("3"))
        BaseYearFinanceFactory(base=b, year=y24, labor_cost=Decimal("100"), fertilizer_cost=Decimal("0"),
                               seedling_cost=Decimal("0"), equipment_cost=Decimal("0"))
        CoverageFactory(school=school, year=y24)
        ClaimFactory(school=school, policy=student)
    return SimpleNamespace(y23=y23, y24=y24, enterprise=ent, base=base, centre=centre)


@pytest.fixture
def county(db, school_a):
    return build_county(school_a=school_a)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached summaries/PDFs live in the process-wide locmem cache: start every test empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
