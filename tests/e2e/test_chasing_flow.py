"""Chasing the year in a real browser: the director sets the deadline on the 年度 page (a date
input), sees why the year cannot be locked, ticks two submitted schools on the grid (the tick
boxes belong to the bulk form by their form attribute), confirms them on one page, then sends a
催报 to the school still in draft; its principal reads it on the dashboard and gets the e-mail."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy.models import Reminder, ReportingYear, Role, Submission, WorkflowEvent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(transactional_db):
    year = ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"Z00{i}", name=name) for i, name in enumerate(["樟坪中心学校", "周坊中学", "塘湾小学"])]
    for school, status in zip(schools, ["submitted", "submitted", "draft"], strict=True):
        submission = SubmissionFactory(school=school, year=year)
        Submission.objects.filter(pk=submission.pk).update(status=status)
    return {
        "director": UserFactory(username="wang_zr", role=Role.STAFF, is_director=True, first_name="王主任"),
        "principal_c": UserFactory(username="tang_xz", role=Role.PRINCIPAL, school=schools[2], is_staff=False,
                                   email="tangwan@school.example"),
    }


def test_deadline_bulk_approve_and_remind(county, open_as, artifacts):
    s, console = open_as(county["director"], "director")
    s.goto("/years/")
    row = s.locator("tr", has_text="2024")
    expect(row).to_contain_text("还有 3 所学校的填报未审核通过（樟坪中心学校、周坊中学、塘湾小学），不能锁定")
    expect(row.get_by_role("button", name="锁定年度")).to_be_disabled()
    s.get_by_label("填报截止日期").fill("2025-03-31")
    s.get_by_role("button", name="保存截止日期").click()
    expect(s.locator(".messages")).to_contain_text("2024 年度的填报截止日期已设为 2025-03-31")
    assert str(ReportingYear.objects.get(pk=2024).deadline) == "2025-03-31"

    s.goto("/?year=2024")
    expect(s.locator("main")).to_contain_text("填报截止日期：2025-03-31")
    s.get_by_label("选择 樟坪中心学校").check()
    s.get_by_label("选择 周坊中学").check()
    s.get_by_role("button", name="批量审核通过").click()
    expect(s.locator("main")).to_contain_text("确定审核通过以下 2 所学校的填报吗")
    s.screenshot(path=str(artifacts / "chasing-01-bulk-confirm.png"), full_page=True)
    s.get_by_role("button", name="确认审核通过 2 所学校").click()
    expect(s.locator(".messages")).to_contain_text("已审核通过 2 所学校的填报")
    assert WorkflowEvent.objects.filter(action="approve").count() == 2

    s.get_by_role("link", name="向未上报的学校催报…").click()
    expect(s.locator("main")).to_contain_text("将向 1 所尚未上报")
    expect(s.get_by_label("催报内容")).to_have_value(
        "贵校 2024 年度勤工俭学数据尚未上报。填报截止日期为 2025-03-31，请尽快登录平台完成填报并上报。")
    s.get_by_role("button", name="确认向 1 所学校催报").click()
    expect(s.locator(".messages")).to_contain_text("已向 1 所未上报的学校发出催报，其中 1 所同时发送了邮件")
    expect(s.locator("main table")).to_contain_text("tangwan@school.example")
    assert [m.to for m in mail.outbox] == [["tangwan@school.example"]]
    assert Reminder.objects.get().school.name == "塘湾小学"
    console.assert_clean("director")

    p, principal_console = open_as(county["principal_c"], "principal")
    p.goto("/?year=2024")
    expect(p.locator("main")).to_contain_text("填报截止日期为 2025-03-31")
    principal_console.assert_clean("principal")
