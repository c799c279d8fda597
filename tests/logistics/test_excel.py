"""Excel: import of a real .xlsx through the URL (preview, then save), scoped to the principal's school."""

import io

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from logistics.models import ExamSite, SalesLine, SchoolService
from tests.logistics.factories import ShopFactory


def _xlsx(rows):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "upload.xlsx"
    return buffer


SERVICE_HEADER = ["学校", "年度", "项目", "名称", "经营方式", "经营方", "备注"]


def _upload_and_confirm(client, key, rows, year=2024):
    url = reverse("excel:import", kwargs={"key": key})
    preview = client.post(url, {"year": year, "file": _xlsx(rows)})
    if preview.status_code != 200 or preview.context.get("upload") is None:
        return preview
    return client.post(url, {"upload_id": preview.context["upload"].pk, "year": year})


def test_principal_imports_own_school_services(principal_a_client, school_a, year, submission_a):
    rows = [SERVICE_HEADER, ["", 2024, "食堂", "", "承包", "王五", ""], ["", 2024, "学生公寓", "", "自营", "", ""]]
    response = _upload_and_confirm(principal_a_client, "logistics_school_services", rows)
    assert response.status_code == 302
    assert sorted(SchoolService.objects.values_list("school_id", "kind", "mode", "operator")) == [
        (school_a.pk, "canteen", "contracted", "王五"), (school_a.pk, "dormitory", "self_run", ""),
    ]


def test_principal_import_refuses_other_school_and_rule_errors(principal_a_client, school_a, school_b, year,
                                                               submission_a):
    rows = [SERVICE_HEADER, [school_b.code, 2024, "食堂", "", "自营", "", ""], ["", 2024, "食堂", "", "托管", "", ""]]
    url = reverse("excel:import", kwargs={"key": "logistics_school_services"})
    response = principal_a_client.post(url, {"year": 2024, "file": _xlsx(rows)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 2 行" in body and "不是本校" in body
    assert "第 3 行" in body and "请填写经营方" in body
    assert school_b.name not in body
    assert not SchoolService.objects.exists()


def test_staff_imports_sales_and_sites(director_client, year, centre, program, school_b):
    ShopFactory(centre=centre, name="一号店", categories="stationery")
    rows = [["服务中心", "年度", "店面", "商品类别", "客户类型", "销售额（元）", "备注"],
            [centre.name, 2024, "一号店", "文化办公用品", "学校", 1500.5, ""],
            [centre.name, 2024, "", "体育器材", "社会", 800, ""]]
    assert _upload_and_confirm(director_client, "logistics_sales", rows).status_code == 302
    assert sorted(str(a) for a in SalesLine.objects.values_list("amount", flat=True)) == ["1500.50", "800.00"]
    rows = [["年度", "承办学校", "食宿考生（人）", "床位（张）", "备注"], [2024, school_b.code, 300, 310, ""]]
    assert _upload_and_confirm(director_client, "logistics_exam_sites", rows).status_code == 302
    assert ExamSite.objects.get().host_school == school_b


def test_exam_site_import_enforces_one_bed_each(director_client, program, school_b):
    rows = [["年度", "承办学校", "食宿考生（人）", "床位（张）", "备注"], [2024, school_b.code, 300, 200, ""]]
    response = director_client.post(reverse("excel:import", kwargs={"key": "logistics_exam_sites"}),
                                     {"year": 2024, "file": _xlsx(rows)})
    assert response.status_code == 400 and "一人一床" in response.content.decode()


def test_principal_export_only_own_rows(principal_a_client, service_a, service_b):
    response = principal_a_client.get(reverse("excel:export", kwargs={"key": "logistics_school_services"}) + "?year=2024")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("学校", "年度", "项目")
    assert [r[0] for r in rows[1:]] == [service_a.school.name]


def test_principal_cannot_import_sales(principal_a_client):
    assert principal_a_client.get(reverse("excel:import", kwargs={"key": "logistics_sales"})).status_code == 403
