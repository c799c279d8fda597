"""The yearly return with real module data, in a browser: the principal adds a labour
base and a plot by form and another plot by Excel upload (template downloaded from the
portal, filled in with openpyxl), submits; the director approves and locks the year; an
auditor downloads the year-end PDF, whose SHA-256 matches the one the portal publishes."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy.models import ReportingYear, Role, School, Submission

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def shot(page, artifacts, name):
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


@pytest.fixture
def county(transactional_db):
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="X001", name="周坊中学", township="周坊镇")
    Submission.objects.create(school=school, year=year)
    for i in range(2, 4):
        SubmissionFactory(school=SchoolFactory(code=f"X00{i}", name=f"已审核中学{i}"), year=year, status="approved")
    return {
        "school": school,
        "principal": UserFactory(username="li_xz", role=Role.PRINCIPAL, school=school, is_staff=False,
                                 first_name="李校长"),
        "director": UserFactory(username="zhao_zr", role=Role.STAFF, is_director=True, first_name="赵主任"),
        "auditor": UserFactory(username="qian_sj", role=Role.AUDITOR, is_staff=False, first_name="钱审计"),
    }


def test_plots_by_form_and_excel_then_auditor_downloads_the_pdf(county, open_as, artifacts, tmp_path):
    import openpyxl

    LandParcel = apps.get_model("labor_bases", "LandParcel")
    p, principal_console = open_as(county["principal"], "principal")

    # Counts first (the return needs them).
    p.get_by_role("link", name=re.compile("学校基本情况")).click()
    p.fill("#id_staff_count", "58")
    p.fill("#id_student_count", "760")
    p.fill("#id_poor_student_count", "64")
    p.get_by_role("button", name="保存").click()
    expect(p.locator(".messages")).to_contain_text("基本情况已保存")

    # A base, by form.
    p.get_by_role("link", name="劳动实践基地").first.click()
    p.get_by_role("link", name=re.compile("新增基地")).click()
    p.fill("#id_name", "周坊中学茶园基地")
    p.fill("#id_declared_total_mu", "12")
    if p.locator("#id_school").count() and p.locator("#id_school").is_visible():
        p.select_option("#id_school", label="周坊中学")
    p.get_by_role("button", name=re.compile("保存")).click()
    expect(p.locator("main")).to_contain_text("周坊中学茶园基地")
    principal_console.assert_clean("base")

    # A plot, by form (a bad area first: the rule's message shows next to the field).
    p.get_by_role("link", name=re.compile("新增地块")).first.click()
    p.select_option("#id_land_type", label="茶园")
    p.fill("#id_crop", "茶")
    p.fill("#id_area_mu", "0")
    p.get_by_role("button", name=re.compile("保存")).click()
    expect(p.locator(".field.has-error .fielderror").first).to_be_visible()
    shot(p, artifacts, "21-principal-plot-form-error")
    p.fill("#id_area_mu", "8")
    p.get_by_role("button", name=re.compile("保存")).click()
    expect(p.locator("main")).to_contain_text("8.00")
    shot(p, artifacts, "22-principal-plot-added")
    assert LandParcel.objects.filter(base__school=county["school"], year_id=2024).count() == 1

    # Another plot, by Excel: the portal's own template, filled in.
    p.get_by_role("link", name="用 Excel 导入地块").click()
    with p.expect_download() as download_info:
        p.get_by_role("link", name="下载 Excel 模板").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    workbook = openpyxl.load_workbook(template)
    sheet = workbook.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    values = {"学校": "周坊中学", "基地名称": "周坊中学茶园基地", "年度": 2024, "土地类型": "果园",
              "种植/养殖品种": "雪梨", "面积(亩)": 4}
    sheet.append([values.get(column) for column in header])
    upload = tmp_path / "plots.xlsx"
    workbook.save(upload)
    p.set_input_files("#id_file", str(upload))
    p.get_by_role("button", name="上传并检查").click()
    expect(p.locator("main")).to_contain_text("检查通过")
    shot(p, artifacts, "23-principal-excel-preview")
    assert LandParcel.objects.filter(base__school=county["school"], year_id=2024).count() == 1  # dry run
    p.get_by_role("button", name="确认导入").click()
    expect(p.locator(".messages")).to_be_visible()
    assert LandParcel.objects.filter(base__school=county["school"], year_id=2024).count() == 2
    p.goto("/labor-bases/?year=2024")
    expect(p.locator("main")).to_contain_text("12.00")  # 8 + 4 亩 = the declared total
    shot(p, artifacts, "24-principal-base-with-two-plots")
    principal_console.assert_clean("excel")

    # Submit with the real module checks in place.
    p.goto("/?year=2024")
    expect(p.locator(".checklist")).to_contain_text("劳动实践基地")
    p.get_by_role("button", name="确认无误，上报").click()
    expect(p.locator(".state")).to_contain_text("已上报")

    # The director approves and locks.
    s, staff_console = open_as(county["director"], "director")
    s.locator("table.grid tbody tr", has_text="周坊中学").get_by_role("link", name="查看").click()
    s.get_by_role("button", name="审核通过").click()
    expect(s.locator(".messages")).to_contain_text("已审核通过")
    s.goto("/years/")
    s.on("dialog", lambda dialog: dialog.accept())
    s.locator("tr", has_text="2024").get_by_role("button", name="锁定年度").click()
    expect(s.locator(".messages")).to_contain_text("2024 年度已锁定")
    staff_console.assert_clean("lock")
    assert ReportingYear.objects.get(pk=2024).is_locked

    # The auditor downloads the PDF; its hash is the one the summary page shows.
    a, auditor_console = open_as(county["auditor"], "auditor")
    a.goto("/reports/2024/")
    expect(a.locator("main")).to_contain_text("2024")
    shot(a, artifacts, "25-auditor-summary")
    published = a.locator("#pdf-sha256").inner_text().strip() if a.locator("#pdf-sha256").count() else None
    with a.expect_download(timeout=120_000) as download_info:
        a.get_by_role("link", name="下载 PDF").first.click()
    pdf_path = tmp_path / "summary.pdf"
    download_info.value.save_as(pdf_path)
    content = pdf_path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(content) > 10_000
    if published:
        assert hashlib.sha256(content).hexdigest() == published
    from pypdf import PdfReader

    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    assert "2024" in text
    auditor_console.assert_clean("auditor")


def test_school_picker_suggests_and_resolves_in_the_browser(county, open_as, artifacts, settings):
    """Above the threshold the school filter is a search box: typing fills its suggestions from
    /schools/search/ (static script, under the CSP), and the chosen label opens that school."""
    settings.SCHOOL_PICKER_THRESHOLD = 1  # three schools: the search box, as at province size
    page, watch = open_as(county["director"], "staff")
    page.goto("/labor-bases/?year=2024")
    box = page.locator("input[data-picker=school]")
    expect(box).to_be_visible()
    box.fill("周坊")
    options = page.locator(f"#{box.get_attribute('list')} option")
    expect(options).to_have_count(1)  # only 周坊中学 matches; the others are 已审核中学
    label = options.first.get_attribute("value")
    assert "周坊中学" in label
    box.fill(label)
    box.press("Enter")
    expect(page.locator("h1")).to_contain_text("周坊中学")
    shot(page, artifacts, "school-picker")
    watch.assert_clean("school picker")


def test_base_picker_suggests_and_saves_in_the_browser(county, open_as, artifacts, settings):
    """Above the threshold the bureau's new-plot form picks the base in a search box: typing a
    school's name or part of a base name fills the suggestions from /pick/labor_base/ (active bases
    only, labelled "学校名 · 基地名" so two schools' same-named bases differ), and the chosen
    suggestion saves the plot on that base."""
    LaborBase = apps.get_model("labor_bases", "LaborBase")
    LandParcel = apps.get_model("labor_bases", "LandParcel")
    settings.SCHOOL_PICKER_THRESHOLD = 1  # three active bases: the search box, as at province size
    schools = {school.code: school for school in School.objects.filter(code__in=["X001", "X002", "X003"])}
    # Named like the demo county's bases (labor_bases/demo.py); two schools' 茶园基地 share a name.
    LaborBase.objects.create(school=schools["X001"], name="周坊中学种养循环基地", location="周坊镇周坊村")
    LaborBase.objects.create(school=schools["X001"], name="周坊中学老茶园", location="周坊镇周坊村", active=False)
    LaborBase.objects.create(school=schools["X002"], name="茶园基地", location="某村")
    chosen = LaborBase.objects.create(school=schools["X003"], name="茶园基地", location="某村")

    page, watch = open_as(county["director"], "staff")
    page.goto("/labor-bases/plots/new/?year=2024")
    box = page.locator("#id_base")
    expect(box).to_be_visible()
    assert box.evaluate("el => el.tagName") == "INPUT" and box.get_attribute("type") == "text"
    assert box.get_attribute("data-picker") == "labor_base"
    assert box.get_attribute("placeholder") == "输入学校或基地名称"
    options = page.locator(f"#{box.get_attribute('list')} option")
    box.fill("周坊")  # a school's name finds its (active) bases
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "周坊中学 · 周坊中学种养循环基地")
    box.fill("茶园")  # part of a base name: both active 茶园基地, by school code; not the inactive 老茶园
    expect(options).to_have_count(2)
    labels = [options.nth(i).get_attribute("value") for i in range(2)]
    assert labels == ["已审核中学2 · 茶园基地", "已审核中学3 · 茶园基地"]
    shot(page, artifacts, "base-picker")

    box.fill(labels[1])  # as choosing the second suggestion does
    page.select_option("#id_land_type", label="茶园")
    page.fill("#id_crop", "茶")
    page.fill("#id_area_mu", "6.5")
    page.get_by_role("button", name=re.compile("保存")).click()
    page.wait_for_url(re.compile(rf"/labor-bases/\?year=2024&school={schools['X003'].pk}$"))
    expect(page.locator(".messages")).to_contain_text("已保存")
    parcel = LandParcel.objects.get()
    assert (parcel.base, parcel.year_id, parcel.land_type, parcel.crop) == (chosen, 2024, "tea", "茶")
    assert str(parcel.area_mu) == "6.50"
    watch.assert_clean("base picker")
