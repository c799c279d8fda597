"""The county summary reports labor-education coverage from the app's one count, and says
nothing when no school recorded it."""

import pytest
from django.urls import reverse

from labor_education.selectors import coverage
from reports.figures import compute
from tests.labor_education.factories import LaborEducationFactory


@pytest.mark.django_db
def test_the_summary_prints_the_coverage(school_a, school_b, year, submission_a, submission_b, director_client):
    assert compute(2024).data["labor_education"] is None
    assert "劳动教育方面" not in director_client.get(reverse("reports:summary", args=[2024])).content.decode()

    LaborEducationFactory(school=school_a, year=year, students_taking_part=300)
    LaborEducationFactory(school=school_b, year=year, labor_week_held=False, labor_week_days=0, students_taking_part=120)
    data = compute(2024).data["labor_education"]
    assert data == coverage(2024) and (data["schools"], data["all_ok"], data["labor_week"]) == (2, 1, 1)
    page = director_client.get(reverse("reports:summary", args=[2024])).content.decode()
    assert "劳动教育方面，2所学校登记了本年度劳动教育情况" in page
    assert "三项均达到《大中小学劳动教育指导纲要》要求的1所" in page and "学生共420人" in page
