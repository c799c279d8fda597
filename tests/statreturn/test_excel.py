"""Excel: a real .xlsx of the enterprises' return figures, imported by staff (preview, then
save); a file with one bad row saves nothing and names the row and the rule; principals may
not import; the export reads back."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from statreturn.models import EnterpriseReturn
from statreturn.resources import EnterpriseReturnResource

IMPORT = reverse("excel:import", args=["statreturn_enterprise"])
EXPORT = reverse("excel:export", args=["statreturn_enterprise"])


def _header():
    return [field.column_name for field in EnterpriseReturnResource().get_import_fields()]


def _book(*rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(_header())
    for row in rows:
        sheet.append(row)
    return workbook


def _row(name, **values):
    cells = {
        "企业": name,
        "年度": 2024,
        "行业": "工业建筑业",
        "总产值(元)": 500000,
        "资产总额(元)": 800000,
        "负债总额(元)": 300000,
        "所有者权益(元)": None,
        "减免税金(元)": 2000,
        "用于基地建设(元)": 1000,
        "用于改善办学条件(元)": 2000,
        "用于集体福利(元)": 500,
        "用于个人福利(元)": 500,
        "用于其他(元)": 0,
        "年末结余(元)": 15000,
        "备注": "",
    }
    cells.update(values)
    return [cells[column] for column in _header()]


def _upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "statreturn.xlsx"
    return client.post(IMPORT, {"year": 2024, "file": buffer})


def _issues(response):
    return [str(issue) for issue in response.context["report"].issues]


def test_import_new_and_update_then_export(director_client, stat_a, stat_b, return_b, enterprise_a, enterprise_b):
    workbook = _book(
        _row(enterprise_a.name, **{"行业": "第三产业"}),
        _row(enterprise_b.name, **{"资产总额(元)": 1000, "负债总额(元)": 1500, "所有者权益(元)": -500}),
    )
    preview = _upload(director_client, workbook)
    assert preview.status_code == 200 and _issues(preview) == []
    report = preview.context["report"]
    assert (report.new, report.update) == (1, 1)
    assert not EnterpriseReturn.objects.filter(enterprise=enterprise_a).exists()  # a preview writes nothing
    confirm = director_client.post(IMPORT, {"upload_id": preview.context["upload"].pk, "year": 2024})
    assert confirm.status_code == 302
    new = EnterpriseReturn.objects.get(enterprise=enterprise_a)
    assert (new.sector, new.equity, new.output_value) == ("tertiary", Decimal("500000.00"), Decimal("500000.00"))
    return_b.refresh_from_db()
    assert return_b.equity == Decimal("-500.00")
    exported = load_workbook(io.BytesIO(b"".join(director_client.get(EXPORT + "?year=2024").streaming_content)))
    sheet = exported.worksheets[0]
    header = [c.value for c in sheet[1]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[enterprise_a.name][header.index("行业")] == "第三产业"
    assert Decimal(str(rows[enterprise_b.name][header.index("所有者权益(元)")])) == Decimal("-500")


def test_one_bad_row_saves_nothing(director_client, stat_a, stat_b, enterprise_a, enterprise_b):
    workbook = _book(
        _row(enterprise_a.name),
        _row(enterprise_b.name, **{"所有者权益(元)": 1, "用于其他(元)": 999999}),
        _row("没有这个企业"),
        _row(enterprise_a.name, **{"行业": "采矿业"}),
    )
    preview = _upload(director_client, workbook)
    issues = " ".join(_issues(preview))
    assert "所有者权益应等于资产总额减负债总额" in issues
    assert "补贴教育经费的各项用途合计" in issues
    assert "找不到企业“没有这个企业”" in issues
    assert "“采矿业”不是可选项" in issues
    assert not EnterpriseReturn.objects.exists()


def test_principals_cannot_import(principal_a_client, stat_a, enterprise_a, submission_a):
    response = _upload(principal_a_client, _book(_row(enterprise_a.name)))
    assert response.status_code == 403
    assert not EnterpriseReturn.objects.exists()
