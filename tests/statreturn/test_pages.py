"""The return's page and its .xlsx: every cell of 基本情况 and 收益及分配 read back with openpyxl
equals the page's figure; 数据来源 lists each figure's rows, adding up to it; each figure
links to a page of its rows. Each role reads the return over the schools it may see."""

import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from statreturn.builder import BASIC, INCOME, SOURCES
from tests.enterprises.factories import YearStatFactory
from tests.labor_bases.factories import BaseYearFinanceFactory, LaborBaseFactory
from tests.statreturn.factories import EnterpriseReturnFactory

FIGURE = re.compile(r'data-code="([AB]\d\d)" data-value="(-?[\d.]+)"')


@pytest.fixture
def county(year, school_a, school_b, enterprise_a, enterprise_b, bureau_enterprise, stat_a, return_b):
    YearStatFactory(enterprise=bureau_enterprise, year=year, cost=None, revenue=Decimal("7777.77"))
    EnterpriseReturnFactory(enterprise=enterprise_a, year=year, sector="tertiary", use_other=Decimal("123.45"))
    base = LaborBaseFactory(school=school_a, name="甲校茶园")
    BaseYearFinanceFactory(base=base, year=year, other_income=Decimal("30000"), remitted_to_school=Decimal("2500"))


def _figures(client, year=2024) -> dict:
    response = client.get(reverse("statreturn:return", args=[year]))
    assert response.status_code == 200
    return {code: Decimal(value) for code, value in FIGURE.findall(response.content.decode())}


def _workbook(client, year=2024):
    response = client.get(reverse("statreturn:xlsx", args=[year]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def test_every_xlsx_cell_equals_the_page(director_client, county):
    shown = _figures(director_client)
    assert len(shown) > 50 and shown["A10"] == 4  # 3 enterprises + 1 base
    book = _workbook(director_client)
    assert book.sheetnames == [BASIC, INCOME, SOURCES]
    read = {}
    for title in (BASIC, INCOME):
        sheet = book[title]
        assert [c.value for c in sheet[1]] == ["代码", "指标名称", "计量单位", "数值"]
        for code, _label, _unit, value in sheet.iter_rows(min_row=2, values_only=True):
            if code:
                read[code] = Decimal(str(value))
    assert read == shown
    # 数据来源: the rows of each figure add up to it, and each has a link.
    sources = {}
    for code, _label, value, kind, _row, part, link in book[SOURCES].iter_rows(min_row=2, values_only=True):
        assert Decimal(str(value)) == shown[code]
        if part is not None:
            sources[code] = sources.get(code, Decimal(0)) + Decimal(str(part))
            assert link.startswith("http://testserver/"), (code, kind)
    assert {code: total for code, total in sources.items() if total != shown[code]} == {}
    assert shown["B20"] == shown["B21"] + shown["B22"] + shown["B23"] + shown["B24"]
    assert shown["B58"] == shown["B50"] - sum(shown[f"B{n}"] for n in range(53, 58))


def test_each_figure_links_to_its_rows(director_client, county, enterprise_a, bureau_enterprise):
    page = director_client.get(reverse("statreturn:sources", args=[2024, "B14"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert bureau_enterprise.name in body  # its revenue counts under 行业未填
    page = director_client.get(reverse("statreturn:sources", args=[2024, "A13"]))
    assert enterprise_a.name in page.content.decode()
    assert reverse("enterprises:figures") + f"?year=2024&amp;enterprise={enterprise_a.pk}" in page.content.decode()
    page = director_client.get(reverse("statreturn:sources", args=[2024, "A33"]))  # its assets: its return row
    assert reverse("statreturn:figures") + f"?year=2024&amp;enterprise={enterprise_a.pk}" in page.content.decode()
    assert director_client.get(reverse("statreturn:sources", args=[2024, "Z99"])).status_code == 404


def test_principal_reads_only_own_school(principal_a_client, auditor_client, county, enterprise_a, school_b, bureau_enterprise):
    shown = _figures(principal_a_client)
    assert shown["A15"] == 1 and shown["A16"] == 1  # own enterprise and base only
    book = _workbook(principal_a_client)
    text = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert school_b.name not in text and "乙校校具厂SECRETB" not in text and bureau_enterprise.name not in text
    listing = principal_a_client.get(reverse("statreturn:figures") + "?year=2024")
    assert "SECRETB" not in listing.content.decode()
    assert enterprise_a.name in listing.content.decode()
    assert _figures(auditor_client)["A15"] == 3


def test_principal_and_auditor_cannot_write(principal_b_client, auditor_client, return_b):
    for client in (principal_b_client, auditor_client):  # B's principal reads B's row, never writes it
        assert client.get(reverse("statreturn:edit", args=[return_b.pk])).status_code == 403
        assert client.post(reverse("statreturn:delete", args=[return_b.pk])).status_code == 403
        assert client.get(reverse("statreturn:create")).status_code == 403
    assert "SECRETB" in principal_b_client.get(reverse("statreturn:figures") + "?year=2024").content.decode()
    return_b.refresh_from_db()
    assert return_b.version == 1


def test_principal_of_another_school_cannot_see_the_row(principal_a_client, return_b):
    response = principal_a_client.get(reverse("history", args=["statreturn", "enterprisereturn", return_b.pk]))
    assert response.status_code == 404
