"""The comparison's figures against hand-computed values, its ranks and its sentence."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from rollup.comparison import METRICS, compare, positions, rank, rank_sentence
from tests.factories import SchoolFactory, SubmissionFactory
from workstudy.models import Region

D = Decimal

# 甲县, 乙县 and 抚州市's total, computed by hand from tests/rollup/conftest.py.
EXPECTED = {
    "甲县": {
        "schools": 2, "students": 1000,
        "base_area": D("12.00"),  # 12 亩 / 1,000 × 1,000
        "income_per_school": D("16000.00"),  # (base 12,000 + enterprise 20,000) / 2
        "subsidy": D("6500.00"),  # 1,500 + 5,000
        "student_insurance": D("42.00"),  # (300 + 12 + 8 + 100) / 1,000
        "liability_insurance": D("100.00"),  # county-wide policy
        "claims_rate": D("1.00"),  # 1 paid claim / 1,000 × 1,000
        "base_share": D("50.00"), "completeness": D("50.00"), "labor_education": D("50.00"),
    },
    "乙县": {
        "schools": 1, "students": 500, "base_area": D("0.00"), "income_per_school": D("2000.00"),
        "subsidy": D("100.00"), "student_insurance": D("0.00"), "liability_insurance": D("100.00"),
        "claims_rate": D("0.00"), "base_share": D("0.00"), "completeness": D("100.00"), "labor_education": D("0.00"),
    },
    "抚州市": {
        "schools": 3, "students": 1500,
        "base_area": D("8.00"),  # 12 / 1,500 × 1,000
        "income_per_school": D("11333.33"),  # 34,000 / 3
        "subsidy": D("6600.00"), "student_insurance": D("28.00"),  # 420 / 1,500
        "liability_insurance": D("100.00"), "claims_rate": D("0.67"),
        "base_share": D("33.33"), "completeness": D("66.67"), "labor_education": D("33.33"),
    },
}


def test_figures_exact(city_world):
    result = compare(city_world.city, city_world.year)
    got = {row.region.name: row.values for row in [*result.rows, result.total]}
    assert got == EXPECTED
    for values in got.values():
        for key in ("base_area", "income_per_school", "subsidy"):
            assert isinstance(values[key], Decimal)


def test_other_city_is_not_in_it(city_world):
    result = compare(city_world.city, city_world.year)
    assert [r.region.name for r in result.rows] == ["甲县", "乙县"]
    province = compare(city_world.province, city_world.year)
    names = [r.region.name for r in province.rows]
    assert names[-3:] == ["甲县", "乙县", "丙县"] and set(names) <= {"贵溪市", "甲县", "乙县", "丙县"}
    assert province.total.values["students"] == 10500


def test_total_income_is_the_summary_formula(city_world):
    """The region's income is what the annual summary's selectors give for its counties."""
    from aggregates.selectors import finance_by_year as bases
    from enterprises.selectors import figures_by_year as enterprises
    from logistics.selectors import figures_by_year as logistics

    ids = [city_world.jia.pk, city_world.yi.pk]
    summary = sum(f([2024], counties=ids)[2024]["profit"] for f in (bases, enterprises, logistics))
    assert compare(city_world.city, city_world.year).total.parts["income"] == summary == D("34000.00")


def test_queries_do_not_grow_with_counties(city_world):
    """Everything is grouped by county: the province (3 counties) costs what the city (2) does."""
    with CaptureQueriesContext(connection) as city:
        compare(city_world.city, city_world.year)
    with CaptureQueriesContext(connection) as province:
        compare(city_world.province, city_world.year)
    assert len(province) == len(city)


def test_money_selectors_by_county_are_their_per_county_results(city_world):
    """The enterprises' and service centres' figures grouped by county equal the same selector
    asked for each county alone (the summary's numbers), to the cent."""
    from enterprises.selectors import figures_by_year as enterprises
    from logistics.selectors import figures_by_year as logistics

    ids = [city_world.jia.pk, city_world.yi.pk]
    for selector in (enterprises, logistics):
        grouped = selector([2023, 2024], counties=ids, by_county=True)
        assert grouped, selector.__module__
        for county in ids:
            alone = selector([2023, 2024], counties=[county])
            if any(v["revenue"] or v["cost"] or v["remitted_to_education"] for v in alone.values()):
                assert grouped[county] == alone, (selector.__module__, county)
            else:
                assert county not in grouped
        assert selector([2024], counties=ids)[2024]["profit"] == sum(
            (by_year[2024]["profit"] for by_year in grouped.values()), D(0))


def test_rank_and_ties(city_world):
    c = compare(city_world.city, city_world.year)
    assert rank(city_world.jia, 2024, "income_per_school") == (1, 2)
    assert rank(city_world.yi, 2024, "income_per_school") == (2, 2)
    # Fewer claims rank higher.
    assert rank(city_world.yi, 2024, "claims_rate", comparison=c) == (1, 2)
    # Both at 100%: both first.
    assert positions(c, "liability_insurance") == {city_world.jia.pk: 1, city_world.yi.pk: 1}


def test_rank_skips_after_a_tie_and_leaves_out_counties_without_value(city_world):
    from workstudy.models import Region

    Region.chain("江西省", "抚州市", "丁县")  # no schools: no students, no ratio
    c = compare(city_world.city, city_world.year)
    ding = Region.objects.get(name="丁县")
    ranks = positions(c, "liability_insurance")
    assert ranks[ding.pk] is None
    assert rank(ding, 2024, "base_area") == (None, 3)
    assert [r.values["completeness"] for r in c.rows] == [D("50.00"), D("100.00"), None]


def test_rank_sentence(city_world):
    assert rank_sentence(city_world.yi, 2024) == (
        "在抚州市2个县（市、区）中，校均勤工俭学收入居第2位，每千名学生劳动基地面积居第2位。")
    assert rank_sentence(city_world.jia, 2024) == (
        "在抚州市2个县（市、区）中，校均勤工俭学收入居第1位，每千名学生劳动基地面积居第1位。")


def test_rank_sentence_counts_only_the_counties_with_schools_that_year(city_world):
    """A locked year counts the schools that had a return: 乙县's school without a 2024 return
    is not there, so 甲县 stood alone in 抚州市 that year (no sentence) and 乙县 not at all."""
    from workstudy.models import ReportingYear, Submission

    Submission.objects.filter(school=city_world.b1).delete()
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED)
    assert rank_sentence(city_world.jia, 2024) == ""
    assert rank_sentence(city_world.yi, 2024) == ""
    # A third county of the city with a school that year: 甲县 stands among 2, not 3.
    ding = Region.chain("江西省", "抚州市", "丁县")
    school = SchoolFactory(code="DI01", name="丁县中学", county=ding)
    SubmissionFactory(school=school, year=city_world.year, student_count=100)
    assert rank_sentence(city_world.jia, 2024).startswith("在抚州市2个县（市、区）中，")


def test_rank_sentence_says_tied(city_world):
    from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory

    # 乙县 gets 6 亩 for its 500 students: 12 per 1,000 students, as 甲县.
    LandParcelFactory(base=LaborBaseFactory(school=city_world.b1, name="乙县菜园"), year=city_world.year,
                      area_mu=D("6.00"))
    assert rank_sentence(city_world.yi, 2024).endswith("每千名学生劳动基地面积并列第1位。")


def test_every_metric_is_computed_for_every_row(city_world):
    c = compare(city_world.city, city_world.year)
    for row in [*c.rows, c.total]:
        assert set(row.values) == {m.key for m in METRICS}



def test_the_kept_comparison_follows_a_data_change(city_world, monkeypatch):
    """Outside a transaction the counties' sums are kept until data changes, then summed again."""
    from django.core.cache import cache

    from workstudy import freshness

    cache.clear()
    monkeypatch.setattr(freshness, "in_transaction", lambda: False)
    before = compare(city_world.city, 2024).row_for(city_world.yi).values["students"]
    with CaptureQueriesContext(connection) as kept:
        assert compare(city_world.city, 2024).row_for(city_world.yi).values["students"] == before
    submission = city_world.b1.submissions.get(year_id=2024)
    submission.student_count = 800
    submission.save()
    with CaptureQueriesContext(connection) as again:
        assert compare(city_world.city, 2024).row_for(city_world.yi).values["students"] == 800 != before
    assert len(kept.captured_queries) < len(again.captured_queries)
    cache.clear()
