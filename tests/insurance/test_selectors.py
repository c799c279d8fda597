"""insurance.selectors against hand-computed figures, and a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from insurance import selectors
from insurance.models import Claim, ClaimantKind, ClaimStatus, PolicyType
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.insurance.factories import (
    BrokerFactory,
    ClaimFactory,
    CoverageFactory,
    FundingFactory,
    FundingRuleFactory,
    InsurerFactory,
    PolicyFactory,
)

pytestmark = pytest.mark.django_db


def paid(policy, school, amount, paid_date, persons=1, **kw):
    """A paid claim written straight to the table (the figures, not the workflow, are under test)."""
    claim = ClaimFactory(policy=policy, school=school, persons=persons, requested_amount=Decimal(amount),
                         claimant_kind=kw.pop("claimant_kind", ClaimantKind.STUDENT), **kw)
    Claim.objects.filter(pk=claim.pk).update(
        status=ClaimStatus.PAID, assessed_amount=Decimal(amount), paid_amount=Decimal(amount), paid_date=paid_date
    )
    return claim


@pytest.fixture
def world(db):
    y23, y24 = ReportingYearFactory(year=2023), ReportingYearFactory(year=2024)
    a, b = SchoolFactory(code="S1", name="一校"), SchoolFactory(code="S2", name="二校")
    insurer = InsurerFactory(name="人保")
    BrokerFactory(entrusted_from_year=2021)
    InsurerFactory(name="另一经纪", role="broker", entrusted_from_year=2023, service_fee=Decimal("300.00"))
    for t in PolicyType.values:
        FundingRuleFactory(insurance_type=t, from_year=2022 if t == PolicyType.PROPERTY else 2021)
    big = dict(per_person_limit=None, per_accident_limit=None, aggregate_limit=None)
    prop23 = PolicyFactory(year=y23, insurer=insurer, policy_type=PolicyType.PROPERTY, sum_insured=Decimal("1000000"), **big)
    liab24 = PolicyFactory(year=y24, insurer=insurer, policy_type=PolicyType.LIABILITY, **big)
    stud24 = PolicyFactory(year=y24, insurer=insurer, policy_type=PolicyType.STUDENT, school=a,
                           premium_total=Decimal("2500.00"), insured_count=60, **big)
    PolicyFactory(year=y23, insurer=insurer, policy_type=PolicyType.LIABILITY, **big)
    # Claims: counted by paid date. A 2023 property loss paid in 2024 counts in 2024.
    paid(prop23, a, "10000.00", dt.date(2023, 6, 1), persons=0, claimant_kind=ClaimantKind.SCHOOL, injured_name="")
    paid(prop23, b, "2500.50", dt.date(2024, 1, 10), persons=0, claimant_kind=ClaimantKind.SCHOOL, injured_name="",
         incident_date=dt.date(2023, 12, 20), reported_date=dt.date(2023, 12, 21))
    paid(liab24, a, "3000.00", dt.date(2024, 5, 1), persons=2)
    paid(stud24, a, "800.25", dt.date(2024, 6, 1))
    paid(stud24, b, "199.75", dt.date(2024, 7, 1))
    ClaimFactory(policy=stud24, school=a, requested_amount=Decimal("999"))  # open: not counted
    rejected = ClaimFactory(policy=stud24, school=b)
    Claim.objects.filter(pk=rejected.pk).update(status=ClaimStatus.REJECTED, reject_reason="x")
    # Funding of 2024 policies.
    FundingFactory(policy=stud24, source="parent", amount=Decimal("2000.00"), persons=40)
    FundingFactory(policy=stud24, source="insurer_free", amount=Decimal("0.00"), persons=10)
    FundingFactory(policy=stud24, source="school_advance", amount=Decimal("500.00"), persons=10)
    FundingFactory(policy=liab24, source="bureau_ws", amount=Decimal("500.00"), persons=0)
    FundingFactory(policy=liab24, source="school_ws", amount=Decimal("500.00"), persons=0)
    CoverageFactory(school=a, year=y24, enrolled=100, insured_parent_paid=40, poor_students=20, poor_free_by_insurer=10,
                    poor_advanced_by_school=10, advance_amount=Decimal("500.00"))
    CoverageFactory(school=b, year=y24, enrolled=50, insured_parent_paid=30, poor_students=5, poor_free_by_insurer=5,
                    poor_advanced_by_school=0, advance_amount=Decimal("0.00"))
    CoverageFactory(school=b, year=y23, enrolled=999)
    return {"a": a, "b": b, "stud24": stud24}


def test_claims_summary(world):
    assert selectors.claims_summary(2024, 2024) == {
        "count": 4, "person_times": 4, "paid_total": Decimal("6500.50"),
        "property_count": 1, "property_paid_total": Decimal("2500.50"),
    }
    assert selectors.claims_summary(2023, 2024) == {
        "count": 5, "person_times": 4, "paid_total": Decimal("16500.50"),
        "property_count": 2, "property_paid_total": Decimal("12500.50"),
    }
    empty = selectors.claims_summary(2030, 2031)
    assert empty == {"count": 0, "person_times": 0, "paid_total": Decimal("0.00"), "property_count": 0,
                     "property_paid_total": Decimal("0.00")}


def test_claims_by_type_year(world):
    rows = selectors.claims_by_type_year([2024, 2023])
    assert [(r["year"], r["policy_type"]) for r in rows] == [
        (2023, "property"), (2023, "liability"), (2023, "student"),
        (2024, "property"), (2024, "liability"), (2024, "student"),
    ]
    by = {(r["year"], r["policy_type"]): r for r in rows}
    assert by[(2023, "property")] == {"year": 2023, "policy_type": "property", "label": "学校财产险", "count": 1,
                                      "person_times": 0, "paid_total": Decimal("10000.00")}
    assert (by[(2024, "liability")]["count"], by[(2024, "liability")]["person_times"]) == (1, 2)
    assert by[(2024, "student")]["paid_total"] == Decimal("1000.00")
    assert by[(2023, "student")]["count"] == 0 and by[(2023, "student")]["paid_total"] == Decimal("0.00")


def test_premium_by_source(world):
    rows = selectors.premium_by_source(2024)
    assert [r["label"] for r in rows] == ["市财政", "家长自付", "保险公司免费", "学校公用经费垫付", "教育局勤工俭学经费",
                                          "学校勤工俭学经费"]
    by = {r["source"]: (r["amount"], r["persons"]) for r in rows}
    assert by == {
        "city": (Decimal("0.00"), 0), "parent": (Decimal("2000.00"), 40), "insurer_free": (Decimal("0.00"), 10),
        "school_advance": (Decimal("500.00"), 10), "bureau_ws": (Decimal("500.00"), 0),
        "school_ws": (Decimal("500.00"), 0),
    }


def test_coverage(world):
    assert selectors.coverage(2024) == {
        "enrolled": 150, "insured_parent_paid": 70, "poor_students": 25, "poor_free_by_insurer": 15,
        "poor_advanced_by_school": 10, "advance_amount": Decimal("500.00"), "school_count": 2,
    }
    assert selectors.coverage(2030)["enrolled"] == 0


def test_policies(world):
    rows = selectors.policies(2024)
    assert [r["policy_type"] for r in rows] == ["liability", "student"]
    student = rows[1]
    assert student["label"] == "学生平安险(学平险)" and student["school_id"] == world["a"].pk
    assert student["school_name"] == "一校" and student["premium_total"] == Decimal("2500.00")
    assert student["insured_count"] == 60 and student["coverage_start"] == dt.date(2024, 1, 1)
    assert rows[0]["school_id"] is None and rows[0]["insurer"] == "人保"


def test_milestones(world):
    assert selectors.milestones() == {
        "first_property_liability_year": 2023,
        "property_paid_by_city_from_year": 2022,
        "broker_name": "北京联合经纪有限公司江西分公司",
        "broker_entrusted_from_year": 2021,
        "broker_fee_total": Decimal("300.00"),
    }


def test_milestones_empty(db):
    assert selectors.milestones()["first_property_liability_year"] is None


def test_school_sheet_masks(world):
    sheet = selectors.school_sheet(2024, world["a"].pk)
    assert sheet["coverage"]["enrolled"] == 100
    assert sheet["claim_count"] == 3 and sheet["paid_count"] == 2
    assert sheet["person_times"] == 3 and sheet["paid_total"] == Decimal("3800.25")
    assert {c["injured"] for c in sheet["claims"]} == {"张**"}
    assert "张三丰" not in str(sheet)


def test_rows_url():
    assert selectors.rows_url("claims", 2024, paid=True, policy_type="property") == (
        "/insurance/claims/?status=paid&paid_year=2024&policy_type=property")
    assert selectors.rows_url("claims", 2024, status="rejected") == "/insurance/claims/?year=2024&status=rejected"
    assert selectors.rows_url("claims", 2024, paid=True, paid_from=2021, paid_to=2024) == (
        "/insurance/claims/?status=paid&paid_from=2021&paid_to=2024")
    assert selectors.rows_url("funding", 2024, source="parent") == "/insurance/funding/?year=2024&source=parent"
    assert selectors.rows_url("coverage", 2024) == "/insurance/coverage/?year=2024"
    assert selectors.rows_url("policies", 2024, policy_type="student") == "/insurance/policies/?year=2024&policy_type=student"
    with pytest.raises(ValueError):
        selectors.rows_url("nope", 2024)


def test_rows_url_lists_the_rows_behind_the_figure(world, director_client):
    body = director_client.get(selectors.rows_url("claims", 2024, paid=True, policy_type="property")).content.decode()
    claim = Claim.objects.get(paid_amount=Decimal("2500.50"))
    other = Claim.objects.get(paid_amount=Decimal("10000.00"))
    assert claim.claim_no in body and other.claim_no not in body


def _calls():
    selectors.claims_summary(2021, 2024)
    selectors.claims_by_type_year([2021, 2022, 2023, 2024])
    selectors.premium_by_source(2024)
    selectors.coverage(2024)
    selectors.policies(2024)
    selectors.milestones()
    selectors.school_sheet(2024, 1)


def _grow(n):
    year = ReportingYearFactory(year=2024)
    insurer = InsurerFactory(name="量测保险")
    policy = PolicyFactory(year=year, insurer=insurer, per_person_limit=None, per_accident_limit=None, aggregate_limit=None)
    for _i in range(n):
        school = SchoolFactory()
        CoverageFactory(school=school, year=year)
        PolicyFactory(year=year, insurer=insurer, school=school)
        paid(policy, school, "100.00", dt.date(2024, 5, 1))


def test_fixed_number_of_queries(db):
    _grow(2)
    with CaptureQueriesContext(connection) as small:
        _calls()
    _grow(25)
    with CaptureQueriesContext(connection) as large:
        _calls()
    assert len(small.captured_queries) == len(large.captured_queries) <= 12
