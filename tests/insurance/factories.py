"""Factories for the insurance app."""

import datetime as dt
from decimal import Decimal

import factory

from insurance.models import (
    Claim,
    ClaimantKind,
    ClaimDocument,
    ClaimStatus,
    FundingRule,
    FundingSource,
    IncidentKind,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
)
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from workstudy.models import Region


class InsurerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Insurer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试保险公司{n}")
    role = Insurer.Role.INSURER
    county = factory.LazyFunction(Region.default_county)


class BrokerFactory(InsurerFactory):
    name = "北京联合经纪有限公司江西分公司"
    role = Insurer.Role.BROKER
    entrusted_from_year = 2021
    service_fee = Decimal("0.00")


class FundingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundingRule

    insurance_type = PolicyType.STUDENT
    county = factory.LazyFunction(Region.default_county)
    from_year = 2021
    allowed_sources = factory.LazyAttribute(
        lambda o: {
            PolicyType.PROPERTY: [FundingSource.CITY.value],
            PolicyType.LIABILITY: [FundingSource.BUREAU_WORKSTUDY.value, FundingSource.SCHOOL_WORKSTUDY.value],
            PolicyType.STUDENT: [
                FundingSource.PARENT.value, FundingSource.INSURER_FREE.value, FundingSource.SCHOOL_ADVANCE.value,
            ],
        }[o.insurance_type]
    )


class PolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InsurancePolicy

    year = factory.SubFactory(ReportingYearFactory)
    policy_no = factory.Sequence(lambda n: f"POL{n:06d}")
    policy_type = PolicyType.STUDENT
    insurer = factory.SubFactory(InsurerFactory)
    school = None
    county = factory.LazyAttribute(lambda o: o.school.county if o.school else Region.default_county())
    coverage_start = factory.LazyAttribute(lambda o: dt.date(o.year.year, 1, 1))
    coverage_end = factory.LazyAttribute(lambda o: dt.date(o.year.year, 12, 31))
    per_person_limit = Decimal("20000.00")
    per_accident_limit = Decimal("100000.00")
    aggregate_limit = Decimal("500000.00")
    premium_total = Decimal("1000.00")


class FundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PremiumFunding

    policy = factory.SubFactory(PolicyFactory)
    source = FundingSource.PARENT
    amount = Decimal("1000.00")
    persons = 20


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentAccidentCoverage

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(ReportingYearFactory)
    insured_parent_paid = 300
    poor_free_by_insurer = 12
    poor_advanced_by_school = 8
    advance_amount = Decimal("400.00")
    voluntary_consent_recorded = True
    # Not fields of the coverage: the school's yearly counts, written into its Submission
    # for the year (created if missing) — the coverage reads them from there.
    enrolled = 400
    poor_students = 20

    @classmethod
    def _counts(cls, kwargs):
        enrolled, poor = kwargs.pop("enrolled", None), kwargs.pop("poor_students", None)
        school, year = kwargs.get("school"), kwargs.get("year")
        if school is not None and year is not None and school.pk and (enrolled is not None or poor is not None):
            sub = SubmissionFactory(school=school, year=year)
            changes = {k: v for k, v in (("student_count", enrolled), ("poor_student_count", poor)) if v is not None}
            type(sub).objects.filter(pk=sub.pk).update(**changes)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        cls._counts(kwargs)
        return super()._create(model_class, *args, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        cls._counts(kwargs)
        return super()._build(model_class, *args, **kwargs)


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    school = factory.SubFactory(SchoolFactory)
    policy = factory.SubFactory(PolicyFactory)
    year = factory.LazyAttribute(lambda o: o.policy.year)
    claimant_kind = ClaimantKind.STUDENT
    injured_name = "张三丰"
    injured_id_number = "362301200801011234"
    incident_date = factory.LazyAttribute(lambda o: dt.date(o.policy.year.year, 3, 5))
    place = "操场"
    incident_kind = IncidentKind.SPORTS
    cause = "体育课摔伤手腕"
    persons = 1
    requested_amount = Decimal("5000.00")
    reported_date = factory.LazyAttribute(lambda o: o.incident_date + dt.timedelta(days=1))
    status = ClaimStatus.REPORTED


class ClaimDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimDocument

    claim = factory.SubFactory(ClaimFactory)
    doc_type = "notice"
    received = True
