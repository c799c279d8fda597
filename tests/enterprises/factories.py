from decimal import Decimal

import factory

from enterprises.models import (
    Enterprise,
    EnterpriseForm,
    EnterpriseKind,
    EnterpriseStatus,
    EnterpriseYearStat,
    EventKind,
    Ownership,
    ReformEvent,
)
from tests.factories import ReportingYearFactory
from workstudy.models import Region


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试企业{n:03d}")
    kind = EnterpriseKind.UNIFORM
    sponsor_school = None
    county = factory.LazyAttribute(lambda o: o.sponsor_school.county if o.sponsor_school else Region.default_county())
    sponsor_label = "勤工办"
    ownership = Ownership.COLLECTIVE
    industry = "服装"
    founded_year = 1990
    status = EnterpriseStatus.OPERATING
    form = EnterpriseForm.FACTORY


class YearStatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseYearStat

    enterprise = factory.SubFactory(EnterpriseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    revenue = Decimal("100000.00")
    cost = Decimal("80000.00")
    tax = Decimal("3000.00")
    employees = 10
    remitted_to_education = Decimal("5000.00")
    work_study_placements = 4


class ReformEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReformEvent

    enterprise = factory.SubFactory(EnterpriseFactory)
    date = factory.LazyFunction(lambda: __import__("datetime").date(2019, 6, 1))
    kind = EventKind.AUCTION
    amount = Decimal("2360000.00")
