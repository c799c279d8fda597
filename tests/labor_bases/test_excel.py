"""Excel kinds labor_plots / labor_production through the real URLs."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from labor_bases.models import LandParcel, ProductionLine
from tests.factories import xlsx_upload as xlsx

PLOT_HEADERS = ["学校", "基地名称", "年度", "土地类型", "其他类型说明", "种植/养殖品种", "面积(亩)", "备注"]


def upload(client, key, data):
    return client.post(reverse("excel:import", args=[key]), {"file": data, "year": 2024})


def test_template_headers(principal_a_client, year):
    response = principal_a_client.get(reverse("excel:template", args=["labor_plots"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [c.value for c in sheet[1]] == PLOT_HEADERS


def test_principal_imports_own_plots_all_or_nothing(principal_a_client, base_a, base_b, year):
    good = ["", base_a.name, 2024, "茶园", "", "茶", 12, ""]
    bad_other_school = [base_b.school.code, base_b.name, 2024, "果园", "", "桔", 30, ""]
    response = upload(principal_a_client, "labor_plots", xlsx(PLOT_HEADERS, [good, bad_other_school]))
    text = " ".join(str(i) for i in response.context["report"].issues)
    assert "第 3 行" in text, text
    assert not LandParcel.objects.exists()

    zero_area = ["", base_a.name, 2024, "粮田", "", "水稻", 0, ""]
    response = upload(principal_a_client, "labor_plots", xlsx(PLOT_HEADERS, [good, zero_area]))
    text = " ".join(str(i) for i in response.context["report"].issues)
    assert "第 3 行" in text and "面积必须大于 0 亩" in text, text
    assert not LandParcel.objects.exists()

    response = upload(principal_a_client, "labor_plots", xlsx(PLOT_HEADERS, [good]))
    assert response.status_code == 200 and response.context["report"].ok, response.context["report"].issues
    stored = response.context["upload"]
    response = principal_a_client.post(reverse("excel:import", args=["labor_plots"]), {"upload_id": stored.pk})
    assert response.status_code == 302
    plot = LandParcel.objects.get()
    assert (plot.base, plot.year_id, plot.land_type, plot.area_mu) == (base_a, 2024, "tea", Decimal("12.00"))


def test_production_import_computes_value(principal_a_client, base_a, year):
    headers = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]
    response = upload(principal_a_client, "labor_production",
                      xlsx(headers, [["", base_a.name, 2024, "茶叶", "一级嫩茶", 120, "千克", 300, 1, ""]]))
    assert response.context["report"].ok, response.context["report"].issues
    principal_a_client.post(reverse("excel:import", args=["labor_production"]), {"upload_id": response.context["upload"].pk})
    assert ProductionLine.objects.get().value == Decimal("36000.00")


def test_export_is_scoped(principal_a_client, tea_a, orchard_b, school_b):
    response = principal_a_client.get(reverse("excel:export", args=["labor_plots"]) + "?year=2024")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).worksheets[0].values)
    assert len(rows) == 2 and school_b.name not in str(rows)


def test_an_export_uploads_again_unchanged(principal_a_client, base_a, year):
    """What the export writes, the import reads: the file downloaded, uploaded again as it
    is, checks clean and leaves the rows as they were."""
    headers = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]
    rows = [["", base_a.name, 2024, "茶叶", "一级嫩茶", 120, "千克", "300.50", "", "春茶 <特级> & 礼盒"],
            ["", base_a.name, 2024, "雪梨", "", "1.25", "斤", 4, "", ""]]
    response = upload(principal_a_client, "labor_production", xlsx(headers, rows))
    principal_a_client.post(reverse("excel:import", args=["labor_production"]), {"upload_id": response.context["upload"].pk})
    before = sorted(ProductionLine.objects.values_list("product", "quantity", "unit_price", "value", "note"))
    assert len(before) == 2

    response = principal_a_client.get(reverse("excel:export", args=["labor_production"]) + "?year=2024")
    exported = io.BytesIO(b"".join(response.streaming_content))
    exported.name = "export.xlsx"
    assert [c.value for c in load_workbook(exported).worksheets[0][1]] == headers
    exported.seek(0)
    response = upload(principal_a_client, "labor_production", exported)
    assert response.context["report"].ok, response.context["report"].issues
    principal_a_client.post(reverse("excel:import", args=["labor_production"]), {"upload_id": response.context["upload"].pk})
    assert sorted(ProductionLine.objects.values_list("product", "quantity", "unit_price", "value", "note")) == before


def test_preview_lists_every_problem_of_every_row_in_one_pass(principal_a_client, base_a, year):
    headers = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]
    rows = [
        ["", base_a.name, 2024, "茶叶", "甲", "十二", "千克", 300, "", ""],  # letters in a number
        ["", "没有这个基地", 2024, "茶叶", "乙", 12, "千克", 300, "", ""],  # a base that does not exist
        ["", base_a.name, 2024, "茶叶", "丙", 12, "吨半", 300, "", ""],  # a unit not in the list
        ["", base_a.name, 2024, "茶叶", "丁", 12, "千克", -2, "", ""],  # a negative price
        ["", base_a.name, 2024, "茶叶", "戊", -10, "千克", "abc", "", ""],  # two problems in one row
    ]
    report = upload(principal_a_client, "labor_production", xlsx(headers, rows)).context["report"]
    assert not report.ok
    by_row: dict = {}
    for issue in report.issues:
        by_row.setdefault(issue.row, []).append(str(issue))
    assert sorted(by_row) == [2, 3, 4, 5, 6], by_row
    assert len(by_row[6]) == 2, by_row[6]
    assert any("产量" in text for text in by_row[2]) and any("基地" in text for text in by_row[3])
    assert any("计量单位" in text for text in by_row[4]) and any("平均单价" in text for text in by_row[5])
    assert not ProductionLine.objects.exists()
