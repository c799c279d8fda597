"""Whatever a page, the API or an Excel upload accepts can be shown by every page.

Hypothesis sends random and edge values (huge, negative, empty, pasted with commas or
full-width digits, too many decimals, exponents) for a production line's quantity and unit
price through the form, the API and an .xlsx upload. No answer is a 5xx; every refusal
names the field in Chinese. Then every page of the school, the staff overviews, the summary
page and, at the end, the summary PDF open without a 5xx, and every saved line lies within
its limits and shows its value on the list. Runs on SQLite and PostgreSQL like the rest.
"""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from labor_bases.models import BaseYearFinance, ProductionLine
from workstudy import limits
from workstudy.money import format_yuan

EDGES = ["99999999", "99999999.99", "100000000", "100000000.01", "1000000", "1000000.01", "-0.01", "-10", "0",
         "", " ", "1e20", "1E3", "12.345", "1,000", "１２", "NaN", "Infinity", "-Infinity", "0.001",
         "9" * 30, "12 ", "=1+2", "3.5元"]



def numbers(limit):
    """Mostly values within ``limit`` (their products are where overflow hides), then edges and
    anything at all."""
    return st.one_of(
        st.decimals(min_value=limit.low, max_value=limit.high, places=2).map(str),
        st.sampled_from(EDGES),
        st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False).map(str),
        st.integers(min_value=-(10 ** 15), max_value=10 ** 15).map(str),
    )

HEADERS = ["学校", "基地名称", "年度", "产品", "等级/规格", "产量", "计量单位", "平均单价(元)", "产值(元)", "备注"]


def _xlsx(base, quantity, price) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(["", base.name, 2024, "茶叶", "表格", quantity, "千克", price, "", ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "data.xlsx"
    return buffer


def _refusals_are_chinese(messages) -> None:
    for text in messages:
        assert re.search(r"[\u4e00-\u9fff]", text), text
        assert not re.search(r"\b(Ensure|valid|required|number)\b", text), text


def _pages(base, school, lines, year=2024):
    q = f"?year={year}"
    urls = [
        reverse("dashboard"),
        reverse("labor_bases:index") + q,
        reverse("labor_bases:bases") + q,
        reverse("labor_bases:plots") + q,
        reverse("labor_bases:lines") + q,
        reverse("labor_bases:finance") + q,
        reverse("labor_bases:activities") + q,
        reverse("labor_bases:base_edit", args=[base.pk]) + q,
    ]
    for line in lines:
        urls += [reverse("labor_bases:line_edit", args=[line.pk]), reverse("labor_bases:line_delete", args=[line.pk])]
    staff = [
        reverse("labor_bases:index") + q + f"&school={school.pk}",
        reverse("labor_bases:index") + q,
        reverse("labor_bases:lines") + q + f"&school={school.pk}",
        reverse("reports:summary", args=[year]),
        reverse("reports:index"),
    ]
    return urls, staff


@pytest.mark.django_db
def test_any_value_through_form_api_and_excel_is_shown_by_every_page(
    principal_a_client, director_client, base_a, year, submission_a,
):
    school = base_a.school
    form_url = reverse("labor_bases:line_create") + "?year=2024"
    api_url = reverse("labor-line-list")

    @settings(max_examples=int(__import__("os").environ.get("LIMITS_EXAMPLES", "25")), deadline=None,
              suppress_health_check=list(HealthCheck), derandomize=False)
    @example(quantity="99999999", price="99999999")  # the refused-after-saving case of old
    @example(quantity="99999999", price="1000000")  # both in range, the product is not
    @given(quantity=numbers(limits.QUANTITY), price=numbers(limits.PRICE))
    def through_every_path(quantity, price):
        # The page
        response = principal_a_client.post(form_url, {
            "base": base_a.pk, "product": "茶叶", "grade": "页面", "quantity": quantity, "unit": "kg",
            "unit_price": price})
        assert response.status_code in (200, 302), (quantity, price, response.status_code)
        if response.status_code == 200:
            _refusals_are_chinese(m for errors in response.context["form"].errors.values() for m in errors)
        # The API
        response = principal_a_client.post(api_url, {
            "base": base_a.pk, "year": 2024, "product": "茶叶", "grade": "接口", "quantity": quantity,
            "unit": "kg", "unit_price": price}, content_type="application/json")
        assert response.status_code in (201, 400), (quantity, price, response.status_code, response.content[:300])
        if response.status_code == 400:
            _refusals_are_chinese(m for errors in response.json().values() for m in errors)
        # An Excel upload: preview, then confirm when it passed
        response = principal_a_client.post(reverse("excel:import", args=["labor_production"]),
                                           {"file": _xlsx(base_a, quantity, price), "year": 2024})
        assert response.status_code in (200, 400), (quantity, price, response.status_code)
        report = response.context["report"]
        if report.ok:
            response = principal_a_client.post(reverse("excel:import", args=["labor_production"]),
                                               {"upload_id": response.context["upload"].pk})
            assert response.status_code in (200, 302), (quantity, price, response.status_code)
        else:
            _refusals_are_chinese(str(issue) for issue in report.issues)
        # Every page still opens, and shows what was saved
        lines = list(ProductionLine.objects.filter(base=base_a, year=year))
        principal_pages, staff_pages = _pages(base_a, school, lines)
        for url in principal_pages:
            assert principal_a_client.get(url).status_code == 200, (url, quantity, price)
        for url in staff_pages:
            assert director_client.get(url).status_code == 200, (url, quantity, price)
        listing = principal_a_client.get(reverse("labor_bases:lines") + "?year=2024").content.decode()
        for line in lines:
            assert limits.QUANTITY.contains(line.quantity) and limits.PRICE.contains(line.unit_price)
            assert limits.MONEY.contains(line.value) and line.value == line.compute_value()
            assert format_yuan(line.value) in listing, line

    through_every_path()

    total = sum((line.value for line in ProductionLine.objects.filter(base=base_a, year=year)), Decimal(0))
    assert limits.MONEY.contains(total)
    for finance in BaseYearFinance.objects.filter(base=base_a, year=year):
        assert limits.MONEY.contains(finance.revenue)
    pdf = director_client.get(reverse("reports:summary_pdf", args=[2024]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content if pdf.streaming else [pdf.content])[:4] == b"%PDF"
