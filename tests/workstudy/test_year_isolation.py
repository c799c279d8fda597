"""Editing 2024 through pages, API, Excel and admin leaves every 2023 page,
warning, figure, export, API list, the summary and the 2023 school sheet byte-identical."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from insurance.models import StudentAccidentCoverage
from labor_bases.models import BaseYearArea, LaborBase, LandParcel
from workstudy import rules as core_rules
from workstudy.models import School, Submission

pytestmark = pytest.mark.django_db

FIXED = dt.datetime(2025, 1, 1, 8, 0, tzinfo=dt.UTC)
_VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
    (re.compile(r"(<th>生成时间</th><td>)[^<]*"), r"\1"),  # the summary page's own render time
]


def _normal(text):
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def _login(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _xlsx_values(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [tuple(row) for row in load_workbook(io.BytesIO(content)).active.values]


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return {s.code: s for s in School.objects.all()}


def snapshot_2023(demo):
    from reports import figures, pdf, sheets

    zhangping = demo["GX001"]
    clients = {"principal": _login("principal"), "staff": _login("staff"), "auditor": _login("auditor")}
    pages = {
        "principal": ["/?year=2023", "/labor-bases/?year=2023", "/insurance/?year=2023", "/my/counts/?year=2023"],
        "staff": ["/labor-bases/?year=2023", f"/labor-bases/?year=2023&school={zhangping.pk}",
                  "/labor-bases/bases/?year=2023", "/labor-bases/plots/?year=2023", "/schools/?year=2023",
                  "/insurance/?year=2023", "/insurance/coverage/?year=2023", "/insurance/coverage/missing/?year=2023",
                  f"/submissions/{Submission.objects.get(school=zhangping, year_id=2023).pk}/"],
        "auditor": ["/reports/2023/"],
    }
    shot = {}
    for who, urls in pages.items():
        for url in urls:
            response = clients[who].get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            shot[f"{who} {url}"] = _normal(response.content.decode())
    staff = clients["staff"]
    for url in ("/api/labor-bases/areas/?year=2023", "/api/insurance/coverages/?year=2023",
                "/api/submissions/?year=2023", "/api/labor-bases/plots/?year=2023"):
        shot[url] = staff.get(url).json()
    for kind in ("labor_plots", "insurance_coverage", "labor_production"):
        shot[f"export {kind}"] = _xlsx_values(staff.get(reverse("excel:export", args=[kind]) + "?year=2023"))
    shot["warnings"] = sorted(f.message for f in core_rules.findings(2023, None))
    context = sheets.school_sheet_context(2023, zhangping)
    context["generated_at"] = FIXED
    shot["school sheet 2023"] = pdf.render_document("reports/school_sheet_pdf.html", context)
    shot["summary 2023"] = pdf.summary_html_for_pdf(figures.compute(2023), generated_at=FIXED)
    return shot


def _edit_2024_everywhere(demo):
    zhangping = demo["GX001"]
    base = LaborBase.objects.get(school=zhangping)
    principal, staff = _login("principal"), _login("staff")
    response = principal.post(reverse("labor_bases:base_edit", args=[base.pk]) + "?year=2024", {
        "school": base.school_id, "name": base.name, "location": base.location, "established_year": base.established_year or "",
        "declared_total_mu": "15", "active": "on", "note": "", "row_version": base.version})
    assert response.status_code == 302
    sub = Submission.objects.get(school=zhangping, year_id=2024)
    response = principal.post(reverse("my_counts") + "?year=2024", {
        "staff_count": 45, "student_count": 620, "boarding_count": 300, "poor_student_count": 50,
        "explanation": "", "row_version": sub.version})
    assert response.status_code == 302
    response = principal.post(reverse("insurance:coverage_new") + "?year=2024", {
        "insured_parent_paid": 500, "poor_free_by_insurer": 30, "poor_advanced_by_school": 20,
        "advance_amount": "1000.00", "voluntary_consent_recorded": "on"})
    assert response.status_code == 302
    area = BaseYearArea.objects.get(base=base, year_id=2024)
    response = principal.patch(f"/api/labor-bases/areas/{area.pk}/", {"declared_total_mu": "16", "version": area.version},
                               content_type="application/json")
    assert response.status_code == 200, response.content
    response = principal.patch(f"/api/labor-bases/bases/{base.pk}/", {"declared_total_mu": "17"},
                               content_type="application/json")
    assert response.status_code == 400 and "/api/labor-bases/areas/" in response.content.decode()
    workbook = Workbook()
    workbook.active.append(["学校", "基地名称", "年度", "土地类型", "其他类型说明", "种植/养殖品种", "面积(亩)", "备注"])
    plot = LandParcel.objects.get(base=base, year_id=2024, land_type="tea")
    workbook.active.append(["", base.name, 2024, "茶园", "", plot.crop, 13, ""])
    data = io.BytesIO()
    workbook.save(data)
    data.seek(0)
    data.name = "plots.xlsx"
    response = principal.post(reverse("excel:import", args=["labor_plots"]), {"file": data, "year": 2024})
    assert response.status_code == 200, [str(i) for i in response.context["report"].issues]
    response = principal.post(reverse("excel:import", args=["labor_plots"]), {"upload_id": response.context["upload"].pk})
    assert response.status_code == 302
    # The admin: staff change the 2024 declared area there too (the admin had no models registered
    # until admin.autodiscover() was called in urls.py).
    area = BaseYearArea.objects.get(base=base, year_id=2024)
    response = staff.post(reverse("admin:labor_bases_baseyeararea_change", args=[area.pk]), {
        "base": base.pk, "year": 2024, "declared_total_mu": "18", "note": "", "row_version": area.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert BaseYearArea.objects.get(pk=area.pk).declared_total_mu == 18
    return base


def test_editing_2024_everywhere_leaves_2023_unchanged(demo):
    before = snapshot_2023(demo)
    base = _edit_2024_everywhere(demo)
    after = snapshot_2023(demo)
    changed = [key for key in before if before[key] != after[key]]
    assert not changed, changed
    assert BaseYearArea.objects.get(base=base, year_id=2024).declared_total_mu == Decimal("18.00")  # the admin edit came last
    assert BaseYearArea.objects.get(base=base, year_id=2023).declared_total_mu == Decimal("12.00")
    assert LandParcel.objects.get(base=base, year_id=2024, land_type="tea").area_mu == Decimal("13.00")


def test_counts_entered_once_and_read_everywhere(demo):
    _edit_2024_everywhere(demo)
    zhangping = demo["GX001"]
    staff = _login("staff")
    row = next(line for line in staff.get("/schools/?year=2024").content.decode().splitlines() if zhangping.name in line)
    assert ">45<" in row and ">620<" in row and ">300<" in row and ">50<" in row
    coverage = StudentAccidentCoverage.objects.get(school=zhangping, year_id=2024)
    assert (coverage.enrolled, coverage.poor_students) == (620, 50)
    page = _login("principal").get(reverse("insurance:coverage_edit", args=[coverage.pk])).content.decode()
    assert 'name="enrolled"' not in page and "学生 620 人，贫困家庭学生 50 人" in page


def test_locked_year_area_cannot_change_by_any_path(demo):
    base = LaborBase.objects.get(school=demo["GX001"])
    area_2023 = BaseYearArea.objects.get(base=base, year_id=2023)
    principal, staff = _login("principal"), _login("staff")
    page = principal.get(reverse("labor_bases:base_edit", args=[base.pk]) + "?year=2023").content.decode()
    assert re.search(r'name="declared_total_mu"[^>]*disabled', page)
    principal.post(reverse("labor_bases:base_edit", args=[base.pk]) + "?year=2023", {
        "school": base.school_id, "name": base.name, "location": base.location, "established_year": base.established_year or "",
        "declared_total_mu": "99", "active": "on", "note": "", "row_version": base.version})
    for client in (principal, staff):
        assert client.patch(f"/api/labor-bases/areas/{area_2023.pk}/", {"declared_total_mu": "99"},
                            content_type="application/json").status_code == 403
    assert BaseYearArea.objects.get(pk=area_2023.pk).declared_total_mu == Decimal("12.00")
