"""The review screen shows the school's labor education beside last year's, linked to its record."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import ReportingYearFactory
from tests.labor_education.factories import LaborEducationFactory


@pytest.mark.django_db
def test_labor_education_beside_last_year_on_the_review_screen(year, school_a, submission_a, base_a,
                                                               director_client, principal_a_client):
    last = ReportingYearFactory(year=year.year - 1)
    LaborEducationFactory(school=school_a, year=last, class_periods_per_week=Decimal("1"),
                          out_of_class_hours_per_week=Decimal("2"), labor_week_days=4, students_taking_part=200)
    now = LaborEducationFactory(school=school_a, year=year, class_periods_per_week=Decimal("1.5"),
                                out_of_class_hours_per_week=Decimal("3"), labor_week_days=5, students_taking_part=250)
    now.bases_used.add(base_a)
    url = reverse("submission_detail", args=[submission_a.pk])
    for client in (director_client, principal_a_client):
        response = client.get(url)
        assert response.status_code == 200
        block = next(m for m in response.context["figures"] if m["module"].key == "labor_education")
        rows = {row["label"]: row for row in block["rows"]}
        assert rows["劳动教育课（课时/周）"]["value"] == "1.50" and rows["劳动教育课（课时/周）"]["last"] == "1"
        assert rows["劳动教育课（课时/周）"]["pct"] == Decimal("50.0")
        assert rows["课外劳动（小时/周）"]["change"] == "+1"
        assert rows["劳动周天数"]["value"] == "5" and rows["劳动周天数"]["last"] == "4"
        assert rows["参与学生"]["change"] == "+50"
        assert rows["使用的劳动实践基地"]["value"] == "1" and rows["使用的劳动实践基地"]["last"] == "0"
        record_url = reverse("labor_education:index") + f"?year={year.year}&school={school_a.pk}"
        assert all(row["url"] == record_url for row in rows.values())
        assert block["url"] == record_url
        assert record_url.replace("&", "&amp;") in response.content.decode()


@pytest.mark.django_db
def test_a_school_without_a_record_shows_empty_figures(year, school_a, submission_a, director_client):
    response = director_client.get(reverse("submission_detail", args=[submission_a.pk]))
    block = next(m for m in response.context["figures"] if m["module"].key == "labor_education")
    assert block["rows"] and all(row["empty"] for row in block["rows"])
