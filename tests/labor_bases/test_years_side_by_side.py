"""A school's years side by side: each year's column shows the figures of that year's
school sheet (labor_bases.selectors.school_sheet, the one source of the page's numbers)."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from labor_bases import selectors
from tests.factories import ReportingYearFactory
from tests.labor_bases.factories import (
    ActivityFactory,
    BaseYearAreaFactory,
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from workstudy.money import format_area, format_yuan

URL = reverse("labor_bases:years")


@pytest.fixture
def three_years(tea_a, base_a, school_a):
    """2022: rice, accounts with other income; 2023: oranges sold, no accounts (cost 成本未报);
    2024: the tea year of ``tea_a``. A second base with a declared area but no plots in 2024."""
    y22, y23 = ReportingYearFactory(year=2022), ReportingYearFactory(year=2023)
    BaseYearAreaFactory(base=base_a, year=y22, declared_total_mu=Decimal("9"))
    LandParcelFactory(base=base_a, year=y22, land_type="grain", crop="水稻", area_mu=Decimal("8.5"))
    ProductionLineFactory(base=base_a, year=y22, product="稻谷", grade="", quantity=Decimal("3000"),
                          unit_price=Decimal("2.6"))
    BaseYearFinanceFactory(base=base_a, year=y22, other_income=Decimal("1200"), labor_cost=Decimal("3000"),
                           fertilizer_cost=Decimal("500"), seedling_cost=Decimal("0"), equipment_cost=Decimal("0"))
    ActivityFactory(school=school_a, year=y22, activity="插秧", participants=90, days=2)
    LandParcelFactory(base=base_a, year=y23, land_type="orchard", crop="桔", area_mu=Decimal("10"))
    ProductionLineFactory(base=base_a, year=y23, product="桔", grade="", quantity=Decimal("1000"),
                          unit_price=Decimal("3.5"))
    spare = LaborBaseFactory(school=school_a, name="甲校备用地")
    BaseYearAreaFactory(base=spare, year=tea_a["plot"].year, declared_total_mu=Decimal("4"))
    return [2022, 2023, 2024]


def table_rows(body: str) -> dict[str, list[str]]:
    table = re.search(r'<table class="grid" id="years-table">.*?<tbody>(.*?)</tbody>', body, re.S).group(1)
    rows = {}
    for label, cells in re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", table, re.S):
        rows[label] = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', cells, re.S)]
    return rows


def expected_cell(value, fmt, has_accounts=True):
    if not has_accounts:
        return "成本未报"
    return {"mu": format_area, "yuan": format_yuan}.get(fmt, str)(value)


def test_each_years_column_shows_that_years_sheet_figures(principal_a_client, school_a, three_years):
    response = principal_a_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    headers = re.findall(r'<th class="num"><a href="[^"]*">(\d{4})</a>', body)
    assert headers == ["2022", "2023", "2024"]
    rows = table_rows(body)
    for i, year in enumerate(three_years):
        sheet = selectors.school_sheet(year, school_a.pk)  # the figures of the year's own page
        fin = sheet["finance"]
        expected = {
            "申报总面积（亩）": expected_cell(sheet["declared_total_mu"], "mu"),
            "地块面积合计（亩）": expected_cell(sheet["total_mu"], "mu"),
            "产品产值（元）": expected_cell(fin["production_value"], "yuan"),
            "总收入（元）": expected_cell(fin["revenue"], "yuan"),
            "总成本（元）": expected_cell(fin["cost"], "yuan", fin["has_accounts"]),
            "利润（元）": expected_cell(fin["profit"], "yuan", fin["has_accounts"]),
            "学生参加实践（人次）": str(sheet["participants"]),
        }
        assert {label: cells[i] for label, cells in rows.items()} == expected, year
    # The figures themselves, worked by hand: 2022 rice 3000 x 2.6 + 1200 other income, cost 3500.
    assert rows["产品产值（元）"] == ["7,800.00", "3,500.00", "45,600.00"]
    assert rows["总收入（元）"] == ["9,000.00", "3,500.00", "45,600.00"]
    assert rows["总成本（元）"] == ["3,500.00", "成本未报", "24,000.00"]
    assert rows["利润（元）"] == ["5,500.00", "成本未报", "21,600.00"]
    assert rows["申报总面积（亩）"] == ["9.00", "0.00", "12.00"]  # the spare base has no plots: not counted
    assert rows["地块面积合计（亩）"] == ["8.50", "10.00", "12.00"]
    assert rows["学生参加实践（人次）"] == ["90", "0", "160"]


def test_selector_agrees_with_the_sheet_in_a_fixed_number_of_queries(school_a, three_years,
                                                                   django_assert_max_num_queries):
    years = [2020, 2021, *three_years, 2025]
    with django_assert_max_num_queries(5):
        found = selectors.school_years(school_a.pk, years)
    for year in years:
        sheet = selectors.school_sheet(year, school_a.pk)
        assert found[year] == {
            "declared_total_mu": sheet["declared_total_mu"], "total_mu": sheet["total_mu"],
            **{k: sheet["finance"][k] for k in ("production_value", "revenue", "cost", "profit", "has_accounts")},
            "participants": sheet["participants"],
        }, year


def test_years_before_the_schools_first_figure_are_left_out(principal_a_client, three_years):
    ReportingYearFactory(year=2019)
    ReportingYearFactory(year=2025)
    body = principal_a_client.get(URL).content.decode()
    assert re.findall(r'<th class="num"><a href="[^"]*">(\d{4})</a>', body) == ["2022", "2023", "2024", "2025"]


def test_only_the_principals_own_school(principal_a_client, principal_b_client, school_a, school_b, three_years):
    assert principal_b_client.get(URL + f"?school={school_a.pk}").status_code == 404
    assert principal_a_client.get(URL + f"?school={school_b.pk}").status_code == 404
    own = principal_b_client.get(URL).content.decode()
    assert "45,600.00" not in own and school_a.name not in own


def test_staff_choose_a_school(director_client, auditor_client, school_a, three_years):
    body = director_client.get(URL).content.decode()
    assert 'id="years-table"' not in body and 'name="school"' in body
    for client in (director_client, auditor_client):
        body = client.get(URL + f"?school={school_a.pk}").content.decode()
        assert table_rows(body)["利润（元）"] == ["5,500.00", "成本未报", "21,600.00"]


def test_the_labor_base_page_links_to_it(principal_a_client, director_client, school_a, tea_a):
    assert f'href="{URL}"' in principal_a_client.get(reverse("labor_bases:index") + "?year=2024").content.decode()
    staff = director_client.get(reverse("labor_bases:index") + f"?year=2024&school={school_a.pk}").content.decode()
    assert f'href="{URL}?school={school_a.pk}"' in staff
