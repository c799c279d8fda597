"""Chasing the year: its deadline (set on the 年度 page, counted down on the dashboards), the
grid ordered by what needs the bureau, bulk approval, 催报 and return notices (kept and
e-mailed), and the lock that says why it cannot lock before anyone presses it."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from workstudy import rules, services
from workstudy.models import Reminder, ReportingYear, Role, Submission, WorkflowEvent

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _set_status(submission, status, *, submitted_days_ago=None, reviewed_days_ago=None):
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        status=status,
        submitted_at=now - datetime.timedelta(days=submitted_days_ago) if submitted_days_ago is not None else None,
        reviewed_at=now - datetime.timedelta(days=reviewed_days_ago) if reviewed_days_ago is not None else None,
    )


# Deadline --------------------------------------------------------------------------------


def test_director_sets_the_deadline_and_principal_sees_days_left(director_client, principal_a_client, year,
                                                                 submission_a):
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert "填报截止日期" not in html and "天" not in html.split("填报清单")[0]  # no deadline: nothing

    due = timezone.localdate() + datetime.timedelta(days=5)
    response = director_client.post(reverse("year_deadline", args=[2024]), {"deadline": due.isoformat()}, follow=True)
    assert ReportingYear.objects.get(pk=2024).deadline == due
    assert any(f"2024 年度的填报截止日期已设为 {due.isoformat()}" in m for m in _messages(response))
    assert f'value="{due.isoformat()}"' in director_client.get(reverse("years")).content.decode()

    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert f"填报截止日期：{due.isoformat()}" in html and "还有 5 天" in html
    staff_html = director_client.get(DASHBOARD + "?year=2024").content.decode()
    assert f"填报截止日期：{due.isoformat()}" in staff_html and "还有 5 天" in staff_html

    late = timezone.localdate() - datetime.timedelta(days=3)
    director_client.post(reverse("year_deadline", args=[2024]), {"deadline": late.isoformat()})
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert "已过截止日期 3 天" in html and "还有" not in html
    # Once submitted, the school is not told it is late.
    _set_status(submission_a, "submitted", submitted_days_ago=0)
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert f"填报截止日期：{late.isoformat()}" in html and "已过截止日期" not in html

    director_client.post(reverse("year_deadline", args=[2024]), {"deadline": timezone.localdate().isoformat()})
    _set_status(submission_a, "draft")
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert "今天截止" in html and "已过截止日期" not in html
    director_client.post(reverse("year_deadline", args=[2024]), {"deadline": ""})
    assert ReportingYear.objects.get(pk=2024).deadline is None


@pytest.mark.parametrize(("typed", "message"), [
    ("2024-02-30", "“2024-02-30”不是有效的日期，请按“年-月-日”填写"),
    ("明年春天", "“明年春天”不是有效的日期"),
    ("2023-12-31", "截止日期不能早于 2024 年 1 月 1 日"),
])
def test_a_wrong_deadline_is_refused_in_words(director_client, year, typed, message):
    response = director_client.post(reverse("year_deadline", args=[2024]), {"deadline": typed})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ReportingYear.objects.get(pk=2024).deadline is None


def test_deadline_accepts_a_chinese_date_and_the_first_day(director_client, year):
    director_client.post(reverse("year_deadline", args=[2024]), {"deadline": "2024年1月1日"})
    assert ReportingYear.objects.get(pk=2024).deadline == datetime.date(2024, 1, 1)


def test_only_a_director_sets_the_deadline(clerk_client, director, year):
    assert clerk_client.post(reverse("year_deadline", args=[2024]), {"deadline": "2025-03-31"}).status_code == 403
    assert ReportingYear.objects.get(pk=2024).deadline is None
    year.status = ReportingYear.Status.LOCKED
    year.save()
    with pytest.raises(ValidationError, match="已锁定，不能修改截止日期"):
        services.year_set_deadline(user=director, year=year, deadline=datetime.date(2025, 3, 31))


# The grid --------------------------------------------------------------------------------


@pytest.fixture
def grid_schools(year):
    made = {}
    for code, status, submitted, reviewed in [
        ("C1", "approved", 9, 1), ("C2", "draft", None, None), ("C3", "submitted", 1, None),
        ("C4", "returned", 5, 4), ("C5", "submitted", 3, None), ("C6", "draft", None, None),
    ]:
        submission = SubmissionFactory(school=SchoolFactory(code=code, name=f"网格{code}"), year=year)
        _set_status(submission, status, submitted_days_ago=submitted, reviewed_days_ago=reviewed)
        made[code] = Submission.objects.get(pk=submission.pk)
    Submission.objects.filter(pk=made["C6"].pk).update(staff_count=None)
    Submission.objects.filter(pk=made["C3"].pk).update(staff_count=45, student_count=620)
    return made


def _codes(response):
    return [row["submission"].school.code for row in response.context["rows"]]


def test_grid_puts_what_needs_action_first(director_client, grid_schools):
    # Waiting for review first (the longest waiting first), then returned, draft, approved.
    assert _codes(director_client.get(DASHBOARD + "?year=2024")) == ["C5", "C3", "C4", "C2", "C6", "C1"]
    assert _codes(director_client.get(DASHBOARD + "?year=2024&sort=code")) == ["C1", "C2", "C3", "C4", "C5", "C6"]
    assert _codes(director_client.get(DASHBOARD + "?year=2024&status=draft")) == ["C2", "C6"]


def test_grid_shows_times_and_school_information(director_client, grid_schools):
    html = director_client.get(DASHBOARD + "?year=2024").content.decode()
    rows = {code: html.split(f"网格{code}</td>")[1].split("</tr>")[0] for code in grid_schools}
    c3, c1 = grid_schools["C3"], grid_schools["C1"]
    local = timezone.localtime
    assert local(c3.submitted_at).strftime("%Y-%m-%d %H:%M") in rows["C3"] and "45 / 620" in rows["C3"]
    assert local(c1.reviewed_at).strftime("%Y-%m-%d %H:%M") in rows["C1"]  # approved: its approval time
    assert local(grid_schools["C4"].reviewed_at).strftime("%Y-%m-%d %H:%M") not in rows["C4"]  # returned
    assert "未填" in rows["C6"] and "30 / 400" in rows["C2"]


def test_grid_tick_boxes_only_for_a_director_and_submitted_rows(director_client, clerk_client, grid_schools):
    html = director_client.get(DASHBOARD + "?year=2024").content.decode()
    ticked = {s.pk for s in grid_schools.values() if f'name="submission" value="{s.pk}"' in html}
    assert ticked == {grid_schools["C3"].pk, grid_schools["C5"].pk}
    assert "批量审核通过" in html
    html = clerk_client.get(DASHBOARD + "?year=2024").content.decode()
    assert 'name="submission"' not in html and "批量审核通过" not in html


# Bulk approval ---------------------------------------------------------------------------


def test_bulk_approve_two_schools_after_one_confirmation(director_client, grid_schools):
    c3, c5, c2 = grid_schools["C3"], grid_schools["C5"], grid_schools["C2"]
    url = reverse("bulk_approve")
    page = director_client.get(url, {"submission": [c3.pk, c5.pk, c2.pk]})
    html = page.content.decode()
    assert page.status_code == 200 and "网格C3" in html and "网格C5" in html
    assert "确认审核通过 2 所学校" in html and "不在本次审核之列：网格C2" in html
    assert Submission.objects.filter(status="approved").count() == 1  # the page changed nothing
    response = director_client.post(url, {"submission": [c3.pk, c5.pk], "confirm": "yes"}, follow=True)
    assert set(Submission.objects.filter(status="approved").values_list("school__code", flat=True)) == {
        "C1", "C3", "C5"}
    events = WorkflowEvent.objects.filter(action="approve")
    assert sorted(e.school.code for e in events) == ["C3", "C5"]
    assert any("已审核通过 2 所学校的填报" in m for m in _messages(response))


def test_bulk_approve_names_the_school_that_failed_and_keeps_the_others(director_client, grid_schools):
    c3, c2 = grid_schools["C3"], grid_schools["C2"]
    response = director_client.post(reverse("bulk_approve"), {"submission": [c3.pk, c2.pk], "confirm": "yes"},
                                    follow=True)
    assert Submission.objects.get(pk=c3.pk).status == "approved"
    assert Submission.objects.get(pk=c2.pk).status == "draft"
    texts = _messages(response)
    assert any("已审核通过 1 所学校" in m for m in texts)
    assert any("网格C2 未能审核通过：当前状态为“填报中”" in m for m in texts)
    assert WorkflowEvent.objects.filter(action="approve").count() == 1


def test_bulk_approve_refused_to_a_non_director(clerk_client, principal_a_client, grid_schools):
    c3, c5 = grid_schools["C3"], grid_schools["C5"]
    for client in (clerk_client, principal_a_client):
        assert client.get(reverse("bulk_approve"), {"submission": [c3.pk]}).status_code == 403
        response = client.post(reverse("bulk_approve"), {"submission": [c3.pk, c5.pk], "confirm": "yes"})
        assert response.status_code == 403
    assert not Submission.objects.filter(pk__in=[c3.pk, c5.pk], status="approved").exists()
    assert not WorkflowEvent.objects.filter(action="approve").exists()


# Reminders -------------------------------------------------------------------------------


@pytest.fixture
def remind_world(year, school_a, school_b, submission_a, submission_b, principal_a, principal_b):
    """A (draft): principal with e-mail and an inactive one with e-mail; B (returned): principal
    without e-mail; C (submitted): principal with e-mail."""
    principal_a.email = "a@school.example"
    principal_a.save()
    UserFactory(username="old_a", role=Role.PRINCIPAL, school=school_a, email="old@school.example", is_active=False)
    _set_status(submission_b, "returned", submitted_days_ago=3, reviewed_days_ago=1)
    school_c = SchoolFactory(code="C001", name="丙校")
    _set_status(SubmissionFactory(school=school_c, year=year), "submitted", submitted_days_ago=1)
    UserFactory(username="principal_c", role=Role.PRINCIPAL, school=school_c, email="c@school.example")
    return SimpleNamespace(school_c=school_c)


def test_remind_page_names_the_unsubmitted_schools_and_a_default_text(director_client, year, remind_world):
    year.deadline = datetime.date(2025, 3, 31)
    year.save()
    html = director_client.get(reverse("year_remind", args=[2024])).content.decode()
    assert "将向 2 所尚未上报" in html and "甲校樟坪" in html and "乙校SECRETB" in html and "丙校" not in html
    assert "贵校 2024 年度勤工俭学数据尚未上报。填报截止日期为 2025-03-31" in html


def test_remind_creates_reminders_and_mails_principals_with_an_address(
        director_client, principal_a_client, year, remind_world, school_a, school_b,
        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(reverse("year_remind", args=[2024]), {"message": "请于月底前上报。"},
                                        follow=True)
    reminders = {r.school_id: r for r in Reminder.objects.filter(kind="remind")}
    assert set(reminders) == {school_a.pk, school_b.pk}
    assert reminders[school_a.pk].emailed_to == "a@school.example"
    assert reminders[school_b.pk].emailed_to == ""
    assert [m.to for m in mail.outbox] == [["a@school.example"]]
    assert "请于月底前上报。" in mail.outbox[0].body and "2024" in mail.outbox[0].subject
    assert any("已向 2 所未上报的学校发出催报，其中 1 所同时发送了邮件" in m for m in _messages(response))
    # The principal sees it; the list shows it to staff.
    assert "请于月底前上报。" in principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    listing = director_client.get(reverse("reminders") + "?year=2024").content.decode()
    assert listing.count("请于月底前上报。") == 2 and "a@school.example" in listing


def test_remind_refused_without_text_and_when_everyone_submitted(director_client, year, submission_a):
    response = director_client.post(reverse("year_remind", args=[2024]), {"message": "  "})
    assert response.status_code == 400 and "请填写催报内容" in response.content.decode()
    _set_status(submission_a, "submitted", submitted_days_ago=0)
    response = director_client.post(reverse("year_remind", args=[2024]), {"message": "请上报"})
    assert response.status_code == 400 and "所有学校均已上报，无需催报" in response.content.decode()
    assert not Reminder.objects.exists() and not mail.outbox


def test_return_records_a_notice_and_mails_the_principal(director, principal_a_client, principal_a, year,
                                                         submission_a, django_capture_on_commit_callbacks):
    principal_a.email = "a@school.example"
    principal_a.save()
    _set_status(submission_a, "submitted", submitted_days_ago=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_return(user=director, submission=submission_a, reason="劳动基地面积有误")
    notice = Reminder.objects.get()
    assert (notice.kind, notice.school_id, notice.message, notice.emailed_to) == (
        "returned", submission_a.school_id, "劳动基地面积有误", "a@school.example")
    assert len(mail.outbox) == 1 and "劳动基地面积有误" in mail.outbox[0].body
    assert "退回通知" in principal_a_client.get(DASHBOARD + "?year=2024").content.decode()


def test_a_refused_return_leaves_no_notice_and_sends_nothing(director, year, submission_a,
                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.submission_return(user=director, submission=submission_a, reason="原因")  # a draft
    assert not Reminder.objects.exists() and not mail.outbox


def test_a_principal_sees_only_own_schools_reminders(director, principal_a_client, year, remind_world,
                                                    django_capture_on_commit_callbacks):
    services.reminders_send(user=director, year=year, message="甲乙两校请上报")
    Reminder.objects.filter(school__code="B001").update(message="只给乙校SECRETB的话")
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert "甲乙两校请上报" in html and "只给乙校" not in html


# Lock ------------------------------------------------------------------------------------


def test_years_page_says_why_the_year_cannot_be_locked(director_client, director, year, submission_a,
                                                       submission_b):
    html = director_client.get(reverse("years")).content.decode()
    assert "还有 2 所学校的填报未审核通过（甲校樟坪、乙校SECRETB），不能锁定" in html
    assert reverse("year_action", args=[2024, "delete"]) in html  # an empty year may still be deleted
    _set_status(submission_a, "approved", submitted_days_ago=2, reviewed_days_ago=1)
    html = director_client.get(reverse("years")).content.decode()
    assert "还有 1 所学校的填报未审核通过（乙校SECRETB），不能锁定" in html
    assert reverse("year_action", args=[2024, "lock"]) not in html
    # The service refuses with the same words.
    with pytest.raises(ValidationError, match="还有 1 所学校的填报未审核通过（乙校SECRETB）"):
        services.year_lock(user=director, year=year)
    _set_status(submission_b, "approved", submitted_days_ago=2, reviewed_days_ago=1)
    html = director_client.get(reverse("years")).content.decode()
    assert reverse("year_action", args=[2024, "lock"]) in html and "不能锁定" not in html


def test_lock_reason_names_five_schools_and_counts_the_rest(year):
    for i in range(7):
        SubmissionFactory(school=SchoolFactory(code=f"L{i}", name=f"锁校{i}"), year=year)
    reason = services.year_lock_block_reason(year)
    assert reason == "还有 7 所学校的填报未审核通过（锁校0、锁校1、锁校2、锁校3、锁校4 等），不能锁定。"


# The principal's link to explain warnings ------------------------------------------------


def test_principal_dashboard_links_the_warnings_to_the_review_page(principal_a_client, year, submission_a,
                                                                  monkeypatch):
    finding = SimpleNamespace(rule=SimpleNamespace(code="LB01"), message="面积合计不符", url="")
    monkeypatch.setattr(rules, "findings", lambda *args, **kwargs: [finding])
    html = principal_a_client.get(DASHBOARD + "?year=2024").content.decode()
    assert "面积合计不符" in html
    assert f'href="{reverse("submission_detail", args=[submission_a.pk])}">查看并说明提醒' in html


def test_mail_and_default_text_are_in_the_portals_language(director, director_client, principal_a, year,
                                                           submission_a, django_capture_on_commit_callbacks):
    from django.utils import translation

    principal_a.email = "a@school.example"
    principal_a.save()
    response = director_client.get(reverse("year_remind", args=[2024]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "en"  # the page is in English ...
    assert "贵校 2024 年度勤工俭学数据尚未上报" in html  # ... the text the schools will read is not
    _set_status(submission_a, "submitted", submitted_days_ago=1)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.submission_return(user=director, submission=submission_a, reason="请核对")
    assert mail.outbox[0].subject == "【退回通知】2024 年度勤工俭学填报"
