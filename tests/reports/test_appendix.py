"""The data-quality appendix stays readable at any size: past ``APPENDIX_ROWS`` it counts the
open warnings by rule and the unapproved schools by status, lists the first rows, and the
complete lists are in the data-quality workbook."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports import figures, pdf
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy.models import SubmissionStatus


@pytest.fixture
def messy_year(db):
    """Five schools: four not approved (3 draft, 1 submitted), each with an LB-03 warning
    (plots 10 亩 against a declared 12 亩); one approved school without warnings."""
    year = ReportingYearFactory(year=2024)
    schools = [SchoolFactory(code=f"Q{n:03d}", name=f"质量{n}校") for n in range(5)]
    for n, school in enumerate(schools[:4]):
        SubmissionFactory(school=school, year=year,
                          status=SubmissionStatus.SUBMITTED if n == 3 else SubmissionStatus.DRAFT)
        base = LaborBaseFactory(school=school, declared_total_mu=Decimal("12"))
        LandParcelFactory(base=base, year=year, area_mu=Decimal("10"))
    SubmissionFactory(school=schools[4], year=year, status=SubmissionStatus.APPROVED)
    return year


def _lb03(summary):
    return [r for r in summary.data["findings_by_rule"] if r["code"] == "LB-03"]


def test_small_appendix_lists_everything(messy_year):
    data = figures.compute(2024).data
    assert data["pending_total"] == 4 and data["pending_more"] == 0
    assert [p["code"] for p in data["pending_submissions"]] == ["Q000", "Q001", "Q002", "Q003"]
    [lb03] = _lb03(figures.compute(2024))
    assert (lb03["count"], lb03["school_count"]) == (4, 4)
    assert data["findings_more"] == 0 and data["findings_total"] == len(data["findings"])


def test_large_appendix_is_counted_and_capped(messy_year, monkeypatch):
    monkeypatch.setattr(figures, "APPENDIX_ROWS", 2)
    summary = figures.compute(2024)
    data = summary.data
    assert data["pending_total"] == 4 and data["pending_more"] == 2
    assert [p["code"] for p in data["pending_submissions"]] == ["Q000", "Q001"]
    assert sorted((r["status"], r["count"]) for r in data["pending_by_status"]) == [("填报中", 3), ("已上报", 1)]
    assert data["findings_total"] >= 4 and len(data["findings"]) == 2
    assert data["findings_more"] == data["findings_total"] - 2
    assert _lb03(summary)[0]["count"] == 4 and _lb03(summary)[0]["school_count"] == 4

    html = pdf.summary_html_for_pdf(summary)
    assert "另有2所未列出" in html and f"另有{data['findings_more']}条未列出" in html
    assert "质量0校" in html and "质量3校" not in html  # the fourth school is only counted
    assert "数据质量清单（Excel）" in html


def test_summary_page_links_the_workbook(messy_year, director_client, monkeypatch):
    monkeypatch.setattr(figures, "APPENDIX_ROWS", 2)
    body = director_client.get("/reports/2024/").content.decode()
    assert "/reports/2024/quality.xlsx" in body and "另有2所未列出" in body


def test_workbook_holds_every_row(messy_year, auditor_client, monkeypatch):
    monkeypatch.setattr(figures, "APPENDIX_ROWS", 1)
    response = auditor_client.get("/reports/2024/quality.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    pending, warnings, accepted = (list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets)
    assert accepted == [("规则", "规则名称", "学校", "对象", "说明", "学校的说明")], "none accepted yet"
    assert pending[0] == ("学校代码", "学校", "填报状态")
    assert [row[0] for row in pending[1:]] == ["Q000", "Q001", "Q002", "Q003"]
    lb03 = [row for row in warnings[1:] if row[0] == "LB-03"]
    assert sorted(row[2] for row in lb03) == ["质量0校", "质量1校", "质量2校", "质量3校"]
    assert all("12" in row[4] and "10" in row[4] for row in lb03)


def test_workbook_escapes_formula_like_names(messy_year, director_client):
    SubmissionFactory(school=SchoolFactory(code="Q900", name="=HYPERLINK(1)"), year=messy_year)
    book = load_workbook(io.BytesIO(director_client.get("/reports/2024/quality.xlsx").content))
    names = [row[1] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "=HYPERLINK(1)" not in names and any(str(n).endswith("=HYPERLINK(1)") for n in names)


@pytest.fixture
def many_enterprises(db):
    from tests.enterprises.factories import EnterpriseFactory, YearStatFactory

    year = ReportingYearFactory(year=2024)
    for n, revenue in enumerate(("400000.10", "300000.20", "200000.30", "100000.45")):
        YearStatFactory(enterprise=EnterpriseFactory(name=f"大企业{n}"), year=year, revenue=Decimal(revenue),
                        cost=Decimal("50000.01"), employees=10 + n)
    return year


def test_enterprise_table_keeps_the_largest_and_sums_the_rest(many_enterprises, monkeypatch):
    monkeypatch.setattr(figures, "TABLE_ROWS", 2)
    data = figures.compute(2024).data
    table = data["enterprise_table"]
    assert [r["name"] for r in table["rows"]] == ["大企业0", "大企业1"]
    rest = table["rest"]
    # 200000.30 + 100000.45 and 2 x 50000.01, to the cent: the table still adds up to 合计
    assert (rest["count"], rest["revenue"], rest["cost"], rest["employees"]) == (
        2, Decimal("300000.75"), Decimal("100000.02"), 25)
    totals = data["enterprise_figures"]["totals"]
    assert sum((r["revenue"] for r in table["rows"]), rest["revenue"]) == totals["revenue"]
    html = pdf.summary_html_for_pdf(figures.compute(2024))
    assert "其余2家" in html and "营业收入前2家" in html and "大企业2" not in html.split("表3")[1].split("</table>")[0]


def test_sentences_name_a_few_and_say_等(many_enterprises, monkeypatch):
    from reports import wording

    monkeypatch.setattr(wording, "NAMED_IN_TEXT", 2)
    html = re.sub("<[^>]+>", "", pdf.summary_html_for_pdf(figures.compute(2024)))
    assert "大企业0（" in html and "大企业1（" in html and "大企业3（" not in html
    assert "等四家" in html  # 目前勤工办下挂企业有…等四家
    monkeypatch.setattr(wording, "NAMED_IN_TEXT", 10)
    html = re.sub("<[^>]+>", "", pdf.summary_html_for_pdf(figures.compute(2024)))
    assert "大企业3（" in html and "等四家" not in html
