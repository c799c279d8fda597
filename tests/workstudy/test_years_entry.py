"""Entry pages offer no locked year; rows that cannot be changed show no
edit or delete links (decided by scoping, the function that refuses the write)."""

import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.factories import ReportingYearFactory
from tests.insurance.factories import CoverageFactory
from workstudy import scoping
from workstudy.models import ReportingYear, Submission, SubmissionStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked_2023(db):
    return ReportingYearFactory(year=2023, status=ReportingYear.Status.LOCKED)


def _year_choices(response, field="year"):
    return [str(value) for value, _label in response.context["form"].fields[field].widget.choices if value != ""]


def test_create_and_edit_forms_offer_only_open_years(director_client, year, locked_2023):
    response = director_client.get(reverse("logistics:figures_create"))
    assert response.status_code == 200
    assert _year_choices(response) == ["2024"]
    html = response.content.decode()
    assert 'value="2023"' not in html


def test_excel_import_offers_only_open_years(director_client, year, locked_2023):
    response = director_client.get(reverse("excel:import", args=["labor_plots"]))
    assert response.status_code == 200
    assert [y.year for y in response.context["years"]] == [2024]
    assert response.context["year"].year == 2024


def test_excel_import_never_defaults_to_an_empty_future_year(director_client, year):
    ReportingYearFactory(year=2099)
    response = director_client.get(reverse("excel:import", args=["labor_plots"]))
    assert response.context["year"].year == 2024


def _render_can_edit(row, user):
    return Template("{% load scoping %}{% if row|can_edit:user %}EDIT{% else %}NO{% endif %}").render(
        Context({"row": row, "user": user})
    )


@pytest.mark.parametrize("status,editable", [
    (SubmissionStatus.DRAFT, True), (SubmissionStatus.RETURNED, True),
    (SubmissionStatus.SUBMITTED, False), (SubmissionStatus.APPROVED, False),
])
def test_can_edit_filter_follows_the_submission_state(principal_a, submission_a, status, editable):
    coverage = CoverageFactory(school=submission_a.school, year=submission_a.year)
    Submission.objects.filter(pk=submission_a.pk).update(status=status)
    assert _render_can_edit(coverage, principal_a) == ("EDIT" if editable else "NO")
    # Exactly what the refusal says.
    assert (scoping.obj_write_block_reason(principal_a, coverage) is None) is editable


def test_can_edit_filter_hides_rows_of_a_locked_year_from_staff(director, submission_a):
    coverage = CoverageFactory(school=submission_a.school, year=submission_a.year)
    assert _render_can_edit(coverage, director) == "EDIT"
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED)
    director = type(director).objects.get(pk=director.pk)  # a new request: a new user object
    coverage = type(coverage).objects.get(pk=coverage.pk)
    assert _render_can_edit(coverage, director) == "NO"


def test_coverage_list_shows_no_edit_link_after_the_school_submitted(principal_a_client, submission_a):
    coverage = CoverageFactory(school=submission_a.school, year=submission_a.year)
    edit = reverse("insurance:coverage_edit", args=[coverage.pk])
    delete = reverse("insurance:coverage_delete", args=[coverage.pk])
    html = principal_a_client.get(reverse("insurance:coverage_list") + "?year=2024").content.decode()
    assert edit in html and delete in html
    Submission.objects.filter(pk=submission_a.pk).update(status=SubmissionStatus.SUBMITTED)
    html = principal_a_client.get(reverse("insurance:coverage_list") + "?year=2024").content.decode()
    assert edit not in html and delete not in html
    # And the write itself is refused by the same rule.
    assert principal_a_client.get(edit).status_code == 403


def test_list_of_many_rows_asks_once_per_school_and_year(principal_a, submission_a, school_b, django_assert_max_num_queries):
    rows = [CoverageFactory(school=submission_a.school, year=submission_a.year) for _ in range(1)]
    rows = list(type(rows[0]).objects.filter(pk__in=[r.pk for r in rows]).select_related("year"))
    rows = rows * 30
    with django_assert_max_num_queries(2):
        out = [_render_can_edit(r, principal_a) for r in rows]
    assert set(out) == {"EDIT"}
