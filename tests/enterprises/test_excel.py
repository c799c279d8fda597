"""Excel: "enterprise_figures" — one row per enterprise per year, imported through the URL."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.models import EnterpriseYearStat
from tests.enterprises.factories import EnterpriseFactory, YearStatFactory
from tests.factories import xlsx_upload
from workstudy.models import ImportUpload

pytestmark = pytest.mark.django_db

HEADER = ["企业", "年度", "销售收入及营业额(元)", "成本(元)", "利润(元)", "缴纳税金(元)", "补贴教育经费(元)",
          "职工人数(人)", "学生勤工俭学岗位(人)", "备注"]


def _xlsx(rows) -> io.BytesIO:
    return xlsx_upload(HEADER, rows)


def _upload(client, rows):
    return client.post(reverse("excel:import", kwargs={"key": "enterprise_figures"}),
                       {"year": 2024, "file": _xlsx(rows)})


def test_template_has_the_chinese_columns(director_client, year):
    response = director_client.get(reverse("excel:template", kwargs={"key": "enterprise_figures"}))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER


def test_staff_imports_figures_with_preview_then_confirm(director_client, director, year):
    paint = EnterpriseFactory(name="宏达乳胶漆厂")
    uniform = EnterpriseFactory(name="市职中校服厂")
    YearStatFactory(enterprise=uniform, year=year, revenue=Decimal("1"), cost=Decimal("1"))
    rows = [
        ["宏达乳胶漆厂", 2024, 1260000, 1120000, None, 37800, 45000, 18, 10, "新订单"],
        ["市职中校服厂", 2024, "3350000.00", 2920000, 999, 100500, 180000, 50, 72, None],
    ]
    preview = _upload(director_client, rows)
    assert preview.status_code == 200, preview.content.decode()
    assert EnterpriseYearStat.objects.get(enterprise=uniform).revenue == Decimal("1.00")  # dry run only
    upload = ImportUpload.objects.get(user=director)
    done = director_client.post(reverse("excel:import", kwargs={"key": "enterprise_figures"}),
                                {"upload_id": upload.pk})
    assert done.status_code == 302
    stat = EnterpriseYearStat.objects.get(enterprise=paint, year=year)
    assert stat.profit == Decimal("140000.00") and stat.employees == 18 and stat.note == "新订单"
    updated = EnterpriseYearStat.objects.get(enterprise=uniform, year=year)
    assert updated.revenue == Decimal("3350000.00") and updated.profit == Decimal("430000.00")  # typed 999 ignored
    assert updated.history.count() == 2  # the import kept the audit trail


def test_bad_rows_are_listed_in_chinese_and_nothing_is_saved(director_client, year):
    EnterpriseFactory(name="宏达乳胶漆厂")
    rows = [
        ["宏达乳胶漆厂", 2024, 1260000, None, None, 0, 0, 18, 0, ""],
        ["不存在的厂", 2024, 1000, 10, None, 0, 0, -1, 0, ""],
    ]
    response = _upload(director_client, rows)
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 2 行" in body and "请填写成本" in body
    assert "第 3 行" in body and "找不到企业“不存在的厂”" in body
    assert not EnterpriseYearStat.objects.exists()


def test_principal_cannot_import_enterprise_figures(principal_a_client, enterprise_a, year):
    response = _upload(principal_a_client, [[enterprise_a.name, 2024, 1, 1, None, 0, 0, 0, 0, ""]])
    assert response.status_code == 403
    assert not EnterpriseYearStat.objects.exists()


def test_export_is_scoped(principal_a_client, auditor_client, enterprise_a, enterprise_b, bureau_enterprise, year):
    YearStatFactory(enterprise=enterprise_a, year=year)
    YearStatFactory(enterprise=enterprise_b, year=year)
    YearStatFactory(enterprise=bureau_enterprise, year=year)
    url = reverse("excel:export", kwargs={"key": "enterprise_figures"}) + "?year=2024"

    def names(client):
        response = client.get(url)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
        return sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))

    assert names(principal_a_client) == [enterprise_a.name]
    assert names(auditor_client) == sorted([enterprise_a.name, enterprise_b.name, bureau_enterprise.name])
