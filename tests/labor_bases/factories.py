from decimal import Decimal

import factory

from labor_bases.models import BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from tests.factories import ReportingYearFactory, SchoolFactory


class LaborBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaborBase
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"劳动基地{n}")
    location = "某村"
    established_year = 2010
    declared_total_mu = None


class LandParcelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LandParcel

    base = factory.SubFactory(LaborBaseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    land_type = "tea"
    crop = "茶"
    area_mu = Decimal("12.00")


class ProductionLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductionLine

    base = factory.SubFactory(LaborBaseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    product = "茶叶"
    grade = "一级嫩茶"
    quantity = Decimal("120")
    unit = "kg"
    unit_price = Decimal("300")


class BaseYearFinanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseYearFinance

    base = factory.SubFactory(LaborBaseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    labor_cost = Decimal("12000")
    fertilizer_cost = Decimal("6000")
    seedling_cost = Decimal("2000")
    equipment_cost = Decimal("4000")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StudentPracticeActivity

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(ReportingYearFactory)
    activity = "采茶"
    participants = 160
    days = 6
