"""Factories of the logistics app."""

from decimal import Decimal

import factory

from logistics.models import (
    CapitalInvestment,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)
from tests.factories import ReportingYearFactory, SchoolFactory
from workstudy.models import Region


class ServiceCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCentre
        django_get_or_create = ("name",)

    name = "测试后勤服务中心"
    county = factory.LazyFunction(Region.default_county)
    founded_year = 2012
    exam_lodging_from_year = 2014


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    centre = factory.SubFactory(ServiceCentreFactory)
    name = factory.Sequence(lambda n: f"测试店面{n}")
    categories = "stationery,sports_equipment,sportswear"
    opened_year = 2012


class CentreYearFiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CentreYearFigures

    centre = factory.SubFactory(ServiceCentreFactory)
    year = factory.SubFactory(ReportingYearFactory)
    vehicles = 1
    deliveries = 100
    cost = Decimal("1000.00")
    remitted_to_education = Decimal("100.00")


class SalesLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesLine

    centre = factory.SubFactory(ServiceCentreFactory)
    year = factory.SubFactory(ReportingYearFactory)
    shop = None
    category = "stationery"
    customer_kind = "school"
    amount = Decimal("1000.00")


class CapitalInvestmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapitalInvestment

    centre = factory.SubFactory(ServiceCentreFactory)
    year = 2016
    kind = "warehouse_store"
    amount = Decimal("128000.00")


class SchoolServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolService

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(ReportingYearFactory)
    kind = "canteen"
    mode = "self_run"


class ExamLodgingProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamLodgingProgram
        django_get_or_create = ("year", "county")

    year = factory.SubFactory(ReportingYearFactory)
    operator = factory.SubFactory(ServiceCentreFactory)
    # One programme per county and year: the operator's county.
    county = factory.LazyAttribute(lambda o: o.operator.county)
    candidates_lodged = 600
    beds = 620
    meals = 3600
    fee_per_candidate = Decimal("250.00")
    revenue = Decimal("150000.00")
    cost = Decimal("120000.00")
    family_cost_before = Decimal("700.00")
    family_cost_after = Decimal("250.00")


class ExamSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExamSite

    program = factory.SubFactory(ExamLodgingProgramFactory)
    host_school = factory.SubFactory(SchoolFactory)
    candidates = 300
    beds = 310
