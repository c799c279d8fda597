"""A locked year's list pages show the names and addresses of its lock: renaming a base
or a school in 2024 does not change what locked 2023 shows; 2024 shows the new name."""

import pytest
from django.urls import reverse
from django.utils import timezone

from labor_bases.models import ProductionLine
from tests.factories import ReportingYearFactory, SubmissionFactory
from tests.labor_bases.factories import LaborBaseFactory
from workstudy.models import ReportingYear


@pytest.mark.django_db
def test_renaming_after_the_lock_leaves_the_locked_year_as_it_was(director_client, school_a, year):
    old = ReportingYearFactory(year=2023)
    submission = SubmissionFactory(school=school_a, year=old)
    base = LaborBaseFactory(school=school_a, name="老茶园基地", location="樟坪村")
    for y in (old, year):
        ProductionLine.objects.create(base=base, year=y, product="茶叶", quantity=10, unit="kg", unit_price=5)
    school_name = school_a.name
    ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.LOCKED, locked_at=timezone.now())

    base.name, base.location = "新茶园基地", "新村"
    base.save()
    school_a.name = "改名后的学校"
    school_a.save()

    locked = director_client.get(reverse("labor_bases:lines") + "?year=2023").content.decode()
    assert "老茶园基地" in locked and "新茶园基地" not in locked
    assert school_name in locked and "改名后的学校" not in locked
    bases = director_client.get(reverse("labor_bases:bases") + "?year=2023").content.decode()
    assert "老茶园基地" in bases and "樟坪村" in bases and "新村" not in bases

    county = director_client.get(reverse("labor_bases:index") + "?year=2023").content.decode()
    assert school_name in county
    # only the school picker (a choice among today's schools) may offer today's name
    assert all("<option" in line for line in county.splitlines() if "改名后的学校" in line)
    sheet = director_client.get(reverse("labor_bases:index") + f"?year=2023&school={school_a.pk}").content.decode()
    assert school_name in sheet and "老茶园基地" in sheet and "新茶园基地" not in sheet
    grid = director_client.get(reverse("dashboard") + "?year=2023").content.decode()
    assert school_name in grid and "改名后的学校" not in grid
    review = director_client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert school_name in review and "改名后的学校" not in review

    current = director_client.get(reverse("labor_bases:lines") + "?year=2024").content.decode()
    assert "新茶园基地" in current and "老茶园基地" not in current
    assert "改名后的学校" in current
    base.refresh_from_db()
    assert base.name == "新茶园基地", "the page changed nothing stored"


@pytest.mark.django_db
def test_a_locked_years_export_keeps_the_names_of_its_lock(director_client, school_a, year):
    import io

    from openpyxl import load_workbook

    old = ReportingYearFactory(year=2023)
    SubmissionFactory(school=school_a, year=old)
    base = LaborBaseFactory(school=school_a, name="老茶园基地")
    for y in (old, year):
        ProductionLine.objects.create(base=base, year=y, product="茶叶", quantity=10, unit="kg", unit_price=5)
    ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.LOCKED, locked_at=timezone.now())
    base.name = "新茶园基地"
    base.save()

    def exported(y):
        response = director_client.get(reverse("excel:export", args=["labor_production"]) + f"?year={y}")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        return str(list(load_workbook(io.BytesIO(content)).worksheets[0].values))

    assert "老茶园基地" in exported(2023) and "新茶园基地" not in exported(2023)
    assert "新茶园基地" in exported(2024)
