"""REST API: scoped reads, the same rules as forms, staff-only bureau writes, stale versions."""

from decimal import Decimal

from django.utils import timezone

from logistics.models import ExamSite, SchoolService
from tests.factories import SchoolFactory
from workstudy.models import ReportingYear

API = "/api/logistics"


def test_principal_lists_only_own_services(principal_a_client, service_a, service_b):
    data = principal_a_client.get(f"{API}/school-services/?year=2024").json()
    assert [row["id"] for row in data["results"]] == [service_a.pk]
    assert principal_a_client.get(f"{API}/school-services/{service_b.pk}/").status_code == 404


def test_school_filter(director_client, service_a, service_b, school_b):
    data = director_client.get(f"{API}/school-services/?school={school_b.pk}").json()
    assert [row["id"] for row in data["results"]] == [service_b.pk]
    assert data["results"][0]["school_name"] == school_b.name


def test_api_enforces_rules(director_client, program):
    school = SchoolFactory(name="无宿舍学校", has_dormitory=False)
    response = director_client.post(f"{API}/exam-sites/", {
        "program": program.pk, "host_school": school.pk, "candidates": 10, "beds": 5,
    }, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "无宿舍学校没有学生公寓" in body["host_school"][0]
    assert "一人一床" in body["beds"][0]
    assert not ExamSite.objects.exists()


def test_principal_cannot_write_exam_sites_or_bureau_rows(principal_a_client, program, school_a, centre):
    response = principal_a_client.post(f"{API}/exam-sites/", {
        "program": program.pk, "host_school": school_a.pk, "candidates": 10, "beds": 10,
    }, content_type="application/json")
    assert response.status_code == 403
    assert principal_a_client.get(f"{API}/sales/").status_code == 403


def test_principal_creates_service_for_own_school_not_other(principal_a_client, school_a, school_b, year, submission_a):
    ok = principal_a_client.post(f"{API}/school-services/", {
        "school": school_a.pk, "year": 2024, "kind": "canteen", "mode": "self_run",
    }, content_type="application/json")
    assert ok.status_code == 201
    refused = principal_a_client.post(f"{API}/school-services/", {
        "school": school_b.pk, "year": 2024, "kind": "canteen", "mode": "self_run",
    }, content_type="application/json")
    assert refused.status_code == 403 and "本校" in refused.json()["detail"]
    assert list(SchoolService.objects.values_list("school_id", flat=True)) == [school_a.pk]


def test_stale_version_refused_by_api(director_client, service_b):
    stale = service_b.version
    SchoolService.objects.get(pk=service_b.pk).save()
    response = director_client.patch(f"{API}/school-services/{service_b.pk}/", {
        "operator": "新承包人", "version": stale,
    }, content_type="application/json")
    assert response.status_code == 400
    assert "已被他人修改" in response.json()["version"][0]


def test_locked_year_refused_by_api(director, director_client, service_b, year):
    ReportingYear.objects.filter(pk=year.pk).update(status="locked", locked_by=director, locked_at=timezone.now())
    response = director_client.patch(f"{API}/school-services/{service_b.pk}/", {
        "operator": "新承包人", "version": service_b.version,
    }, content_type="application/json")
    assert response.status_code == 403 and "锁定" in response.json()["detail"]


def test_figures_api_reports_computed_revenue(director_client, year, centre):
    from tests.logistics.factories import CentreYearFiguresFactory, SalesLineFactory

    figures = CentreYearFiguresFactory(centre=centre, year=year, cost=Decimal("100.00"))
    SalesLineFactory(centre=centre, year=year, amount=Decimal("250.50"))
    data = director_client.get(f"{API}/figures/{figures.pk}/").json()
    assert data["revenue"] == "250.50" and data["profit"] == "150.50"


def test_auditor_reads_api_but_cannot_write(auditor_client, service_b, centre):
    assert auditor_client.get(f"{API}/centres/").status_code == 200
    assert auditor_client.patch(f"{API}/school-services/{service_b.pk}/", {"operator": "x"},
                                content_type="application/json").status_code == 403
