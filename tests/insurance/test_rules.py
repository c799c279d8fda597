"""Every INS rule: the bad value is refused (errors) or reported (warnings), with its code."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from insurance import services
from insurance.models import ClaimantKind, ClaimStatus, FundingRule, PolicyType, StudentAccidentCoverage
from tests.factories import SubmissionFactory
from tests.insurance.conftest import complete_documents
from tests.insurance.factories import ClaimFactory, CoverageFactory, FundingFactory, PolicyFactory
from tests.insurance.helpers import rule_codes
from workstudy import rules as core_rules
from workstudy.models import Region, Submission

pytestmark = pytest.mark.django_db


def refused(obj, code):
    with pytest.raises(ValidationError) as info:
        obj.full_clean()
    assert code in rule_codes(info.value), rule_codes(info.value)
    return info.value


def paid_claim(policy, school, **kw):
    values = dict(
        status=ClaimStatus.PAID, requested_amount=Decimal("30000"), assessed_amount=Decimal("25000"),
        paid_amount=Decimal("25000"), documents_date=dt.date(2024, 3, 10), review_date=dt.date(2024, 3, 12),
        paid_date=dt.date(2024, 3, 20),
    )
    values.update(kw)
    return ClaimFactory.build(policy=policy, school=school, year=policy.year, **values)


# Claims -------------------------------------------------------------------


def test_ins01_assessed_not_above_requested(claim_a):
    claim_a.assessed_amount = Decimal("6000")
    refused(claim_a, "INS-01")


def test_ins01_paid_not_above_assessed(county_student_policy, school_a):
    refused(paid_claim(county_student_policy, school_a, assessed_amount=Decimal("1000"), paid_amount=Decimal("1200")),
            "INS-01")


def test_ins01_paid_needs_assessed(county_student_policy, school_a):
    refused(paid_claim(county_student_policy, school_a, assessed_amount=None, paid_amount=Decimal("100")), "INS-01")


def test_ins01_valid_chain_passes(county_student_policy, school_a):
    paid_claim(county_student_policy, school_a, paid_amount=Decimal("19999"), assessed_amount=Decimal("19999")).full_clean()


def test_ins02_per_person_limit_scales_with_persons(county_student_policy, school_a):
    # per person 20000: 25000 for one person is too much, for two persons it is fine.
    refused(paid_claim(county_student_policy, school_a), "INS-02")
    paid_claim(county_student_policy, school_a, persons=2).full_clean()


def test_ins03_per_accident_limit(year, insurer, school_a):
    policy = PolicyFactory(year=year, insurer=insurer, per_person_limit=None, per_accident_limit=Decimal("20000"))
    refused(paid_claim(policy, school_a), "INS-03")


def test_ins04_aggregate_limit(year, insurer, school_a):
    policy = PolicyFactory(year=year, insurer=insurer, per_person_limit=None, per_accident_limit=None,
                           aggregate_limit=Decimal("40000"))
    first = paid_claim(policy, school_a)
    first.full_clean()
    first.save()
    refused(paid_claim(policy, school_a, incident_date=dt.date(2024, 4, 1), reported_date=dt.date(2024, 4, 1)),
            "INS-04")


def test_ins05_property_total_within_sum_insured(county_property_policy, school_a):
    kw = dict(claimant_kind=ClaimantKind.SCHOOL, persons=0, injured_name="", injured_id_number="",
              requested_amount=Decimal("70000"), assessed_amount=Decimal("60000"), paid_amount=Decimal("60000"))
    first = paid_claim(county_property_policy, school_a, **kw)
    first.full_clean()
    first.save()
    refused(paid_claim(county_property_policy, school_a, **kw), "INS-05")


def test_ins06_incident_inside_coverage(claim_a):
    claim_a.incident_date = dt.date(2025, 1, 2)
    claim_a.reported_date = dt.date(2025, 1, 3)
    error = refused(claim_a, "INS-06")
    assert "2025-01-02" in str(error)


def test_ins07_reported_not_before_incident(claim_a):
    claim_a.reported_date = claim_a.incident_date - dt.timedelta(days=1)
    refused(claim_a, "INS-07")


def test_ins07_paid_not_before_review(county_student_policy, school_a):
    refused(paid_claim(county_student_policy, school_a, paid_amount=Decimal("100"), assessed_amount=Decimal("100"),
                       paid_date=dt.date(2024, 3, 11)), "INS-07")


def test_ins08_counts_non_negative(school_a, year):
    coverage = CoverageFactory.build(school=school_a, year=year, poor_free_by_insurer=-1)
    refused(coverage, "INS-08")


def test_ins09_injury_needs_a_person(claim_a):
    claim_a.persons = 0
    refused(claim_a, "INS-09")


def test_ins10_property_claim_has_no_persons(county_property_policy, school_a):
    claim = ClaimFactory.build(policy=county_property_policy, school=school_a, year=county_property_policy.year,
                               claimant_kind=ClaimantKind.SCHOOL, persons=1, injured_name="")
    refused(claim, "INS-10")


# Coverage -----------------------------------------------------------------


def test_ins11_poor_covered_within_poor(school_a, year):
    refused(CoverageFactory.build(school=school_a, year=year, poor_students=10, poor_free_by_insurer=6,
                                  poor_advanced_by_school=5, advance_amount=Decimal("250")), "INS-11")


def test_ins12_insured_within_enrolled(school_a, year):
    refused(CoverageFactory.build(school=school_a, year=year, enrolled=300, insured_parent_paid=290), "INS-12")


def test_ins12_compares_with_the_submission_students(school_a, year):
    """The coverage has no student count of its own: INS-12 reads the school's submission."""
    SubmissionFactory(school=school_a, year=year, student_count=350)
    error = refused(CoverageFactory.build(school=school_a, year=year, enrolled=None, insured_parent_paid=340), "INS-12")
    assert "350" in str(error)
    Submission.objects.filter(school=school_a, year=year).update(student_count=400)
    CoverageFactory.build(school=school_a, year=year, enrolled=None, insured_parent_paid=340).full_clean()


def test_ins13_counts_must_be_entered_first(school_a, year):
    SubmissionFactory(school=school_a, year=year, student_count=None, poor_student_count=None)
    error = refused(CoverageFactory.build(school=school_a, year=year, enrolled=None, poor_students=None), "INS-13")
    assert "年度基本情况" in str(error) and "2024" in str(error)
    # Nobody insured: nothing to check against, so it may be saved.
    CoverageFactory.build(school=school_a, year=year, enrolled=None, poor_students=None, insured_parent_paid=0,
                          poor_free_by_insurer=0, poor_advanced_by_school=0, advance_amount=0).full_clean()


def test_coverage_has_no_count_fields_of_its_own():
    names = {f.name for f in StudentAccidentCoverage._meta.get_fields()}
    assert not names & {"enrolled", "poor_students"}


def test_ins19_voluntary_consent_needed_when_insured(school_a, year):
    refused(CoverageFactory.build(school=school_a, year=year, voluntary_consent_recorded=False), "INS-19")
    CoverageFactory.build(school=school_a, year=year, voluntary_consent_recorded=False, insured_parent_paid=0,
                          poor_free_by_insurer=0, poor_advanced_by_school=0, advance_amount=0).full_clean()


def test_ins25_advance_amount_matches_persons(school_a, year):
    refused(CoverageFactory.build(school=school_a, year=year, advance_amount=Decimal("0")), "INS-25")
    refused(CoverageFactory.build(school=school_a, year=year, poor_advanced_by_school=0, poor_free_by_insurer=12,
                                  advance_amount=Decimal("100")), "INS-25")


# Funding ------------------------------------------------------------------


def test_ins15_funding_sum_warning(rules, county_student_policy):
    FundingFactory(policy=county_student_policy, source="parent", amount=Decimal("900.00"))
    found = [f for f in core_rules.findings(2024) if f.rule.code == "INS-15"]
    assert len(found) == 1 and "900.00" in found[0].message and "1000.00" in found[0].message
    FundingFactory(policy=county_student_policy, source="school_advance", amount=Decimal("100.00"))
    assert not [f for f in core_rules.findings(2024) if f.rule.code == "INS-15"]


def test_ins15_school_filter(rules, county_student_policy, school_a, year, insurer):
    own = PolicyFactory(year=year, insurer=insurer, school=school_a, premium_total=Decimal("50"))
    found = [f for f in core_rules.findings(2024, school_a.pk) if f.rule.code == "INS-15"]
    assert [f.obj_label for f in found] == [str(own)]


def test_ins16_source_allowed_by_rule(rules, county_property_policy):
    error = refused(FundingFactory.build(policy=county_property_policy, source="parent"), "INS-16")
    assert "市财政" in str(error)
    FundingFactory.build(policy=county_property_policy, source="city").full_clean()


def test_ins16_rule_is_effective_dated(county_property_policy):
    FundingRule.objects.create(insurance_type=PolicyType.PROPERTY, from_year=2025, allowed_sources=["city"],
                               county=Region.default_county())
    refused(FundingFactory.build(policy=county_property_policy, source="city"), "INS-16")
    FundingRule.objects.create(insurance_type=PolicyType.PROPERTY, from_year=2020, to_year=2024, allowed_sources=["city"],
                               county=Region.default_county())
    FundingFactory.build(policy=county_property_policy, source="city").full_clean()


def test_ins17_liability_never_charged_to_parents(rules, year, insurer):
    policy = PolicyFactory(year=year, insurer=insurer, policy_type=PolicyType.LIABILITY)
    FundingRule.objects.filter(insurance_type=PolicyType.LIABILITY).update(allowed_sources=["parent", "bureau_ws"])
    refused(FundingFactory.build(policy=policy, source="parent"), "INS-17")


def test_ins18_student_insurance_never_compulsory(county_student_policy):
    county_student_policy.compulsory = True
    refused(county_student_policy, "INS-18")


def test_ins24_coverage_period_order(county_student_policy):
    county_student_policy.coverage_end = dt.date(2023, 12, 31)
    refused(county_student_policy, "INS-24")


def test_ins26_rule_years_order():
    refused(FundingRule(insurance_type="student", from_year=2024, to_year=2022, allowed_sources=["parent"]), "INS-26")


# Policy existence and workflow ------------------------------------------------


def test_ins20_policy_of_another_school(year, insurer, school_a, school_b):
    policy_b = PolicyFactory(year=year, insurer=insurer, school=school_b)
    error = refused(ClaimFactory.build(policy=policy_b, school=school_a, year=year), "INS-20")
    assert school_a.name in str(error)


def test_ins20_find_policy_prefers_school_then_county(year, insurer, school_a, school_b, county_student_policy):
    day = dt.date(2024, 5, 1)
    assert services.find_policy(school=school_a, policy_type="student", incident_date=day) == county_student_policy
    own = PolicyFactory(year=year, insurer=insurer, school=school_a)
    assert services.find_policy(school=school_a, policy_type="student", incident_date=day) == own
    assert services.find_policy(school=school_b, policy_type="student", incident_date=day) == county_student_policy
    assert services.find_policy(school=school_a, policy_type="liability", incident_date=day) is None
    assert services.find_policy(school=school_a, policy_type="student", incident_date=dt.date(2025, 1, 1)) is None


def test_ins21_reject_needs_reason(claim_a, clerk):
    with pytest.raises(ValidationError) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status="rejected", reason="  ")
    assert "INS-21" in rule_codes(info.value)


def test_ins22_paid_status_needs_amount(county_student_policy, school_a):
    refused(paid_claim(county_student_policy, school_a, paid_amount=None), "INS-22")


def test_ins23_documents_before_complete(claim_a, clerk):
    with pytest.raises(ValidationError) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status="docs_complete")
    assert "INS-23" in rule_codes(info.value)
    assert "医疗费发票原件" in str(info.value)
    complete_documents(claim_a)
    assert services.claim_advance(user=clerk, claim=claim_a, to_status="docs_complete").status == "docs_complete"


def test_ins27_illegal_transition(claim_a, clerk):
    with pytest.raises(ValidationError) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status="paid", paid_amount=Decimal("1"))
    assert "INS-27" in rule_codes(info.value)


def test_every_ins_rule_is_registered_in_chinese():
    ins = {code: r for code, r in core_rules.RULES.items() if code.startswith("INS-")}
    assert len(ins) == 26  # INS-14 moved to the counts form (WS rule), where the counts are entered
    assert all(r.module == "insurance" for r in ins.values())
    assert ins["INS-15"].year_check is not None
