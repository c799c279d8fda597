"""Factories of the labor-education app."""

from decimal import Decimal

import factory

from labor_education.models import LaborEducation
from tests.factories import ReportingYearFactory, SchoolFactory


class LaborEducationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LaborEducation
        django_get_or_create = ("school", "year")

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(ReportingYearFactory)
    class_periods_per_week = Decimal("1")
    out_of_class_hours_per_week = Decimal("2")
    labor_week_held = True
    labor_week_days = 5
    students_taking_part = 300
