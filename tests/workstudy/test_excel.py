"""The Excel pipeline through its URLs: template, preview, all-or-nothing save, scoping,
hostile files, export escaping. Uses the core kind "school_counts"."""

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from workstudy.models import ReportingYear, Submission, SubmissionStatus

HEADERS = ["学校", "年度", "教职工人数", "学生人数", "寄宿生人数", "贫困家庭学生人数"]


def xlsx(rows, headers=HEADERS, merge=None):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "data.xlsx"
    return buffer


def upload(client, data, year=2024):
    return client.post(reverse("excel:import", args=["school_counts"]), {"file": data, "year": year})


def issues(response):
    return [str(i) for i in response.context["report"].issues]


@pytest.fixture
def subs(submission_a, submission_b):
    return submission_a, submission_b


def test_template_has_chinese_headers_and_instructions(principal_a_client, year):
    response = principal_a_client.get(reverse("excel:template", args=["school_counts"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == HEADERS
    assert workbook.worksheets[1].title == "填写说明"


def test_preview_then_confirm_saves_all_rows(director_client, subs, school_a, school_b):
    response = upload(director_client, xlsx([[school_a.name, 2024, 31, 410, 100, 12], ["B001", None, 20, 300, 0, 5]]))
    assert response.status_code == 200, issues(response)
    report, stored = response.context["report"], response.context["upload"]
    assert report.ok and report.update == 2
    # Nothing saved by the preview.
    assert Submission.objects.get(school=school_a).staff_count == 30
    response = director_client.post(reverse("excel:import", args=["school_counts"]), {"upload_id": stored.pk})
    assert response.status_code == 302
    assert Submission.objects.get(school=school_a).staff_count == 31
    assert Submission.objects.get(school=school_b).student_count == 300
    # The history records the import like any other change.
    assert Submission.objects.get(school=school_b).history.count() >= 2
    # The same upload cannot be confirmed twice.
    director_client.post(reverse("excel:import", args=["school_counts"]), {"upload_id": stored.pk})
    assert Submission.objects.get(school=school_a).version == 2


def test_one_bad_row_saves_nothing_and_names_row_and_column(director_client, subs, school_a, school_b):
    response = upload(director_client, xlsx([[school_a.name, 2024, 31, 410, 0, 12], [school_b.name, 2024, 20, 300, 0, 500]]))
    assert response.status_code == 400
    messages = issues(response)
    assert any("第 3 行" in m and "贫困家庭学生人数" in m and "500" in m for m in messages), messages
    assert response.context["upload"] is None
    assert Submission.objects.get(school=school_a).staff_count == 30


def test_principal_cannot_import_rows_of_another_school(principal_a_client, subs, school_b):
    response = upload(principal_a_client, xlsx([[school_b.name, 2024, 99, 999, 0, 1]]))
    assert response.status_code == 400
    assert any("不是本校" in m and "第 2 行" in m for m in issues(response)), issues(response)
    assert Submission.objects.get(school=school_b).staff_count == 30


def test_principal_blank_school_means_own_school(principal_a_client, subs, school_a):
    response = upload(principal_a_client, xlsx([[None, None, 14, 101, 0, 9]]))
    assert response.status_code == 200, issues(response)
    principal_a_client.post(reverse("excel:import", args=["school_counts"]), {"upload_id": response.context["upload"].pk})
    assert Submission.objects.get(school=school_a).student_count == 101


def test_principal_blocked_after_submitting(principal_a_client, subs, school_a):
    Submission.objects.filter(school=school_a).update(status=SubmissionStatus.SUBMITTED)
    response = upload(principal_a_client, xlsx([[None, None, 14, 101, 0, 9]]))
    assert response.status_code == 400
    assert any("已上报" in m for m in issues(response)), issues(response)


def test_locked_year_refuses_import_with_reason(director_client, subs, school_a, director):
    ReportingYear.objects.filter(pk=2024).update(status="locked", locked_by=director)
    response = upload(director_client, xlsx([[school_a.name, 2024, 14, 101, 0, 9]]))
    assert response.status_code == 400
    assert any("锁定" in m for m in issues(response)), issues(response)


def test_auditor_cannot_import(auditor_client, subs):
    assert auditor_client.get(reverse("excel:import", args=["school_counts"])).status_code == 403
    assert upload(auditor_client, xlsx([])).status_code == 403


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("１２３", "全角"),
        ("1,234", "千位分隔符"),
        ("1.2万", "万"),
        ("abc", "不是数字"),
        ("12.5", "整数"),
        ("=1+1", "公式"),
    ],
)
def test_bad_cells_are_named(director_client, subs, school_a, cell, expected):
    response = upload(director_client, xlsx([[school_a.name, 2024, cell, 410, 0, 1]]))
    assert response.status_code == 400
    messages = issues(response)
    assert any(expected in m and "第 2 行" in m and "教职工人数" in m for m in messages), messages
    assert Submission.objects.get(school=school_a).staff_count == 30


def test_real_formula_cell_is_refused(director_client, subs, school_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append([school_a.name, 2024, "=10*3", 400, 0, 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "f.xlsx"
    response = upload(director_client, buffer)
    assert any("公式" in m for m in issues(response))


def test_missing_and_extra_columns(director_client, subs, school_a):
    response = upload(director_client, xlsx([[school_a.name, 2024, 1]], headers=["学校", "年度", "教职工", "备注"]))
    message = issues(response)[0]
    assert "缺少列" in message and "学生人数" in message and "多余的列" in message and "备注" in message


def test_duplicate_rows(director_client, subs, school_a):
    response = upload(director_client, xlsx([[school_a.name, 2024, 1, 2, 0, 0], [school_a.name, 2024, 3, 4, 0, 0]]))
    assert any("与第 2 行重复" in m and "第 3 行" in m for m in issues(response)), issues(response)


def test_merged_cells(director_client, subs, school_a):
    response = upload(director_client, xlsx([[school_a.name, 2024, 1, 2, 0, 0]], merge="C2:D2"))
    assert any("合并单元格" in m for m in issues(response))


def test_not_a_spreadsheet_and_corrupt_zip(director_client, subs):
    text = io.BytesIO(b"name,staff\nA,1\n")
    text.name = "x.xlsx"
    assert any("不是 Excel" in m for m in issues(upload(director_client, text)))
    broken = io.BytesIO(b"PK\x03\x04" + b"\x00" * 200)
    broken.name = "y.xlsx"
    assert any("Excel" in m for m in issues(upload(director_client, broken)))


def test_zip_bomb_refused(director_client, subs):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    buffer.seek(0)
    buffer.name = "bomb.xlsx"
    assert any("异常庞大" in m for m in issues(upload(director_client, buffer)))


def test_size_and_row_limits(director_client, subs, school_a, settings):
    settings.EXCEL_MAX_ROWS = 2
    rows = [[f"S{i}", 2024, 1, 2, 0, 0] for i in range(3)]
    assert any("超过 2 行" in m for m in issues(upload(director_client, xlsx(rows))))
    settings.EXCEL_MAX_UPLOAD_BYTES = 100
    response = upload(director_client, xlsx(rows))
    assert response.status_code == 400 and "文件太大" in response.context["error"]


def test_text_dates_and_unknown_year(director_client, subs, school_a):
    response = upload(director_client, xlsx([[school_a.name, 2031, 1, 2, 0, 0]]))
    assert any("2031" in m and "尚未开放" in m for m in issues(response)), issues(response)


def test_export_is_scoped_and_escapes_formulas(principal_a_client, director_client, subs, school_a, school_b):
    Submission.objects.filter(school=school_b).update(explanation="=HYPERLINK(\"http://x\")")
    response = principal_a_client.get(reverse("excel:export", args=["school_counts"]) + "?year=2024")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    names = [row[0].value for row in workbook.worksheets[0].iter_rows(min_row=2)]
    assert names == [school_a.name]
    from workstudy.excel import escape_cell

    assert escape_cell("=SUM(A1)") == "'=SUM(A1)" and escape_cell("@x") == "'@x" and escape_cell("ok") == "ok"
    response = director_client.get(reverse("excel:export", args=["school_counts"]))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(list(workbook.worksheets[0].iter_rows(min_row=2))) == 2


def test_year_written_as_text_is_named(director_client, subs, school_a):
    response = upload(director_client, xlsx([[school_a.name, "2024年", 1, 2, 0, 0]]))
    assert any("第 2 行" in m and "年度" in m and "2024年" in m for m in issues(response)), issues(response)


@pytest.mark.parametrize(
    "raw, expected", [("2024/3/5", "2024-03-05"), ("2024年3月5日", "2024-03-05"), ("2024-03-05", "2024-03-05")]
)
def test_text_dates_in_date_columns_are_read(raw, expected):
    import datetime as dt

    from import_export import widgets

    from workstudy.excel.checking import _normalise_cell

    problems = []
    value = _normalise_cell(raw, "s", widgets.DateWidget(), "出险日期", 5, problems)
    assert value == dt.date.fromisoformat(expected) and not problems


def test_unreadable_text_date_is_named():
    from import_export import widgets

    from workstudy.excel.checking import _normalise_cell

    problems = []
    assert _normalise_cell("三月五日", "s", widgets.DateWidget(), "出险日期", 5, problems) is None
    assert "第 5 行" in str(problems[0]) and "出险日期" in str(problems[0]) and "不是有效日期" in str(problems[0])
