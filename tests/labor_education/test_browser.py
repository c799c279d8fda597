"""劳动教育 in a real browser: the principal opens it from the menu, enters a labor week with
0 days (refused next to the field), corrects it, ticks the school's base and saves; the row
and its 历史 link are listed. The page runs under the CSP without console errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from labor_education.models import LaborEducation
from tests.e2e.conftest import (  # noqa: F401  (the browser fixtures of tests/e2e)
    artifacts,
    browser_context_args,
    browser_type_launch_args,
    open_as,
)
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.labor_bases.factories import LaborBaseFactory
from workstudy.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_principal_fills_in_labor_education(open_as, artifacts, live_server):  # noqa: F811
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="L001", name="樟坪中心学校")
    SubmissionFactory(school=school, year=year, student_count=106)
    LaborBaseFactory(school=school, name="茶园基地")
    LaborBaseFactory(school=SchoolFactory(code="L002", name="别校"), name="别校菜园")
    principal = UserFactory(username="le_principal", role=Role.PRINCIPAL, school=school, is_staff=False)

    page, console = open_as(principal, "principal")
    page.get_by_role("link", name="劳动教育").first.click()
    expect(page.locator("h1")).to_contain_text("樟坪中心学校 · 2024 年度劳动教育")
    page.get_by_role("link", name="填写劳动教育情况").click()
    expect(page.get_by_text("别校菜园")).to_have_count(0)
    page.fill("#id_class_periods_per_week", "1")
    page.fill("#id_out_of_class_hours_per_week", "2.5")
    page.check("#id_labor_week_held")
    page.fill("#id_labor_week_days", "0")
    page.fill("#id_students_taking_part", "100")
    page.get_by_label("茶园基地").check()
    page.click("button[type=submit].primary")
    expect(page.locator(".fielderror")).to_contain_text("请填写劳动周天数")
    page.fill("#id_labor_week_days", "5")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("table.grid tbody")).to_contain_text("茶园基地")
    expect(page.locator("table.grid tbody")).to_contain_text("5 天")
    page.screenshot(path=str(artifacts / "labor_education_principal.png"), full_page=True)
    record = LaborEducation.objects.get()
    assert record.labor_week_days == 5 and [b.name for b in record.bases_used.all()] == ["茶园基地"]
    page.get_by_role("link", name="历史").click()
    expect(page.locator("body")).to_contain_text("劳动教育")
    console.assert_clean("labor education")
