"""Excel: a real .xlsx exported, changed and imported back (preview, then save), scoped to
the user's school; rule errors name their row; the bases column is export-only."""

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import Workbook, load_workbook

from labor_education.models import LaborEducation
from labor_education.resources import BASES_COLUMN
from tests.labor_education.factories import LaborEducationFactory

IMPORT = reverse("excel:import", args=["labor_education"])
EXPORT = reverse("excel:export", args=["labor_education"])


def _export(client):
    response = client.get(EXPORT + "?year=2024")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _upload(client, workbook):
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "labor_education.xlsx"
    return client.post(IMPORT, {"year": 2024, "file": buffer})


def _confirm(client, preview):
    return client.post(IMPORT, {"upload_id": preview.context["upload"].pk, "year": 2024})


def test_round_trip_export_change_import(director_client, record_a, record_b, base_a, school_a, school_b):
    record_a.bases_used.set([base_a])
    workbook = _export(director_client)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["学校", "年度", "劳动教育课（课时/周）"] and BASES_COLUMN in header
    rows = {row[0]: list(row) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[school_a.name][header.index(BASES_COLUMN)] == base_a.name
    assert rows[school_b.name][header.index("开展劳动周")] == "是"
    # Change school B's row: 1.5 periods, no 劳动周 (0 days), 200 students.
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == school_b.name:
            row[header.index("劳动教育课（课时/周）")].value = 1.5
            row[header.index("开展劳动周")].value = "否"
            row[header.index("劳动周天数")].value = 0
            row[header.index("参与学生（人）")].value = 200
            row[header.index(BASES_COLUMN)].value = "不读这一列"
    preview = _upload(director_client, workbook)
    assert preview.status_code == 200, [str(i) for i in preview.context["report"].issues]
    report = preview.context["report"]
    assert report.update == 2 and report.new == 0
    assert _confirm(director_client, preview).status_code == 302
    record_b.refresh_from_db()
    assert (record_b.class_periods_per_week, record_b.labor_week_held, record_b.labor_week_days,
            record_b.students_taking_part) == (Decimal("1.50"), False, 0, 200)
    assert list(LaborEducation.objects.get(pk=record_a.pk).bases_used.all()) == [base_a]  # untouched
    assert LaborEducation.objects.count() == 2


def test_principal_exports_own_and_imports_new_record(principal_a_client, record_b, school_a, school_b, submission_a):
    workbook = _export(principal_a_client)
    sheet = workbook.worksheets[0]
    assert sheet.max_row == 1  # only the header: school B's record is not A's
    sheet.append(["", 2024, 2, 3, "是", 5, 350, "新填"])
    preview = _upload(principal_a_client, workbook)
    assert preview.status_code == 200, [str(i) for i in preview.context["report"].issues]
    assert _confirm(principal_a_client, preview).status_code == 302
    record = LaborEducation.objects.get(school=school_a)
    assert (record.out_of_class_hours_per_week, record.students_taking_part, record.note) == (Decimal("3.00"), 350, "新填")


def test_import_refuses_rule_errors_and_another_school(principal_a_client, school_a, school_b, submission_a,
                                                      submission_b):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["学校", "年度", "劳动教育课（课时/周）", "课外劳动（小时/周）", "开展劳动周", "劳动周天数",
                  "参与学生（人）", "备注"])
    sheet.append(["", 2024, 1, 2, "否", 3, 500, ""])
    sheet.append([school_b.code, 2024, 1, 2, "是", 5, 100, ""])
    response = _upload(principal_a_client, workbook)
    assert response.status_code == 400
    body = response.content.decode()
    assert "第 2 行" in body and "劳动周天数应为 0" in body and "不能超过本校 2024 年度学生人数（400 人）" in body
    assert "第 3 行" in body and school_b.name not in body
    assert not LaborEducation.objects.exists()


def test_export_of_many_rows_reads_bases_in_few_queries(director_client, year, django_assert_max_num_queries):
    from tests.factories import SchoolFactory, SubmissionFactory
    from tests.labor_bases.factories import LaborBaseFactory

    for _ in range(5):
        school = SchoolFactory()
        SubmissionFactory(school=school, year=year)
        LaborEducationFactory(school=school, year=year).bases_used.set([LaborBaseFactory(school=school)])
    with django_assert_max_num_queries(20):
        assert _export(director_client).worksheets[0].max_row == 6
