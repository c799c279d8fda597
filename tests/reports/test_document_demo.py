"""The demo county's 2024 summary and school sheets, read back from the PDFs: profit only
against known cost, one value per quantity across the whole document,
and the generic prose checks of tests/reports/document.py. The summary is 贵溪市's own (the
demo's other counties have summaries of their own)."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.reports import document as doc
from workstudy.demo import demo_county
from workstudy.models import School


def base_profit_by_hand(year: int, county=None) -> tuple[Decimal, Decimal]:
    """(profit, revenue without accounts) of the bases (of ``county``'s schools when given),
    computed row by row here, not by the selectors: profit = Σ over bases with accounts (line
    values + other income − cost)."""
    from labor_bases.models import BaseYearFinance, ProductionLine

    finances, lines = BaseYearFinance.objects.filter(year_id=year), ProductionLine.objects.filter(year_id=year)
    if county is not None:
        finances, lines = finances.filter(base__school__county=county), lines.filter(base__school__county=county)
    accounts = {a.base_id: a for a in finances}
    profit, unmatched = Decimal(0), Decimal(0)
    for line in lines:
        if line.base_id in accounts:
            profit += line.value
        else:
            unmatched += line.value
    for acc in accounts.values():
        profit += acc.other_income - acc.cost
    return profit.quantize(Decimal("0.01")), unmatched.quantize(Decimal("0.01"))


@pytest.fixture
def demo(db):
    from django.core.cache import cache

    call_command("load_demo", verbosity=0)
    cache.clear()
    return demo_county()


def test_demo_summary_and_sheets_read_back(demo):
    summary = doc.summary_pdf(2024, county=demo)
    trace = doc.summary_pdf(2024, trace=True, county=demo)
    body = doc.flow(doc.body_pages(doc.pdf_pages(summary)))
    zhangping = School.objects.get(name="樟坪中心学校")

    # 1. Profit only against known cost: 樟坪中心学校 sells tea without accounts for 2024.
    profit, unmatched = base_profit_by_hand(2024, demo)
    assert unmatched > 0
    found = doc.quantities(trace)
    assert found["income.labor_bases.profit.2024"][0] == str(profit)
    assert found["income.labor_bases.unmatched.2024"] == [str(unmatched)]
    # The text says how much and whose; the appendix lists it.
    assert re.search(r"其中[0-9.,]+万元来自尚未填报成本的基地（[^）]*樟坪中心学校", body)
    assert re.search(r"尚未填报成本的收入（[0-9.,]+万元）.*樟坪中心学校", body.split("附录一数据质量说明")[-1], re.S)
    sheet = doc.flow(doc.pdf_pages(doc.sheet_pdf(2024, zhangping)))
    assert "成本未报" in sheet
    on_sheet = doc.quantities(doc.sheet_pdf(2024, zhangping, trace=True))
    assert f"school.profit.{zhangping.pk}" not in on_sheet and f"school.cost.{zhangping.pk}" not in on_sheet
    assert on_sheet[f"school.unmatched.{zhangping.pk}"] == [on_sheet[f"school.revenue.{zhangping.pk}"][0]]

    # 2. One quantity, one value: the summary, and the sheets of every school it names.
    named = [zhangping] + list(School.objects.filter(name__in=["鸿塘中学", "周坊中学", "塔桥中小学"]))
    found = doc.quantities(trace, *(doc.sheet_pdf(2024, school, trace=True) for school in named))
    assert doc.conflicts(found) == {}
    printed_twice = {key for key, values in found.items() if len(values) > 1}
    # Text and table 1, text and table 6, text/table 4/chart, appendix and the school's sheet:
    assert {"income.labor_bases.revenue.2024", "income.labor_bases.profit.2024", "coverage.insured_parent_paid",
            "coverage.poor_free_by_insurer", "coverage.advance_amount", "land_total", "land.tea",
            "income.enterprises.revenue.2024", f"school.unmatched.{zhangping.pk}"} <= printed_twice

    # 7. The prose, generic checks over the whole summary (the examples paragraphs apart, see
    # below) and the sheets.
    assert doc.prose_problems(summary, examples=False) == {}
    for school in named:
        assert doc.prose_problems(doc.sheet_pdf(2024, school), summary=False) == {}, school.name


def test_demo_examples_paragraphs_read_back(demo):
    assert doc.prose_problems(doc.summary_pdf(2024, county=demo)) == {}
