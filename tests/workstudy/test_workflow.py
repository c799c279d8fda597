"""The yearly workflow: legal and illegal transitions, locking, reopening, and what each
role may do through the pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from workstudy import scoping, services
from workstudy.models import ConcurrentEditError, ReportingYear, Submission, SubmissionStatus, WorkflowEvent

S = SubmissionStatus


def test_submit_approve_lock_reopen_happy_path(submission_a, principal_a, director):
    services.submission_submit(user=principal_a, submission=submission_a)
    submission_a.refresh_from_db()
    assert submission_a.status == S.SUBMITTED and submission_a.submitted_by == principal_a
    services.submission_approve(user=director, submission=submission_a)
    assert Submission.objects.get(pk=submission_a.pk).status == S.APPROVED
    year = services.year_lock(user=director, year=submission_a.year)
    assert year.is_locked and year.locked_by == director and year.data_version == 2
    reopened = services.year_reopen(user=director, year=year, reason="补录一笔理赔")
    assert not reopened.is_locked and reopened.data_version == 3
    actions = list(WorkflowEvent.objects.order_by("id").values_list("action", "reason"))
    assert actions == [("submit", ""), ("approve", ""), ("lock", ""), ("reopen", "补录一笔理赔")]


def test_return_needs_reason_and_reopens_editing(submission_a, principal_a, director):
    services.submission_submit(user=principal_a, submission=submission_a)
    with pytest.raises(ValidationError, match="原因"):
        services.submission_return(user=director, submission=submission_a, reason="  ")
    services.submission_return(user=director, submission=submission_a, reason="学生人数有误")
    submission_a.refresh_from_db()
    assert submission_a.status == S.RETURNED and submission_a.returned_reason == "学生人数有误"
    assert scoping.write_block_reason(principal_a, school=submission_a.school, year=submission_a.year) is None
    services.submission_submit(user=principal_a, submission=submission_a)
    assert Submission.objects.get(pk=submission_a.pk).returned_reason == ""


@pytest.mark.parametrize("start, action", [
    (S.DRAFT, "approve"), (S.DRAFT, "return"), (S.APPROVED, "approve"), (S.SUBMITTED, "submit"), (S.APPROVED, "submit"),
])
def test_illegal_transitions_are_refused(submission_a, principal_a, director, start, action):
    Submission.objects.filter(pk=submission_a.pk).update(status=start)
    submission_a.refresh_from_db()
    with pytest.raises(ValidationError, match="不能执行"):
        if action == "approve":
            services.submission_approve(user=director, submission=submission_a)
        elif action == "return":
            services.submission_return(user=director, submission=submission_a, reason="x")
        else:
            services.submission_submit(user=director, submission=submission_a)
    assert Submission.objects.get(pk=submission_a.pk).status == start
    assert not WorkflowEvent.objects.exists()


def test_only_director_approves_locks_reopens(submission_a, clerk, principal_a, auditor):
    services.submission_submit(user=principal_a, submission=submission_a)
    for user in (clerk, principal_a, auditor):
        with pytest.raises(PermissionDenied):
            services.submission_approve(user=user, submission=submission_a)
        with pytest.raises(PermissionDenied):
            services.year_lock(user=user, year=submission_a.year)
    with pytest.raises(PermissionDenied):
        services.submission_submit(user=auditor, submission=submission_a)


def test_principal_cannot_submit_other_school(submission_b, principal_a):
    with pytest.raises(PermissionDenied):
        services.submission_submit(user=principal_a, submission=submission_b)


def test_submit_requires_counts(submission_a, principal_a):
    Submission.objects.filter(pk=submission_a.pk).update(staff_count=None)
    submission_a.refresh_from_db()
    with pytest.raises(ValidationError, match="教职工人数"):
        services.submission_submit(user=principal_a, submission=submission_a)


def test_lock_refused_while_schools_pending_and_names_them(submission_a, submission_b, director):
    Submission.objects.filter(pk=submission_a.pk).update(status=S.APPROVED)
    with pytest.raises(ValidationError) as info:
        services.year_lock(user=director, year=submission_a.year)
    assert "1 所学校" in str(info.value) and submission_b.school.name in str(info.value)
    assert not ReportingYear.objects.get(pk=2024).is_locked


def test_locked_year_blocks_every_write_with_reason(submission_a, principal_a, director):
    Submission.objects.filter(pk=submission_a.pk).update(status=S.APPROVED)
    services.year_lock(user=director, year=submission_a.year)
    reason = scoping.write_block_reason(director, school=submission_a.school, year=2024)
    assert "2024 年度已于" in reason and "锁定" in reason and "王主任" in reason
    assert scoping.write_block_reason(principal_a, school=submission_a.school, year=2024) == reason
    assert not scoping.editable(director, Submission).exists()
    with pytest.raises(PermissionDenied):
        services.submission_return(user=director, submission=submission_a, reason="改")
    with pytest.raises(ValidationError, match="已经锁定"):
        services.year_lock(user=director, year=ReportingYear.objects.get(pk=2024))


def test_reopen_requires_reason(submission_a, director):
    Submission.objects.filter(pk=submission_a.pk).update(status=S.APPROVED)
    year = services.year_lock(user=director, year=submission_a.year)
    with pytest.raises(ValidationError):
        services.year_reopen(user=director, year=year, reason="")
    assert ReportingYear.objects.get(pk=2024).is_locked


def test_stale_version_is_refused(submission_a):
    first = Submission.objects.get(pk=submission_a.pk)
    second = Submission.objects.get(pk=submission_a.pk)
    first.staff_count = 40
    first.save()
    second.staff_count = 50
    with pytest.raises(ConcurrentEditError):
        second.save()
    assert Submission.objects.get(pk=submission_a.pk).staff_count == 40


def test_year_create_opens_submissions_for_active_schools(director, school_a, school_b):
    services.year_create(user=director, year=2025)
    assert Submission.objects.filter(year_id=2025).count() == 2
    with pytest.raises(ValidationError):  # opening it again is refused
        services.year_create(user=director, year=2025)
    assert Submission.objects.filter(year_id=2025).count() == 2


# Through the pages ---------------------------------------------------------


def test_principal_fills_counts_and_submits_through_pages(principal_a_client, submission_a):
    url = reverse("my_counts") + "?year=2024"
    response = principal_a_client.post(url, {"staff_count": 13, "student_count": 100, "poor_student_count": 120,
                                             "row_version": submission_a.version})
    assert response.status_code == 400
    assert "贫困家庭学生人数（120）不能超过学生人数（100）" in response.content.decode()
    response = principal_a_client.post(url, {"staff_count": 13, "student_count": 100, "poor_student_count": 9,
                                             "row_version": submission_a.version})
    assert response.status_code == 302
    response = principal_a_client.post(reverse("submission_action", args=[submission_a.pk, "submit"]))
    assert Submission.objects.get(pk=submission_a.pk).status == S.SUBMITTED
    page = principal_a_client.get(reverse("dashboard") + "?year=2024").content.decode()
    assert "已上报" in page and "确认无误，上报" not in page


def test_staff_returns_with_reason_principal_sees_it(director_client, principal_a_client, submission_a, principal_a):
    services.submission_submit(user=principal_a, submission=submission_a)
    director_client.post(reverse("submission_action", args=[submission_a.pk, "return"]), {"reason": "请核对学生人数"})
    assert Submission.objects.get(pk=submission_a.pk).status == S.RETURNED
    page = principal_a_client.get(reverse("dashboard") + "?year=2024").content.decode()
    assert "请核对学生人数" in page


def test_counts_form_stale_edit_gets_message(director_client, submission_a):
    url = reverse("school_counts", args=[submission_a.school_id]) + "?year=2024"
    stale = submission_a.version
    director_client.post(url, {"staff_count": 31, "student_count": 400, "row_version": stale})
    response = director_client.post(url, {"staff_count": 99, "student_count": 400, "row_version": stale})
    assert response.status_code == 400
    assert "已被他人修改" in response.content.decode()
    assert Submission.objects.get(pk=submission_a.pk).staff_count == 31


def test_staff_grid_filters_and_counts(director_client, submission_a, submission_b):
    Submission.objects.filter(pk=submission_b.pk).update(status=S.SUBMITTED)
    page = director_client.get(reverse("dashboard") + "?year=2024&status=submitted").content.decode()
    assert submission_b.school.name in page and submission_a.school.name not in page


def test_locked_year_page_shows_reason_not_form(principal_a_client, submission_a, director):
    Submission.objects.filter(pk=submission_a.pk).update(status=S.APPROVED)
    services.year_lock(user=director, year=submission_a.year)
    page = principal_a_client.get(reverse("my_counts") + "?year=2024").content.decode()
    assert "已于" in page and "锁定" in page and 'type="submit" class="primary"' not in page


def test_nav_items_all_resolve():
    from workstudy import modules

    for role in ("staff", "principal", "auditor"):
        for item in modules.nav_for(type("U", (), {"role": role})()):
            reverse(item.url_name)
