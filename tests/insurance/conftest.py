from decimal import Decimal

import pytest

from insurance.models import REQUIRED_DOCUMENTS, PolicyType
from tests.insurance.factories import (
    BrokerFactory,
    ClaimDocumentFactory,
    ClaimFactory,
    FundingRuleFactory,
    InsurerFactory,
    PolicyFactory,
)


@pytest.fixture
def rules(db):
    return {t: FundingRuleFactory(insurance_type=t) for t in PolicyType.values}


@pytest.fixture
def insurer(db):
    return InsurerFactory(name="人保财险贵溪支公司")


@pytest.fixture
def broker(db):
    return BrokerFactory()


@pytest.fixture
def county_student_policy(year, insurer, broker):
    """County-wide 学平险 for 2024 (school empty)."""
    return PolicyFactory(year=year, insurer=insurer, broker=broker, policy_no="XPX2024-0001")


@pytest.fixture
def county_property_policy(year, insurer):
    return PolicyFactory(
        year=year, insurer=insurer, policy_type=PolicyType.PROPERTY, policy_no="PCX2024-0001",
        sum_insured=Decimal("100000.00"), per_person_limit=None, per_accident_limit=Decimal("80000.00"),
        aggregate_limit=None,
    )


@pytest.fixture
def claim_a(school_a, county_student_policy, submission_a):
    return ClaimFactory(school=school_a, policy=county_student_policy)


@pytest.fixture
def claim_b(school_b, county_student_policy, submission_b):
    return ClaimFactory(school=school_b, policy=county_student_policy, injured_name="李四", cause="乙校SECRETB案件")


def complete_documents(claim):
    for doc_type in REQUIRED_DOCUMENTS[claim.claimant_kind]:
        ClaimDocumentFactory(claim=claim, doc_type=doc_type, received=True)
    return claim
