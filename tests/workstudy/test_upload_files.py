"""What a user sees when an upload is odd: hidden sheets, broken XML, a DOCTYPE, a cell
of ten million characters. Every case answers with the import page and a message in the
user's language, never a 500, and the page says which sheet it read."""

import io

import pytest
from django.urls import reverse

from workstudy.models import Submission

from . import xlsx_craft


def _post(client, data: bytes, name="data.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("excel:import", args=["school_counts"]), {"file": upload, "year": 2024})


def _text(response) -> str:
    return response.content.decode()


@pytest.fixture
def counts_a(submission_a):
    return submission_a


def test_hidden_first_sheet_is_skipped_and_the_page_names_the_sheet_read(principal_a_client, counts_a):
    hidden = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 999, 999, 0, 1]]))
    visible = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]))
    data = xlsx_craft.book([("旧数据", hidden, "hidden"), ("我的表", visible, None)])
    response = _post(principal_a_client, data)
    assert response.status_code == 200
    report = response.context["report"]
    assert report.ok, report.issues
    assert report.sheet == "我的表" and report.other_sheets == ["旧数据"]
    page = _text(response)
    assert "读取的工作表：“我的表”" in page and "旧数据" in page
    assert "620" in page and "999" not in page.replace("9999", "")


def test_the_sheet_named_like_the_template_wins_over_an_earlier_visible_one(principal_a_client, counts_a):
    from workstudy import excel

    names, _skip = excel.sheet_names(excel.get_registration("school_counts"))
    other = xlsx_craft.sheet_xml(xlsx_craft.row_xml(1, ["随便写的"]))
    data_sheet = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]))
    data = xlsx_craft.book([("草稿", other, None), (names[0], data_sheet, None)])
    report = _post(principal_a_client, data).context["report"]
    assert report.ok, report.issues
    assert report.sheet == names[0]


def test_only_hidden_sheets_get_a_message(principal_a_client, counts_a):
    sheet = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]))
    response = _post(principal_a_client, xlsx_craft.book([("数据", sheet, "hidden")]))
    assert response.status_code in (200, 400)  # 400: refused, with the page and its message
    assert "没有可见的工作表" in _text(response)


BROKEN = {
    "invalid character reference": xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]).replace("A001", "A&#1;001"),
    "tag left open": xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]).replace("</row>", "", 1),
    "not xml at all": "<<<>>>",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_xml_gets_a_clear_message(principal_a_client, counts_a, case):
    data = xlsx_craft.one_sheet(xlsx_craft.sheet_xml(BROKEN[case]))
    response = _post(principal_a_client, data)
    assert response.status_code in (200, 400)  # 400: refused, with the page and its message
    page = _text(response)
    assert "XML 格式错误" in page and "另存为 .xlsx" in page
    assert not Submission.objects.filter(school=counts_a.school, year=counts_a.year, student_count=620).exists()


def test_a_doctype_is_refused(principal_a_client, counts_a):
    xml = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]))
    xml = xml.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1)
    response = _post(principal_a_client, xlsx_craft.one_sheet(xml))
    assert response.status_code in (200, 400)  # 400: refused, with the page and its message
    assert "DOCTYPE" in _text(response)


def test_a_zip_that_is_not_a_workbook(principal_a_client, counts_a):
    response = _post(principal_a_client, b"PK\x03\x04 not really a zip")
    assert response.status_code in (200, 400)  # 400: refused, with the page and its message
    assert "不是 Excel（.xlsx）文件" in _text(response)


def test_the_preview_clips_a_huge_cell(principal_a_client, counts_a):
    text = "7" * 100_000
    data = xlsx_craft.one_sheet(xlsx_craft.sheet_xml(xlsx_craft.table([[text, 2024, 45, 620, 0, 12]])))
    response = _post(principal_a_client, data)
    assert response.status_code in (200, 400)  # 400: refused, with the page and its message
    page = _text(response)
    assert "7" * 1000 not in page, "a cell is shown whole"
    assert len(page) < 60_000


def test_english_page_names_the_sheet(principal_a_client, counts_a):
    principal_a_client.cookies["django_language"] = "en"
    sheet = xlsx_craft.sheet_xml(xlsx_craft.table([["A001", 2024, 45, 620, 0, 12]]))
    response = _post(principal_a_client, xlsx_craft.book([("Counts", sheet, None)]))
    assert "Sheet read: “Counts”" in _text(response)
