"""Factories for every model, in one place. Apps append theirs below their heading."""

import io

import factory
from django.contrib.auth import get_user_model
from openpyxl import Workbook

from workstudy.models import Region, ReportingYear, Role, School, Submission


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"测试学校{n:04d}")
    county = factory.LazyFunction(Region.default_county)
    township = "雄石街道"
    kind = "junior"
    area_class = "rural"
    has_dormitory = True
    has_canteen = True


class ReportingYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingYear
        django_get_or_create = ("year",)

    year = 2024


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission
        django_get_or_create = ("school", "year")

    school = factory.SubFactory(SchoolFactory)
    year = factory.SubFactory(ReportingYearFactory)
    staff_count = 30
    student_count = 400
    poor_student_count = 20


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.STAFF
    is_staff = factory.LazyAttribute(lambda o: o.role == Role.STAFF)
    # Bureau users belong to the default county unless a test says otherwise; principals to none.
    region = factory.LazyAttribute(lambda o: None if o.role == Role.PRINCIPAL else Region.default_county())
    password = factory.PostGenerationMethodCall("set_password", "test-pass-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def xlsx_upload(headers, rows):
    """An uploaded .xlsx of one sheet: ``headers`` then ``rows``, named data.xlsx."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "data.xlsx"
    return buffer
