"""The yearly return in a real browser, from the principal's first login to the locked year.

Principal fills 学校基本情况 (a bad value first, sees the inline error, fixes it) and
submits; the director sees it as 已上报 and returns it with a reason; the principal sees
the reason, fixes and resubmits; the director approves and locks the year; the principal
then sees the locked notice and no edit button. A screenshot of every step goes to
``test-artifacts/e2e/``; every page must run under the CSP without console errors.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy import modules
from workstudy.models import ReportingYear, Role, Submission, WorkflowEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "贫困生人数请与县扶贫办名单核对后重新上报。"


@pytest.fixture
def core_modules_only(monkeypatch):
    """The core flow must not depend on what the data apps require before submitting:
    their modules stay listed but are not required here (the extended flow fills them)."""
    relaxed = {
        key: dataclasses.replace(module, required=False, submit_errors=None)
        for key, module in modules._modules.items()
    }
    monkeypatch.setattr(modules, "_modules", relaxed)


@pytest.fixture
def county(transactional_db, core_modules_only):
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="E001", name="樟坪中心学校", township="樟坪畲族乡")
    others = [SchoolFactory(code=f"E00{i}", name=f"已审核学校{i}") for i in range(2, 5)]
    submission = Submission.objects.create(school=school, year=year)  # nothing filled in yet
    for other in others:
        SubmissionFactory(school=other, year=year, status="approved")
    principal = UserFactory(username="zhang_xz", role=Role.PRINCIPAL, school=school, is_staff=False,
                            first_name="张校长")
    director = UserFactory(username="wang_zr", role=Role.STAFF, is_director=True, first_name="王主任")
    return {"year": year, "school": school, "submission": submission, "principal": principal, "director": director}


def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def test_yearly_return_from_first_login_to_locked_year(county, open_as, artifacts, live_server):
    submission = county["submission"]
    principal_page, principal_console = open_as(county["principal"], "principal")
    p = principal_page

    # 1. The principal's checklist.
    expect(p.locator("h1")).to_contain_text("樟坪中心学校 · 2024 年度填报")
    expect(p.locator(".state")).to_contain_text("填报中")
    expect(p.locator(".errorbox")).to_contain_text("上报前请先填写本年度教职工人数和学生人数")
    expect(p.get_by_role("button", name="确认无误，上报")).to_have_count(0)
    shot(p, artifacts, "01-principal-checklist")
    principal_console.assert_clean("checklist")

    # 2. 学校基本情况 with a bad value: more poor students than students.
    p.get_by_role("link", name=re.compile("学校基本情况")).click()
    expect(p.locator("h1")).to_contain_text("年度基本情况")
    p.fill("#id_staff_count", "36")
    p.fill("#id_student_count", "420")
    p.fill("#id_boarding_count", "120")
    p.fill("#id_poor_student_count", "500")
    p.get_by_role("button", name="保存").click()
    error = p.locator(".field.has-error .fielderror")
    expect(error).to_have_text("贫困家庭学生人数（500）不能超过学生人数（420）。")
    expect(p.locator("#id_poor_student_count")).to_have_value("500")  # what they typed is kept
    shot(p, artifacts, "02-principal-counts-inline-error")
    principal_console.assert_clean("inline error")

    # 3. Fixed; saved; back on the checklist.
    p.fill("#id_poor_student_count", "45")
    p.get_by_role("button", name="保存").click()
    expect(p.locator(".messages")).to_contain_text("基本情况已保存")
    expect(p.locator(".checklist li").first).to_contain_text("教职工 36 人，学生 420 人")
    shot(p, artifacts, "03-principal-counts-saved")

    # 4. Submit.
    p.get_by_role("button", name="确认无误，上报").click()
    expect(p.locator(".messages")).to_contain_text("已上报，等待勤工办审核")
    expect(p.locator(".state")).to_contain_text("已上报")
    shot(p, artifacts, "04-principal-submitted")
    principal_console.assert_clean("submitted")
    assert Submission.objects.get(pk=submission.pk).status == "submitted"

    # 5. The director sees it in the grid and returns it with a reason.
    staff_page, staff_console = open_as(county["director"], "director")
    s = staff_page
    row = s.locator("table.grid tbody tr", has_text="樟坪中心学校")
    expect(row.locator(".badge")).to_have_text("已上报")
    expect(s.locator(".statcards .stat-submitted strong")).to_have_text("1")
    shot(s, artifacts, "05-staff-grid-submitted")
    row.get_by_role("link", name="查看").click()
    expect(s.locator("h1")).to_contain_text("樟坪中心学校 · 2024 年度填报")
    s.fill("#id_reason", RETURN_REASON)
    shot(s, artifacts, "06-staff-return-form")
    s.get_by_role("button", name="退回学校").click()
    expect(s.locator(".messages")).to_contain_text("已退回 樟坪中心学校")
    staff_console.assert_clean("return")

    # 6. The principal sees the reason, fixes and resubmits.
    p.goto("/?year=2024")
    expect(p.locator(".state")).to_contain_text("已退回")
    expect(p.locator(".errorbox[role=alert]").first).to_contain_text(RETURN_REASON)
    shot(p, artifacts, "07-principal-sees-return-reason")
    p.get_by_role("link", name=re.compile("学校基本情况")).click()
    p.fill("#id_poor_student_count", "38")
    p.get_by_role("button", name="保存").click()
    expect(p.locator(".messages")).to_contain_text("基本情况已保存")
    p.get_by_role("button", name="确认无误，上报").click()
    expect(p.locator(".state")).to_contain_text("已上报")
    shot(p, artifacts, "08-principal-resubmitted")
    principal_console.assert_clean("resubmitted")

    # 7. The director approves.
    s.goto(f"/submissions/{submission.pk}/")
    expect(s.locator("table.kv")).to_contain_text("38")
    s.get_by_role("button", name="审核通过").click()
    expect(s.locator(".messages")).to_contain_text("樟坪中心学校 已审核通过")
    shot(s, artifacts, "09-staff-approved")

    # 8. ...and locks the year (every school is approved now).
    s.goto("/years/")
    s.on("dialog", lambda dialog: dialog.accept())
    s.locator("tr", has_text="2024").get_by_role("button", name="锁定年度").click()
    expect(s.locator(".messages")).to_contain_text("2024 年度已锁定")
    shot(s, artifacts, "10-staff-year-locked")
    staff_console.assert_clean("lock")
    assert ReportingYear.objects.get(pk=2024).is_locked

    # 9. The principal sees the locked notice and no way to edit.
    p.goto("/?year=2024")
    expect(p.locator(".notice-locked")).to_contain_text("2024 年度已于")
    expect(p.locator(".notice-locked")).to_contain_text("锁定，数据只读")
    expect(p.get_by_role("button", name="确认无误，上报")).to_have_count(0)
    expect(p.locator(".events")).to_contain_text("锁定年度")
    shot(p, artifacts, "11-principal-locked-dashboard")
    p.get_by_role("link", name=re.compile("学校基本情况")).click()
    expect(p.locator(".notice-locked")).to_be_visible()
    expect(p.get_by_role("button", name="保存")).to_have_count(0)
    expect(p.locator("#id_poor_student_count")).to_have_value("38")
    shot(p, artifacts, "12-principal-locked-counts")
    principal_console.assert_clean("locked")

    # The record of it all.
    actions = list(WorkflowEvent.objects.filter(year_id=2024).order_by("id").values_list("action", flat=True))
    assert actions == ["submit", "return", "submit", "approve", "lock"]
    final = Submission.objects.get(pk=submission.pk)
    assert (final.status, final.staff_count, final.student_count, final.poor_student_count) == ("approved", 36, 420, 38)
