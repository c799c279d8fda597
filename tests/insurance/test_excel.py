"""Excel kinds insurance_coverage (import/export) and insurance_claims (masked export)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insurance.models import StudentAccidentCoverage
from tests.factories import xlsx_upload

pytestmark = pytest.mark.django_db

HEADERS = ["学校", "年度", "在校学生数", "家长自愿投保人数", "贫困家庭学生数", "保险公司免费投保贫困生", "学校垫付贫困生",
           "学校垫付金额（元）", "已留存自愿投保确认"]


def xlsx(rows, headers=HEADERS):
    return xlsx_upload(headers, rows)


def upload(client, data):
    return client.post(reverse("excel:import", args=["insurance_coverage"]), {"file": data, "year": 2024})


def test_template_headers(principal_a_client, year):
    response = principal_a_client.get(reverse("excel:template", args=["insurance_coverage"]))
    assert [c.value for c in load_workbook(io.BytesIO(response.content)).worksheets[0][1]] == HEADERS


def test_import_preview_confirm(director_client, school_a, school_b, submission_a, submission_b):
    data = xlsx([[school_a.name, 2024, 400, 300, 20, 12, 8, 400, "是"], ["B001", None, 380, 250, 10, 10, 0, 0, "是"]])
    response = upload(director_client, data)
    assert response.status_code == 200, [str(i) for i in response.context["report"].issues]
    assert not StudentAccidentCoverage.objects.exists()
    response = director_client.post(reverse("excel:import", args=["insurance_coverage"]),
                                    {"upload_id": response.context["upload"].pk})
    assert response.status_code == 302
    assert StudentAccidentCoverage.objects.get(school=school_b).insured_parent_paid == 250
    assert StudentAccidentCoverage.objects.get(school=school_a).advance_amount == 400


def test_import_rule_error_names_row(principal_a_client, school_a, submission_a):
    response = upload(principal_a_client, xlsx([["", 2024, 400, 390, 20, 12, 8, 400, "是"]]))
    assert response.status_code == 400
    messages = [str(i) for i in response.context["report"].issues]
    assert any("第 2 行" in m and "超过了本校年度基本情况中的学生人数 400 人" in m for m in messages), messages
    assert not StudentAccidentCoverage.objects.exists()


def test_import_never_writes_the_school_counts(principal_a_client, school_a, submission_a):
    """在校学生数 / 贫困家庭学生数 are the submission's (entered once, in the counts form): the
    import reads neither column, and the export shows the submission's numbers."""
    response = upload(principal_a_client, xlsx([["", 2024, 999, 300, 99, 12, 8, 400, "是"]]))
    assert response.status_code == 200, [str(i) for i in response.context["report"].issues]
    principal_a_client.post(reverse("excel:import", args=["insurance_coverage"]),
                            {"upload_id": response.context["upload"].pk})
    row = StudentAccidentCoverage.objects.get(school=school_a)
    submission_a.refresh_from_db()
    assert (submission_a.student_count, submission_a.poor_student_count) == (400, 20)
    assert (row.enrolled, row.poor_students, row.insured_parent_paid) == (400, 20, 300)
    exported = principal_a_client.get(reverse("excel:export", args=["insurance_coverage"]) + "?year=2024")
    rows = list(load_workbook(io.BytesIO(b"".join(exported.streaming_content))).active.values)
    header, values = rows[0], rows[1]
    assert values[header.index("在校学生数")] in (400, "400") and values[header.index("贫困家庭学生数")] in (20, "20")


def test_principal_cannot_import_school_b(principal_a_client, school_b, submission_a):
    response = upload(principal_a_client, xlsx([[school_b.name, 2024, 400, 300, 20, 12, 8, 400, "是"]]))
    assert response.status_code == 400 and not StudentAccidentCoverage.objects.exists()


def test_claims_export_is_masked(director_client, principal_a_client, claim_a, claim_b):
    response = director_client.get(reverse("excel:export", args=["insurance_claims"]) + "?year=2024")
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.values)
    header = rows[0]
    names = {r[header.index("受伤人员")] for r in rows[1:]}
    ids = {r[header.index("身份证号")] for r in rows[1:]}
    assert names == {"张**", "李*"} and ids == {"3623**********1234"}
    assert "张三丰" not in str(rows) and "362301200801011234" not in str(rows)
    response = principal_a_client.get(reverse("excel:export", args=["insurance_claims"]) + "?year=2024")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 2


def test_claims_are_not_importable(director_client, year):
    assert director_client.get(reverse("excel:import", args=["insurance_claims"])).status_code == 403
