"""Pages: entry by principals and staff, another school's record a 404, locked years and
submitted returns refused by the scoping rule, bases offered and checked per school."""

from django.urls import reverse
from django.utils import timezone

from labor_education.models import LaborEducation
from tests.labor_education.factories import LaborEducationFactory
from workstudy.models import ReportingYear, Submission, SubmissionStatus

INDEX = reverse("labor_education:index")
CREATE = reverse("labor_education:create")


def _data(**values):
    data = {"class_periods_per_week": "1", "out_of_class_hours_per_week": "2.5", "labor_week_held": "on",
            "labor_week_days": 5, "students_taking_part": 380, "note": ""}
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def _lock(year, by):
    ReportingYear.objects.filter(pk=year.pk).update(status="locked", locked_by=by, locked_at=timezone.now())


def test_principal_fills_in_own_record_with_own_base(principal_a_client, school_a, year, submission_a, base_a, base_b):
    page = principal_a_client.get(CREATE + "?year=2024").content.decode()
    assert base_a.name in page and base_b.name not in page and 'name="school"' not in page
    response = principal_a_client.post(CREATE, _data(year=2024, bases_used=[base_a.pk]))
    assert response.status_code == 302, response.context["form"].errors
    record = LaborEducation.objects.get()
    assert record.school == school_a and list(record.bases_used.all()) == [base_a]
    body = principal_a_client.get(INDEX + "?year=2024").content.decode()
    assert base_a.name in body and reverse("history", args=["labor_education", "laboreducation", record.pk]) in body
    assert CREATE not in body  # one record a year: no second "fill in" button


def test_principal_cannot_pick_another_schools_base(principal_a_client, year, submission_a, base_b):
    response = principal_a_client.post(CREATE, _data(year=2024, bases_used=[base_b.pk]))
    assert response.status_code == 200 and not LaborEducation.objects.exists()
    assert base_b.name not in response.content.decode()


def test_staff_base_of_another_school_refused_by_the_rule(director_client, school_a, year, submission_a, base_b):
    response = director_client.post(CREATE, _data(school=school_a.pk, year=2024, bases_used=[base_b.pk]))
    assert response.status_code == 200 and not LaborEducation.objects.exists()
    assert "不属于" in " ".join(response.context["form"].errors["bases_used"])


def test_students_over_enrolment_refused_on_the_page(principal_a_client, year, submission_a):
    response = principal_a_client.post(CREATE, _data(year=2024, students_taking_part=401))
    assert response.status_code == 200 and not LaborEducation.objects.exists()
    assert "不能超过本校 2024 年度学生人数（400 人）" in response.content.decode()


def test_second_record_of_a_year_refused_not_a_500(principal_a_client, record_a):
    response = principal_a_client.post(CREATE, _data(year=2024))
    assert response.status_code == 200 and LaborEducation.objects.count() == 1
    assert "已经填写了劳动教育情况" in response.content.decode()


def test_principal_b_cannot_see_or_change_a_record_of_a(principal_b_client, record_a, school_a):
    for name in ("labor_education:edit", "labor_education:delete"):
        assert principal_b_client.get(reverse(name, args=[record_a.pk])).status_code == 404
        assert principal_b_client.post(reverse(name, args=[record_a.pk]), _data()).status_code == 404
    body = principal_b_client.get(INDEX + "?year=2024").content.decode()
    assert school_a.name not in body
    assert list(principal_b_client.get(INDEX + f"?year=2024&school={school_a.pk}").context["object_list"]) == []
    assert LaborEducation.objects.get().students_taking_part == 300


def test_staff_list_filters_by_school(director_client, record_a, record_b, school_a, school_b):
    rows = director_client.get(INDEX + "?year=2024").context["object_list"]
    assert {r.school_id for r in rows} == {school_a.pk, school_b.pk}
    rows = director_client.get(INDEX + f"?year=2024&school={school_b.pk}").context["object_list"]
    assert [r.school_id for r in rows] == [school_b.pk]


def test_staff_edits_and_deletes(director_client, record_b):
    url = reverse("labor_education:edit", args=[record_b.pk])
    response = director_client.post(url, _data(class_periods_per_week="1.5", row_version=record_b.version))
    assert response.status_code == 302
    record_b.refresh_from_db()
    assert str(record_b.class_periods_per_week) == "1.50" and record_b.history.count() == 2
    assert director_client.post(reverse("labor_education:delete", args=[record_b.pk])).status_code == 302
    assert not LaborEducation.objects.exists()


def test_auditor_reads_only(auditor_client, record_b):
    assert auditor_client.get(INDEX + "?year=2024").status_code == 200
    assert auditor_client.get(reverse("labor_education:edit", args=[record_b.pk])).status_code == 403
    assert auditor_client.get(CREATE).status_code == 403


def test_locked_year_refused(director, director_client, principal_a_client, record_a, record_b, year):
    _lock(year, director)
    response = director_client.post(reverse("labor_education:edit", args=[record_b.pk]),
                                    _data(row_version=record_b.version))
    assert response.status_code == 403 and "锁定" in response.content.decode()
    response = principal_a_client.get(reverse("labor_education:edit", args=[record_a.pk]))
    assert response.status_code == 403
    LaborEducation.objects.filter(pk=record_b.pk).delete()
    response = director_client.post(CREATE, _data(school=record_b.school_id, year=2024))
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert LaborEducation.objects.count() == 1


def test_submitted_return_refuses_principal_but_not_staff(principal_a_client, director_client, record_a):
    Submission.objects.filter(pk=record_a.school.submissions.get().pk).update(status=SubmissionStatus.SUBMITTED)
    response = principal_a_client.post(reverse("labor_education:edit", args=[record_a.pk]),
                                       _data(row_version=record_a.version))
    assert response.status_code == 403 and "已上报" in response.content.decode()
    response = director_client.post(reverse("labor_education:edit", args=[record_a.pk]),
                                    _data(students_taking_part=10, row_version=record_a.version))
    assert response.status_code == 302


def test_module_and_menu_registered(principal_a_client, record_a):
    from workstudy import modules

    module = {m.key: m for m in modules.all_modules()}["labor_education"]
    assert module.order == 25 and module.counts(2024) == {record_a.school_id: 1}
    assert module.counts(2024, [record_a.school_id + 1000]) == {}
    page = principal_a_client.get(reverse("dashboard")).content.decode()
    assert INDEX in page


def test_staff_base_choices_follow_the_chosen_school(director_client, school_a, year, base_a, base_b):
    page = director_client.get(CREATE + f"?year=2024&school={school_a.pk}").content.decode()
    assert base_a.name in page and base_b.name not in page
    record = LaborEducationFactory(school=base_b.school, year=year)
    page = director_client.get(reverse("labor_education:edit", args=[record.pk])).content.decode()
    assert base_b.name in page and base_a.name not in page


def test_history_page_is_scoped(principal_a_client, principal_b_client, record_a):
    url = reverse("history", args=["labor_education", "laboreducation", record_a.pk])
    response = principal_a_client.get(url)
    assert response.status_code == 200 and "劳动教育" in response.content.decode()
    assert principal_b_client.get(url).status_code == 404
