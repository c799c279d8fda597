from decimal import Decimal

import factory

from labor_bases.models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from tests.factories import ReportingYearFactory, SchoolFactory


class LaborBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaborBase
        django_get_or_create = ("school", "name")

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"劳动基地{n}")
    location = "某村"
    established_year = 2010
    # Not fields of the base: the declared area of ``declared_year`` becomes a BaseYearArea row.
    declared_total_mu = None
    declared_year = 2024

    @classmethod
    def _create(cls, model_class, *args, declared_total_mu=None, declared_year=2024, **kwargs):
        base = super()._create(model_class, *args, **kwargs)
        if declared_total_mu is not None:
            BaseYearAreaFactory(base=base, year=ReportingYearFactory(year=declared_year),
                                declared_total_mu=Decimal(declared_total_mu))
        return base


class BaseYearAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseYearArea
        django_get_or_create = ("base", "year")

    base = factory.SubFactory(LaborBaseFactory)
    year = factory.SubFactory(ReportingYearFactory)
    declared_total_mu = Decimal("12.00")


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
