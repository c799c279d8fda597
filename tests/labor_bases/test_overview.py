"""The county overview of /labor-bases/ at province size: paged and sortable table, SQL totals,
a fixed number of queries whatever the number of schools, school picker, scoping."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from labor_bases import selectors
from labor_bases import views as lb_views
from tests.factories import SchoolFactory
from tests.labor_bases.factories import (
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from workstudy import freshness

INDEX = reverse("labor_bases:index")


def _three(finance):
    return finance and {k: finance[k] for k in ("revenue", "cost", "profit")}


def _rows(response):
    return [(r["school"].code, r["total"], _three(r["finance"])) for r in response.context["rows"]]


def test_table_rows_and_totals_hand_computed(director_client, tea_a, orchard_b):
    response = director_client.get(INDEX + "?year=2024")
    rows = {r["school"].code: r for r in response.context["rows"]}
    # A: 12 亩 tea; lines 120 x 300 + 240 x 40 = 45,600; cost 12,000 + 6,000 + 2,000 + 4,000 = 24,000.
    assert rows["A001"]["total"] == Decimal("12.00")
    assert _three(rows["A001"]["finance"]) == {"revenue": Decimal("45600.00"), "cost": Decimal("24000.00"),
                                       "profit": Decimal("21600.00")}
    # B: 30 亩 orchard; 45,000 x 3 + other income 5,000 = 140,000; cost 50,000 + 20,000 = 70,000.
    assert _three(rows["B001"]["finance"]) == {"revenue": Decimal("140000.00"), "cost": Decimal("70000.00"),
                                       "profit": Decimal("70000.00")}
    cells = dict(zip(selectors.LandType.values, rows["B001"]["cells"], strict=True))
    assert cells["orchard"] == Decimal("30.00") and cells["tea"] is None
    assert response.context["overview"]["total_mu"] == Decimal("42.00")
    assert response.context["finance"]["revenue"] == Decimal("185600.00")
    assert response.context["finance"]["profit"] == Decimal("91600.00")
    assert response.context["land_total"] == Decimal("42.00")


def test_school_with_lines_only_is_listed_without_accounts(director_client, year, school_a):
    base = LaborBaseFactory(school=school_a)
    ProductionLineFactory(base=base, year=year, quantity=Decimal("10000"), unit_price=Decimal("2.5"))
    response = director_client.get(INDEX + "?year=2024")
    # No accounts yet: no cost, so no profit; the revenue is not matched by any cost.
    assert _rows(response) == [("A001", Decimal("0.00"), {"revenue": Decimal("25000.00"), "cost": None, "profit": None})]
    assert response.context["rows"][0]["finance"]["unmatched_revenue"] == Decimal("25000.00")
    assert "成本未报" in response.content.decode()
    assert "另有2.50万元收入成本未报，未计入利润" in response.content.decode()


def test_sorts_by_area_revenue_profit_then_code(director_client, tea_a, orchard_b, year):
    # C: 50 亩 of grain, no production: largest area, smallest revenue.
    school_c = SchoolFactory(code="C001", name="丙校")
    LandParcelFactory(base=LaborBaseFactory(school=school_c), year=year, land_type="grain", area_mu=Decimal("50"))
    codes = lambda sort: [r[0] for r in _rows(director_client.get(INDEX + f"?year=2024&sort={sort}"))]  # noqa: E731
    assert codes("code") == ["A001", "B001", "C001"]
    assert codes("area") == ["C001", "B001", "A001"]
    assert codes("revenue") == ["B001", "A001", "C001"]
    assert codes("profit") == ["B001", "A001", "C001"]
    assert codes("nonsense") == ["A001", "B001", "C001"]
    # A land type keeps only the schools with plots of that type, sorted by that type's area.
    response = director_client.get(INDEX + "?year=2024&land_type=orchard&sort=area")
    assert [r[0] for r in _rows(response)] == ["B001"]


def test_paging_keeps_filters(director_client, year, monkeypatch):
    monkeypatch.setattr(lb_views, "TABLE_PAGE_SIZE", 2)
    for i in range(5):
        base = LaborBaseFactory(school=SchoolFactory(code=f"P{i:03d}", name=f"分页学校{i}"))
        LandParcelFactory(base=base, year=year, land_type="tea", area_mu=Decimal(10 + i))
    response = director_client.get(INDEX + "?year=2024&land_type=tea&sort=area")
    assert [r[0] for r in _rows(response)] == ["P004", "P003"]
    html = response.content.decode()
    assert "land_type=tea&amp;sort=area&amp;page=2" in html or "sort=area&amp;land_type=tea&amp;page=2" in html
    assert response.context["page_obj"].paginator.count == 5
    response = director_client.get(INDEX + "?year=2024&land_type=tea&sort=area&page=3")
    assert [r[0] for r in _rows(response)] == ["P000"]
    # Past the last page: the last page, not an error.
    assert [r[0] for r in _rows(director_client.get(INDEX + "?year=2024&land_type=tea&sort=area&page=99"))] == ["P000"]


def _make_schools(year, n, start):
    for i in range(start, start + n):
        base = LaborBaseFactory(school=SchoolFactory(code=f"Q{i:03d}", name=f"计数学校{i}"))
        LandParcelFactory(base=base, year=year, land_type="tea", area_mu=Decimal("3"))
        ProductionLineFactory(base=base, year=year, quantity=Decimal("1"), unit_price=Decimal("1"))
        BaseYearFinanceFactory(base=base, year=year)


@pytest.mark.parametrize("role_client", ["director_client", "auditor_client"])
def test_query_count_does_not_grow_with_schools(role_client, request, year):
    client = request.getfixturevalue(role_client)

    def count(url):
        client.get(url)  # warm-up (session, per-process caches)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    _make_schools(year, 2, 0)
    few = [count(INDEX + f"?year=2024{q}") for q in ("", "&sort=profit", "&land_type=tea&sort=area")]
    _make_schools(year, 12, 2)
    many = [count(INDEX + f"?year=2024{q}") for q in ("", "&sort=profit", "&land_type=tea&sort=area")]
    assert few == many


def test_school_picker_opens_a_school_by_code_or_id(director_client, tea_a, orchard_b, school_b, settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1  # the text input of a province
    response = director_client.get(INDEX + "?year=2024&school=B001")
    assert response.context["mode"] == "school" and response.context["school"] == school_b
    response = director_client.get(INDEX + f"?year=2024&school={school_b.pk}")
    assert response.context["mode"] == "school" and response.context["school"] == school_b
    response = director_client.get(INDEX + "?year=2024&school=没有这所学校")
    assert response.status_code == 200 and response.context["mode"] == "county"
    assert "未找到学校" in response.content.decode()
    assert 'data-picker="school"' in response.content.decode()


def test_principal_sees_only_own_school(principal_a_client, tea_a, orchard_b, school_a, school_b):
    response = principal_a_client.get(INDEX + "?year=2024")
    assert response.context["mode"] == "school" and response.context["school"] == school_a
    assert "SECRETB" not in response.content.decode()
    assert principal_a_client.get(INDEX + f"?year=2024&school={school_b.pk}").status_code == 404
    assert principal_a_client.get(INDEX + "?year=2024&sort=profit&page=2").context["mode"] == "school"


def test_findings_counted_by_rule_and_first_ones_listed(director_client, tea_a, orchard_b, year, monkeypatch):
    # Both bases' plots no longer add up to their declared totals (LB-03).
    LandParcelFactory(base=tea_a["plot"].base, year=year, land_type="grain", area_mu=Decimal("5"))
    LandParcelFactory(base=orchard_b["plot"].base, year=year, land_type="grain", area_mu=Decimal("2"))
    found = lb_views.rules_findings(2024, None)
    assert len([f for f in found if f.rule.code == "LB-03"]) == 2
    monkeypatch.setattr(lb_views, "FINDINGS_SHOWN", 1)
    response = director_client.get(INDEX + "?year=2024")
    assert response.context["findings_total"] == len(found)
    assert len(response.context["findings"]) == 1
    by_rule = {rule.code: n for rule, n in response.context["findings_by_rule"]}
    assert by_rule["LB-03"] == 2 and sum(by_rule.values()) == len(found)
    html = response.content.decode()
    assert reverse("reports:quality_xlsx", args=[2024]) in html
    assert html.count("<li><code>LB-03</code>") == 1  # the list shows one; the table counts both


def test_cached_figures_follow_data_changes(director_client, tea_a, orchard_b, year, monkeypatch):
    """Outside a transaction the totals and the table order are kept until data changes."""
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setattr(freshness, "in_transaction", lambda: False)
    response = director_client.get(INDEX + "?year=2024&sort=area")
    assert response.context["overview"]["total_mu"] == Decimal("42.00")
    assert [r[0] for r in _rows(response)] == ["B001", "A001"]
    # A new plot writes a change-history row: the next view recomputes.
    LandParcelFactory(base=tea_a["plot"].base, year=year, land_type="tea", area_mu=Decimal("40"))
    response = director_client.get(INDEX + "?year=2024&sort=area")
    assert response.context["overview"]["total_mu"] == Decimal("82.00")
    assert [r[0] for r in _rows(response)] == ["A001", "B001"]
    # Land-type labels follow the reader's language, whatever language filled the cache.
    with translation.override("en"):
        labels = {item["land_type"]: item["label"] for item in selectors.county_figures(2024)["land"]}
    assert labels["tea"] == "Tea Garden"
    cache.clear()


def test_lists_total_every_matching_row_on_every_page(director_client, tea_a, orchard_b, monkeypatch):
    """Totals and row count come from one aggregate with the paginator's count."""
    for view in (lb_views.PlotListView, lb_views.LineListView, lb_views.FinanceListView, lb_views.ActivityListView):
        monkeypatch.setattr(view, "paginate_by", 1)
    response = director_client.get(reverse("labor_bases:lines") + "?year=2024&page=2")
    assert response.context["paginator"].count == 3 and len(response.context["object_list"]) == 1
    assert response.context["total_value"] == Decimal("180600.00")  # 36,000 + 9,600 + 135,000
    response = director_client.get(reverse("labor_bases:plots") + "?year=2024&land_type=tea")
    assert response.context["paginator"].count == 1 and response.context["total_area"] == Decimal("12.00")
    response = director_client.get(reverse("labor_bases:finance") + "?year=2024&page=2")
    totals = response.context["totals"]
    assert (totals["revenue"], totals["cost"], totals["profit"], totals["remitted"]) == (
        Decimal("185600.00"), Decimal("94000.00"), Decimal("91600.00"), Decimal("10000.00"))
    response = director_client.get(reverse("labor_bases:activities") + "?year=2024")
    assert response.context["totals"] == {"participants": 560, "days": 9}
    assert response.context["paginator"].count == 2
    response = director_client.get(reverse("labor_bases:lines") + "?year=2024&product=没有")
    assert response.context["paginator"].count == 0 and response.context["total_value"] == 0
