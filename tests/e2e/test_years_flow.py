"""Years in a real browser: the director opens the next year on its confirmation
page, deletes it again (empty), locks 2024, reopens it giving one school back; that school's
principal can edit again (the edit links are back), the other's cannot (no links)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.insurance.factories import CoverageFactory
from workstudy.models import ReportingYear, Role, Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(transactional_db):
    year = ReportingYearFactory(year=2024)
    a = SchoolFactory(code="Y001", name="樟坪中心学校")
    b = SchoolFactory(code="Y002", name="周坊中学")
    for school in (a, b):
        SubmissionFactory(school=school, year=year, status="approved")
        CoverageFactory(school=school, year=year)
    return {
        "a": a, "b": b,
        "director": UserFactory(username="wang_zr", role=Role.STAFF, is_director=True, first_name="王主任"),
        "principal_a": UserFactory(username="zhang_xz", role=Role.PRINCIPAL, school=a, is_staff=False),
        "principal_b": UserFactory(username="li_xz", role=Role.PRINCIPAL, school=b, is_staff=False),
    }


def test_open_delete_lock_reopen_with_chosen_school(county, open_as, artifacts):
    s, console = open_as(county["director"], "director")
    s.goto("/years/")
    expect(s.locator("main")).to_contain_text("下一个可开放的年度：2025")
    s.get_by_role("link", name="开放 2025 年度…").click()
    expect(s.locator("main")).to_contain_text("确定开放 2025 年度吗")
    s.screenshot(path=str(artifacts / "years-01-confirm-open.png"), full_page=True)
    s.get_by_role("button", name="确认开放 2025 年度").click()
    expect(s.locator(".messages")).to_contain_text("2025 年度已开放填报")
    assert ReportingYear.objects.filter(pk=2025).exists()

    # Opened by mistake and still empty: deleted after its own confirmation.
    s.locator("tr", has_text="2025").get_by_role("link", name="删除…").click()
    s.get_by_role("button", name="确认删除 2025 年度").click()
    expect(s.locator(".messages")).to_contain_text("2025 年度已删除")
    assert not ReportingYear.objects.filter(pk=2025).exists()

    # Lock 2024, then reopen it giving back 樟坪 only.
    s.on("dialog", lambda dialog: dialog.accept())
    s.locator("tr", has_text="2024").get_by_role("button", name="锁定年度").click()
    expect(s.locator(".messages")).to_contain_text("2024 年度已锁定")
    s.locator("tr", has_text="2024").get_by_role("link", name="重新开放…").click()
    s.get_by_label("重新开放原因").fill("补录学平险投保人数")
    s.get_by_label("选定的学校", exact=True).first.check()
    s.get_by_label("樟坪中心学校").check()
    s.screenshot(path=str(artifacts / "years-02-reopen-choose.png"), full_page=True)
    s.get_by_role("button", name="确认重新开放").click()
    expect(s.locator(".messages")).to_contain_text("已退回 1 所学校的填报")
    expect(s.locator(".messages")).to_contain_text("另有 1 所学校的填报仍为已上报或已审核")
    console.assert_clean("years")
    statuses = dict(Submission.objects.filter(year_id=2024).values_list("school__code", "status"))
    assert statuses == {"Y001": "returned", "Y002": "approved"}

    pa, console_a = open_as(county["principal_a"], "principal_a")
    pa.goto("/insurance/coverage/?year=2024")
    expect(pa.get_by_role("link", name="修改", exact=True)).to_have_count(1)
    expect(pa.get_by_role("link", name="删除", exact=True)).to_have_count(1)
    pb, console_b = open_as(county["principal_b"], "principal_b")
    pb.goto("/insurance/coverage/?year=2024")
    expect(pb.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    expect(pb.get_by_role("link", name="删除", exact=True)).to_have_count(0)
    console_a.assert_clean("principal a")
    console_b.assert_clean("principal b")
