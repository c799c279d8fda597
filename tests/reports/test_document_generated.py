"""The whole summary and its schools' sheets read back from the PDFs on randomly generated
counties (hypothesis): one value per quantity, profit only against known cost, and the generic
prose checks."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.factories import SchoolFactory
from tests.reports import document as doc
from tests.reports.conftest import build_county
from tests.reports.test_document_demo import base_profit_by_hand

NAMES = ["樟坪中心学校", "周坊中学", "鸿塘中学", "塔桥中小学", "泗沥中学", "耳口中心学校"]
LAND = ["grain", "orchard", "tea", "fish_pond", "slash_pine", "barren_hill"]

money = st.decimals(min_value=0, max_value=500_000, places=2)
line = st.fixed_dictionaries({
    "quantity": st.decimals(min_value=1, max_value=50_000, places=0),
    "unit_price": st.decimals(min_value=Decimal("0.5"), max_value=400, places=1),
    "product": st.sampled_from(["茶叶", "稻谷", "桔", "鲜鱼"]),
})
base = st.fixed_dictionaries({
    "land": st.lists(st.tuples(st.sampled_from(LAND), st.integers(1, 400)), min_size=0, max_size=3),
    "lines": st.lists(line, max_size=3),
    "accounts": st.one_of(st.none(), st.fixed_dictionaries({"labor_cost": money, "other_income": money,
                                                              "remitted_to_school": money})),
})
coverage = st.integers(0, 3000).flatmap(lambda enrolled: st.fixed_dictionaries({
    "enrolled": st.just(enrolled),
    "insured_parent_paid": st.integers(0, enrolled),
    "poor": st.integers(0, 60).flatmap(lambda poor: st.tuples(st.just(poor), st.integers(0, poor)).flatmap(
        lambda t: st.tuples(st.just(t[0]), st.just(t[1]), st.integers(0, t[0] - t[1])))),
    "advance_amount": st.decimals(min_value=0, max_value=5000, places=2),
}))
school = st.fixed_dictionaries({"bases": st.lists(base, min_size=1, max_size=2), "coverage": st.one_of(st.none(), coverage)})
county = st.lists(school, min_size=1, max_size=3)


def make(county_data, school_a):
    from insurance.models import FundingSource, InsurancePolicy, PolicyType
    from tests.insurance.factories import CoverageFactory, FundingFactory
    from tests.labor_bases.factories import (
        BaseYearFinanceFactory,
        LaborBaseFactory,
        LandParcelFactory,
        ProductionLineFactory,
    )

    c = build_county(school_a=school_a)
    student = InsurancePolicy.objects.get(year=c.y24, policy_type=PolicyType.STUDENT)
    # The policy's own funding rows say other numbers than the schools' coverage rows.
    FundingFactory(policy=student, source=FundingSource.INSURER_FREE, amount=Decimal("0"), persons=7)
    FundingFactory(policy=student, source=FundingSource.SCHOOL_ADVANCE, amount=Decimal("123.00"), persons=3)
    schools = []
    for i, data in enumerate(county_data):
        s = SchoolFactory(code=f"G{i:03d}", name=NAMES[i])
        schools.append(s)
        for j, b in enumerate(data["bases"]):
            lb = LaborBaseFactory(school=s, name=f"{NAMES[i]}基地{j + 1}")
            for land_type, area in b["land"]:
                LandParcelFactory(base=lb, year=c.y24, land_type=land_type, area_mu=Decimal(area))
            for k, item in enumerate(b["lines"]):
                ProductionLineFactory(base=lb, year=c.y24, grade=f"{k + 1}号", **item)
            if b["accounts"] is not None:
                BaseYearFinanceFactory(base=lb, year=c.y24, fertilizer_cost=Decimal(0), seedling_cost=Decimal(0),
                                       equipment_cost=Decimal(0), **b["accounts"])
        if data["coverage"] is not None:
            cov = data["coverage"]
            poor, free, advanced = cov["poor"]
            CoverageFactory(school=s, year=c.y24, enrolled=cov["enrolled"], insured_parent_paid=cov["insured_parent_paid"],
                            poor_students=poor, poor_free_by_insurer=free, poor_advanced_by_school=advanced,
                            advance_amount=cov["advance_amount"])
    return schools


@pytest.mark.django_db
@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],  # ~8 PDFs an example
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(county_data=county, no_coverage=st.booleans(), no_costs=st.booleans())
@example(  # every path at least once: a base selling without accounts, no coverage, no costs
    county_data=[{"bases": [{"land": [("tea", 12)], "accounts": None,
                             "lines": [{"quantity": Decimal(120), "unit_price": Decimal(300), "product": "茶叶"}]}],
                  "coverage": None}],
    no_coverage=True, no_costs=True)
def test_generated_county_reads_back(county_data, no_coverage, no_costs, school_a):
    from django.core.cache import cache

    from workstudy.models import School

    with transaction.atomic():
        cache.clear()
        make(county_data, School.objects.get(pk=school_a.pk))
        if no_coverage:  # no school reported its 学平险: the text prints no counts, table 6 the policy's rows
            from insurance.models import StudentAccidentCoverage

            StudentAccidentCoverage.objects.filter(year_id=2024).delete()
        if no_costs:  # an enterprise's 2024 figures without cost, the centre without its 2024 figures
            from enterprises.models import EnterpriseYearStat
            from logistics.models import CentreYearFigures

            EnterpriseYearStat.objects.filter(year_id=2024).update(cost=None, profit=0)
            CentreYearFigures.objects.filter(year_id=2024).delete()
        schools = list(School.objects.filter(code__startswith="G"))
        summary, trace = doc.summary_pdf(2024), doc.summary_pdf(2024, trace=True)
        sheets = [doc.sheet_pdf(2024, s, trace=True) for s in schools]
        found = doc.quantities(trace, *sheets)

        assert doc.conflicts(found) == {}
        profit, unmatched = base_profit_by_hand(2024)
        assert found["income.labor_bases.profit.2024"][0] == str(profit)
        assert found["income.labor_bases.revenue.2024"][0] == found["income.labor_bases.revenue.2024"][-1]
        body = doc.flow(doc.body_pages(doc.pdf_pages(summary)))
        if unmatched:
            assert found["income.labor_bases.unmatched.2024"][0] == str(unmatched)
            assert "尚未填报成本" in body
        else:
            assert "income.labor_bases.unmatched.2024" not in found
        if no_costs:  # 150,000 of the enterprise and 5,000 of the centre's sales are revenue without cost
            unmatched += Decimal("155000.00")
            from enterprises.models import Enterprise
            from logistics.models import ServiceCentre

            printing, centre = Enterprise.objects.get(name="教育印刷厂"), ServiceCentre.objects.get()
            assert found[f"enterprise.unmatched.{printing.pk}"] == ["150000.00"]  # the appendix lists them
            assert found[f"centre.unmatched.{centre.pk}"] == ["5000.00"]
        assert found.get("income.unmatched.2024", ["0.00"])[0] == str(unmatched.quantize(Decimal("0.01")))
        # Table 6 prints the schools' coverage totals, and says the policy's funding rows differ.
        if no_coverage:
            assert not any(key.startswith("coverage.") for key in found)
        else:
            assert len(found["coverage.poor_free_by_insurer"]) == 2
            assert "与保单登记的保费来源不一致" in body

        assert doc.prose_problems(summary) == {}
        for s in schools:
            assert doc.prose_problems(doc.sheet_pdf(2024, s), summary=False) == {}, s.name
        transaction.set_rollback(True)
