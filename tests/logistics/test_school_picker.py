"""Logistics with the school picker: the school-services filter, the service and exam-site
forms, and query counts that do not grow with the number of schools."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from logistics.models import ExamSite, SchoolService
from tests.factories import SchoolFactory

pytestmark = pytest.mark.django_db

SERVICES = reverse("logistics:services")


@pytest.fixture
def picker(settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1


def test_service_filter_is_a_text_input_above_the_threshold_and_a_select_below(settings, director_client, service_a):
    settings.SCHOOL_PICKER_THRESHOLD = 1000
    assert '<select name="school"' in director_client.get(SERVICES + "?year=2024").content.decode()
    settings.SCHOOL_PICKER_THRESHOLD = 1
    SchoolFactory(code="X001")
    body = director_client.get(SERVICES + "?year=2024").content.decode()
    assert '<input type="text" name="school"' in body and '<select name="school"' not in body


def test_service_filter_by_typed_school_or_old_id_link(picker, director_client, service_a, service_b, school_b):
    for value in ("乙校SECRETB", "b001", str(school_b.pk)):
        response = director_client.get(SERVICES, {"year": 2024, "school": value})
        assert list(response.context["object_list"]) == [service_b], value


def test_service_filter_bad_input_message_and_no_rows(picker, director_client, service_a, service_b):
    response = director_client.get(SERVICES, {"year": 2024, "school": "校"})  # both names contain 校
    assert list(response.context["object_list"]) == []
    assert "“校”对应多所学校，请输入学校代码或完整校名，或从提示中选择。" in response.content.decode()


def test_principal_has_no_school_filter_and_cannot_use_one_for_another_school(principal_a_client, service_a,
                                                                              service_b, school_b):
    response = principal_a_client.get(SERVICES, {"year": 2024, "school": str(school_b.pk)})
    assert list(response.context["object_list"]) == []
    assert 'name="school"' not in response.content.decode()


@pytest.mark.parametrize("threshold", [1, 1000])
def test_query_count_does_not_grow_with_schools(settings, threshold, director_client, service_a, service_b):
    settings.SCHOOL_PICKER_THRESHOLD = threshold
    urls = [SERVICES + "?year=2024", SERVICES + "?year=2024&school=B001",
            reverse("logistics:service_create") + "?year=2024"]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert director_client.get(url).status_code == 200
            result.append(len(ctx.captured_queries))
        return result

    before = counts()
    for n in range(40):
        SchoolFactory(code=f"P{n:03d}", name=f"新增学校{n}")
    assert counts() == before


def test_staff_creates_service_typing_the_school(picker, director_client, school_a, school_b, year, submission_b):
    data = {"year": 2024, "kind": "shop", "name": "", "mode": "self_run", "operator": ""}
    response = director_client.post(reverse("logistics:service_create"), {**data, "school": "B001 乙校SECRETB"})
    assert response.status_code == 302
    assert SchoolService.objects.get().school == school_b
    response = director_client.post(reverse("logistics:service_create"), {**data, "school": "不存在"})
    assert "未找到学校“不存在”" in response.content.decode()


def test_service_form_offers_only_active_schools(picker, director_client, school_a, school_b, year, submission_b):
    school_b.active = False
    school_b.save()
    SchoolFactory(code="X001")
    data = {"year": 2024, "kind": "shop", "name": "", "mode": "self_run", "operator": "", "school": "B001"}
    response = director_client.post(reverse("logistics:service_create"), data)
    assert response.status_code == 200 and not SchoolService.objects.exists()
    assert "/schools/search/?active=1" in response.content.decode()


def test_exam_site_host_school_typed(picker, director_client, program, school_a, school_b):
    url = reverse("logistics:site_create", args=[program.pk])
    body = director_client.get(url).content.decode()
    assert '<input type="text" name="host_school"' in body and "须有学生公寓和学生食堂" in body
    response = director_client.post(url, {"host_school": "甲校樟坪", "candidates": 10, "beds": 10, "note": ""})
    assert response.status_code == 302
    assert ExamSite.objects.get().host_school == school_a
