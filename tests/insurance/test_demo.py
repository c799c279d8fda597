"""The demo data loads, obeys every rule (it is full_clean'ed) and is idempotent."""

from decimal import Decimal

import pytest

from insurance import demo, selectors
from insurance.models import Claim, ClaimStatus, InsurancePolicy, PremiumFunding, StudentAccidentCoverage
from workstudy import demo as core_demo
from workstudy import rules as core_rules

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_to_the_same_data():
    schools = core_demo.load_schools()
    users = core_demo.load_users(schools)
    core_demo.load_years_and_submissions(schools)
    demo.load(schools=schools, users=users)

    def snapshot():
        return (
            sorted(Claim.objects.values_list("claim_no", "status", "paid_amount", "school__code")),
            sorted(StudentAccidentCoverage.objects.values_list("school__code", "year_id", "insured_parent_paid")),
            sorted(PremiumFunding.objects.values_list("policy__policy_no", "source", "amount")),
        )

    first = snapshot()
    demo.load(schools=schools, users=users)
    assert snapshot() == first

    # The county's facts.
    milestones = selectors.milestones()
    assert milestones["broker_name"] == "北京联合经纪有限公司江西分公司"
    assert milestones["broker_entrusted_from_year"] == 2010 and milestones["broker_fee_total"] == Decimal("0.00")
    assert milestones["property_paid_by_city_from_year"] == 2009
    assert milestones["first_property_liability_year"] == 2021
    # GX001 2024 is left for the demo principal.
    assert not StudentAccidentCoverage.objects.filter(school__code="GX001", year_id=2024).exists()
    assert StudentAccidentCoverage.objects.filter(year_id=2024).count() == len(schools) - 1
    # Plausible claim figures, property claims with 0 persons, some rejected / in progress.
    summary = selectors.claims_summary(2021, 2024)
    assert 80 <= summary["count"] <= 128 and summary["person_times"] >= summary["count"] - summary["property_count"]
    assert summary["property_count"] >= 4 and Decimal("100000") < summary["paid_total"] < Decimal("5000000")
    assert not Claim.objects.filter(policy__policy_type="property").exclude(persons=0).exists()
    assert Claim.objects.filter(status=ClaimStatus.REJECTED).exists()
    assert Claim.objects.filter(year_id=2024).exclude(status__in=[ClaimStatus.PAID, ClaimStatus.REJECTED]).exists()
    # Every policy's funding adds up (no INS-15 warning) for every year.
    for year in demo.YEARS:
        assert not [f for f in core_rules.findings(year) if f.rule.code.startswith("INS")]
        assert InsurancePolicy.objects.filter(year_id=year).count() == 4
