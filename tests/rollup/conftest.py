"""Two counties of one city (甲县, 乙县 in 抚州市) and one county of another city (丙县 in 九江市),
with figures small enough to compute by hand (see the expectations in test_comparison.py)."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from insurance.models import ClaimStatus, PolicyType
from tests.enterprises.factories import EnterpriseFactory, YearStatFactory
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.insurance.factories import ClaimFactory, CoverageFactory, PolicyFactory
from tests.labor_bases.factories import (
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from tests.labor_education.factories import LaborEducationFactory
from tests.logistics.factories import CentreYearFiguresFactory, SalesLineFactory, ServiceCentreFactory
from workstudy.models import Region, Role, SubmissionStatus


@pytest.fixture
def city_world(db, year):
    w = SimpleNamespace(year=year)
    w.jia = Region.chain("江西省", "抚州市", "甲县")
    w.yi = Region.chain("江西省", "抚州市", "乙县")
    w.bing = Region.chain("江西省", "九江市", "丙县")
    w.city, w.province, w.other_city = w.jia.parent, w.jia.parent.parent, w.bing.parent

    # 甲县: two schools, 1,000 students; one base (12 亩, profit 36,000 - 24,000 = 12,000, 1,500 to
    # the school); one enterprise (profit 20,000, 5,000 to education); 学平险 320 + 100 insured; a
    # county-wide 校方责任险; one paid claim; one labor-education record; one return approved.
    w.a1 = SchoolFactory(code="JA01", name="甲县一中", county=w.jia)
    w.a2 = SchoolFactory(code="JA02", name="甲县二中", county=w.jia)
    SubmissionFactory(school=w.a1, year=year, student_count=400, status=SubmissionStatus.APPROVED)
    SubmissionFactory(school=w.a2, year=year, student_count=600, status=SubmissionStatus.SUBMITTED)
    base = LaborBaseFactory(school=w.a1, name="甲县茶园")
    LandParcelFactory(base=base, year=year, area_mu=Decimal("12.00"))
    ProductionLineFactory(base=base, year=year, quantity=Decimal("120"), unit_price=Decimal("300"))
    BaseYearFinanceFactory(base=base, year=year, remitted_to_school=Decimal("1500.00"))
    enterprise = EnterpriseFactory(name="甲县服装厂", county=w.jia)
    YearStatFactory(enterprise=enterprise, year=year, revenue=Decimal("100000.00"), cost=Decimal("80000.00"),
                    remitted_to_education=Decimal("5000.00"))
    CoverageFactory(school=w.a1, year=year, insured_parent_paid=300, poor_free_by_insurer=12,
                    poor_advanced_by_school=8, enrolled=None, poor_students=None)
    CoverageFactory(school=w.a2, year=year, insured_parent_paid=100, poor_free_by_insurer=0,
                    poor_advanced_by_school=0, advance_amount=Decimal("0.00"), enrolled=None, poor_students=None)
    liability = PolicyFactory(year=year, policy_type=PolicyType.LIABILITY, county=w.jia)
    ClaimFactory(school=w.a1, policy=liability, status=ClaimStatus.PAID, paid_date=dt.date(2024, 5, 1),
                 paid_amount=Decimal("3000.00"))
    ClaimFactory(school=w.a2, policy=liability, status=ClaimStatus.REPORTED)  # not paid: not counted
    LaborEducationFactory(school=w.a1, year=year)

    # 乙县: one school, 500 students, approved; a service centre (sales 3,000, cost 1,000: profit
    # 2,000; 100 to education); the school's own 校方责任险.
    w.b1 = SchoolFactory(code="YI01", name="乙县中学", county=w.yi)
    SubmissionFactory(school=w.b1, year=year, student_count=500, status=SubmissionStatus.APPROVED)
    centre = ServiceCentreFactory(name="乙县后勤服务中心", county=w.yi)
    CentreYearFiguresFactory(centre=centre, year=year, cost=Decimal("1000.00"), remitted_to_education=Decimal("100.00"))
    SalesLineFactory(centre=centre, year=year, amount=Decimal("3000.00"))
    PolicyFactory(year=year, policy_type=PolicyType.LIABILITY, school=w.b1)

    # 丙县, another city: large figures that must never show in 抚州市's comparison.
    w.c1 = SchoolFactory(code="BI01", name="丙县SECRETC中学", county=w.bing)
    SubmissionFactory(school=w.c1, year=year, student_count=9000, status=SubmissionStatus.APPROVED)
    YearStatFactory(enterprise=EnterpriseFactory(name="丙县大厂", county=w.bing), year=year,
                    revenue=Decimal("900000.00"), cost=Decimal("1.00"))

    w.city_staff = UserFactory(username="city_staff", role=Role.STAFF, region=w.city)
    w.province_staff = UserFactory(username="province_staff", role=Role.STAFF, region=w.province)
    w.other_city_staff = UserFactory(username="other_city_staff", role=Role.AUDITOR, is_staff=False, region=w.other_city)
    w.county_staff = UserFactory(username="jia_staff", role=Role.STAFF, region=w.jia)
    return w
