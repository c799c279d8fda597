"""Summary figures against hand-computed values (see conftest.py for the arithmetic)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import figures, pdf
from reports.models import PolicyDocument, SummarySettings
from tests.reports.conftest import build_county


@pytest.fixture
def summary(county):
    return figures.compute(2024)


def test_headline_figures(summary):
    f = summary.figures
    assert summary.period_years == [2023, 2024]
    assert f["period_start"].value == 2023
    assert f["avg_total_income"].value == Decimal("6.58")
    assert f["total_income"].value == Decimal("13.16")
    assert f["year_income"].value == Decimal("10.56")
    assert f["subsidy"].value == Decimal("2.31")
    assert f["claim_person_times"].value == 1
    assert f["claim_count"].value == 2
    assert f["claim_paid"].value == Decimal("1.50")
    assert f["property_claim_paid"].value == Decimal("1.20")
    assert all(isinstance(f[k].value, Decimal) for k in ("avg_total_income", "subsidy", "claim_paid"))


def test_blanks_filled(summary):
    f = summary.figures
    assert f["reform_date"].text == "2019年6月"
    assert f["centre_founded"].value == 2012
    assert f["centre_investment"].value == 2016
    assert summary.data["centre_investment"]["words"] == "十余万元"
    assert f["exam_first_year"].value == 2014
    assert f["broker_from"].value == 2021
    assert f["liability_document"].value == "赣教勤字〔2008〕3号"
    assert f["enterprise_count"].text == "一家"
    assert summary.gaps == []
    blanks = {fig.blank for fig in f.values() if fig.blank}
    assert blanks >= {"P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P9", "P11", "P12", "P14"}


def test_land_and_examples(summary):
    land = {row["land_type"]: row["area_mu"] for row in summary.data["land"]}
    assert land["tea"] == Decimal("12.00")
    assert summary.figures["land_total"].value == Decimal("12.00")
    example = summary.data["examples"][0]
    assert example["revenue"] == Decimal("45600.00")
    assert example["profit"] == Decimal("21600.00")


def test_yoy_and_finance_rows(summary):
    rows = {r["year"]: r for r in summary.data["finance_rows"]}
    assert rows[2023]["total_income"] == Decimal("26000.00")
    assert rows[2024]["total_income"] == Decimal("105600.00")
    assert rows[2024]["subsidy"] == Decimal("16100.00")
    (yoy,) = summary.data["yoy"]
    assert yoy["income_pct"] == Decimal("306.2")


def test_subsidy_average_mode(county):
    conf = SummarySettings.objects.get(year_id=2024)
    conf.subsidy_mode = SummarySettings.SubsidyMode.AVERAGE
    conf.save()
    assert figures.compute(2024).figures["subsidy"].value == Decimal("1.16")  # 23100 / 2 = 11550 -> 1.16 (half up)


def test_figures_link_to_their_rows(summary):
    assert summary.figures["claim_paid"].url.startswith("/insurance/claims/?")
    assert "paid_from=2023" in summary.figures["claim_paid"].url
    assert summary.figures["land_total"].url == "/labor-bases/plots/?year=2024"
    tea = next(r for r in summary.data["land"] if r["land_type"] == "tea")
    assert tea["url"] == "/labor-bases/plots/?year=2024&land_type=tea"


def test_missing_figures_are_listed_as_gaps_never_xx(county):
    PolicyDocument.objects.all().delete()
    summary = figures.compute(2024)
    assert [g.blank for g in summary.gaps] == ["P12"]
    html = pdf.summary_html_for_pdf(summary)
    assert "XX" not in html and "▢" not in html
    assert "〔待补：省厅校(园)方责任保险文件〕" in html
    assert "本总结尚有1处数据待补" in html


def test_default_period_is_the_year_itself(db, school_a):
    build_county(school_a=school_a)
    SummarySettings.objects.all().delete()
    summary = figures.compute(2024)
    assert summary.period_years == [2024]
    assert summary.figures["avg_total_income"].value == Decimal("10.56")


def test_fingerprint_changes_with_data(county):
    first = figures.compute(2024).fingerprint()
    assert figures.compute(2024).fingerprint() == first
    block = figures.compute(2024).narratives["intro"]
    block.text = "改过的叙述。"
    block.save()
    assert figures.compute(2024).fingerprint() != first


def _queries(func):
    from django.core.cache import cache

    cache.clear()  # measure the computing path, not the cached one
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_query_count_does_not_grow_with_schools(db, school_a, director):
    """HTML page, figures and the PDF's HTML: same number of queries for 1 and for 9 schools with rows."""
    from django.test import Client

    build_county(school_a=school_a, extra_schools=2)
    client = Client()
    client.force_login(director)
    client.get("/reports/2024/")
    small = (_queries(lambda: figures.compute(2024)),
             _queries(lambda: client.get("/reports/2024/")),
             _queries(lambda: pdf.summary_html_for_pdf(figures.compute(2024))))
    from tests.factories import SchoolFactory, SubmissionFactory
    from tests.insurance.factories import ClaimFactory, CoverageFactory
    from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory, ProductionLineFactory

    student_policy = county_policy()
    for i in range(8):
        school = SchoolFactory(code=f"Y{i:03d}", name=f"更多学校{i:03d}")
        SubmissionFactory(school=school, year_id=2024)
        base = LaborBaseFactory(school=school, name=f"更多基地{i}")
        LandParcelFactory(base=base, year_id=2024, land_type="orchard", crop="桔", area_mu=Decimal("3"))
        ProductionLineFactory(base=base, year_id=2024, product="桔", grade="", quantity=Decimal("10"),
                              unit_price=Decimal("5"))
        CoverageFactory(school=school, year_id=2024)
        ClaimFactory(school=school, policy=student_policy)
    large = (_queries(lambda: figures.compute(2024)),
             _queries(lambda: client.get("/reports/2024/")),
             _queries(lambda: pdf.summary_html_for_pdf(figures.compute(2024))))
    assert small == large, (small, large)


def county_policy():
    from insurance.models import InsurancePolicy, PolicyType

    return InsurancePolicy.objects.get(year_id=2024, policy_type=PolicyType.STUDENT)


def test_cached_summary_follows_every_saved_change(director_client, county):
    """The cached figures/PDF are keyed by a data generation bumped by any save."""
    from reports.models import NarrativeBlock

    first = pdf.summary_pdf(2024)
    assert pdf.summary_pdf(2024).source == "cache"
    block = NarrativeBlock.objects.get(year_id=2024, section="intro")
    block.text = "新写的一段。"
    block.save()
    assert "新写的一段。" in director_client.get("/reports/2024/").content.decode()
    second = pdf.summary_pdf(2024)
    assert second.source == "rendered" and second.fingerprint != first.fingerprint
