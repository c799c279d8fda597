"""The annual summary of one county: every figure, table and list counts only that county's
schools and bureau-level rows; readers get their own county's summary, or pick one of theirs."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reports import figures
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.reports.conftest import build_county
from workstudy.models import Region, ReportingYear, Role

B_MARK = "余江"  # every name of county B's rows contains it


@pytest.fixture
def regions(db):
    a = Region.default_county()
    city = a.parent
    b = Region.objects.create(parent=city, name="余江区", level=Region.Level.COUNTY)
    other_city = Region.objects.create(parent=city.parent, name="上饶市", level=Region.Level.CITY)
    c = Region.objects.create(parent=other_city, name="广丰区", level=Region.Level.COUNTY)
    return {"a": a, "b": b, "c": c, "city": city}


@pytest.fixture
def two(regions, school_a):
    """County A: the reports' small county (conftest). County B: one school with a base, an
    enterprise (and one remitting more than it earned: a warning without a school), a service
    centre, a policy, coverage and a paid claim, amounts with cents."""
    from enterprises.models import EventKind
    from insurance.models import ClaimStatus, FundingSource, PolicyType
    from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
    from tests.insurance.factories import ClaimFactory, CoverageFactory, FundingFactory, InsurerFactory, PolicyFactory
    from tests.labor_bases.factories import (
        ActivityFactory,
        BaseYearFinanceFactory,
        LaborBaseFactory,
        LandParcelFactory,
        ProductionLineFactory,
    )
    from tests.logistics.factories import CentreYearFiguresFactory, SalesLineFactory, ServiceCentreFactory

    a = build_county(school_a=school_a)
    b = regions["b"]
    y23, y24 = a.y23, a.y24
    school = SchoolFactory(code="YJ001", name="余江乙校", county=b)
    SubmissionFactory(school=school, year=y24)
    ent = EnterpriseFactory(name="余江服装厂", county=b)
    YearStatFactory(enterprise=ent, year=y23, revenue=Decimal("7000.10"), cost=Decimal("3000.05"),
                    remitted_to_education=Decimal("700.01"))
    YearStatFactory(enterprise=ent, year=y24, revenue=Decimal("9000.55"), cost=Decimal("4000.10"),
                    remitted_to_education=Decimal("900.25"))
    ReformEventFactory(enterprise=ent, date=dt.date(2010, 3, 1), kind=EventKind.AUCTION)
    odd = EnterpriseFactory(name="余江纸品厂", county=b)
    YearStatFactory(enterprise=odd, year=y24, revenue=Decimal("100.00"), cost=Decimal("90.00"),
                    remitted_to_education=Decimal("150.00"))
    base = LaborBaseFactory(school=school, name="余江稻田基地")
    LandParcelFactory(base=base, year=y24, land_type="grain", crop="水稻", area_mu=Decimal("7.50"))
    ProductionLineFactory(base=base, year=y23, product="稻谷", grade="", quantity=Decimal("100"),
                          unit_price=Decimal("2.55"))
    BaseYearFinanceFactory(base=base, year=y23, remitted_to_school=Decimal("300.30"))
    ProductionLineFactory(base=base, year=y24, product="稻谷", grade="", quantity=Decimal("200"),
                          unit_price=Decimal("3.15"))
    BaseYearFinanceFactory(base=base, year=y24, labor_cost=Decimal("100.20"), fertilizer_cost=Decimal("50"),
                           seedling_cost=Decimal("0"), equipment_cost=Decimal("0"), remitted_to_school=Decimal("200"))
    ActivityFactory(school=school, year=y24, activity="插秧", participants=40, days=2)
    centre = ServiceCentreFactory(name="余江后勤服务中心", county=b, founded_year=2015)
    CentreYearFiguresFactory(centre=centre, year=y24, cost=Decimal("300.40"), remitted_to_education=Decimal("30.03"))
    SalesLineFactory(centre=centre, year=y24, amount=Decimal("800.80"))
    insurer = InsurerFactory(name="余江保险公司", county=b)
    policy = PolicyFactory(year=y24, policy_type=PolicyType.PROPERTY, insurer=insurer, county=b,
                           premium_total=Decimal("500.50"))
    FundingFactory(policy=policy, source=FundingSource.CITY, amount=Decimal("500.50"), persons=0)
    CoverageFactory(school=school, year=y24, insured_parent_paid=50, poor_free_by_insurer=3, poor_advanced_by_school=2,
                    advance_amount=Decimal("99.99"))
    ClaimFactory(school=school, policy=policy, status=ClaimStatus.PAID, persons=2, requested_amount=Decimal("4000.40"),
                 assessed_amount=Decimal("4000.40"), paid_amount=Decimal("4000.40"), paid_date=dt.date(2024, 6, 1),
                 claimant_kind="school")
    return {"a": regions["a"], "b": b, "c": regions["c"], "city": regions["city"], "school_b": school}


def _printed(summary) -> str:
    """Everything the summary prints (figures, tables, lists), as text."""
    payload = {"figures": {k: (f.value, f.text) for k, f in summary.figures.items()}, "data": summary.data,
               "gaps": summary.gaps}
    return json.dumps(payload, ensure_ascii=False, default=figures._json_default)


def test_money_figures_of_the_whole_are_the_sums_of_the_counties(two):
    whole, a, b = figures.compute(2024), figures.compute(2024, two["a"]), figures.compute(2024, two["b"].pk)
    for i, row in enumerate(whole.data["finance_rows"]):
        ra, rb = a.data["finance_rows"][i], b.data["finance_rows"][i]
        for key in ("revenue", "cost", "unmatched_revenue", "total_income", "subsidy"):
            assert row[key] == ra[key] + rb[key], (row["year"], key)
        for part in ("enterprises", "labor_bases", "logistics"):
            for key in ("revenue", "cost", "profit", "remitted"):
                assert row[part][key] == ra[part][key] + rb[part][key], (row["year"], part, key)
    assert b.data["finance_rows"][-1]["enterprises"]["revenue"] == Decimal("9100.55")
    assert b.data["finance_rows"][-1]["labor_bases"]["revenue"] == Decimal("630.00")
    assert b.data["finance_rows"][-1]["logistics"]["revenue"] == Decimal("800.80")
    totals = whole.data["enterprise_figures"]["totals"]
    for key in ("revenue", "cost", "profit", "tax", "remitted_to_education"):
        assert totals[key] == (a.data["enterprise_figures"]["totals"][key]
                               + b.data["enterprise_figures"]["totals"][key]), key
    assert whole.figures["land_total"].value == a.figures["land_total"].value + b.figures["land_total"].value
    assert b.figures["land_total"].value == Decimal("7.50")
    for year in (2023, 2024):
        assert whole.data["claims_per_year"][year]["paid_total"] == (
            a.data["claims_per_year"][year]["paid_total"] + b.data["claims_per_year"][year]["paid_total"])
    assert b.data["claims_per_year"][2024]["paid_total"] == Decimal("4000.40")
    premium = {r["source"]: r["amount"] for r in whole.data["premium_by_source"]}
    for ra, rb in zip(a.data["premium_by_source"], b.data["premium_by_source"], strict=True):
        assert premium[ra["source"]] == ra["amount"] + rb["amount"]
    for key in ("insured_parent_paid", "advance_amount", "school_count"):
        assert whole.data["coverage"][key] == a.data["coverage"][key] + b.data["coverage"][key]
    for key in ("total_mu", "school_count", "schools_with_base", "students_participating"):
        assert whole.data["base_overview"][key] == a.data["base_overview"][key] + b.data["base_overview"][key]
    assert whole.figures["enterprise_count"].value == a.figures["enterprise_count"].value + 2


def test_county_a_prints_nothing_of_county_b(two):
    a = figures.compute(2024, two["a"])
    printed = _printed(a)
    assert B_MARK not in printed
    assert a.county == two["a"].name
    assert a.data["centre"]["name"] == "腾飞学校后勤服务中心"
    assert a.figures["reform_date"].value == dt.date(2019, 6, 1)  # county B's 2010 auction is not A's
    assert a.figures["centre_founded"].value == 2012
    b = figures.compute(2024, two["b"])
    assert b.county == "余江区" and b.bureau == "余江区教育局" and a.bureau == "贵溪市教育局"
    assert b.data["centre"]["name"] == "余江后勤服务中心" and b.figures["centre_founded"].value == 2015
    assert b.data["exam_lodging"] is None  # county A's programme
    assert "甲校樟坪" not in _printed(b) and "教育印刷厂" not in _printed(b)


def test_appendix_lists_only_the_countys_warnings_and_returns(two):
    whole, a, b = (figures.compute(2024), figures.compute(2024, two["a"]), figures.compute(2024, two["b"]))
    odd = [f for f in whole.data["findings"] if f["object"] == "余江纸品厂"]
    assert odd, "the whole deployment's appendix lists county B's enterprise warning"
    assert not [f for f in a.data["findings"] if f["object"] == "余江纸品厂"]
    assert [f for f in b.data["findings"] if f["object"] == "余江纸品厂"]
    assert {p["school"] for p in b.data["pending_submissions"]} == {"余江乙校"}
    assert "余江乙校" not in {p["school"] for p in a.data["pending_submissions"]}
    assert whole.data["pending_total"] == a.data["pending_total"] + b.data["pending_total"]


def test_cached_summaries_are_kept_per_county(two):
    a = figures.compute_cached(2024, two["a"])
    b = figures.compute_cached(2024, two["b"])
    assert a.county != b.county
    assert figures.compute_cached(2024, two["a"].pk).fingerprint() == a.fingerprint()
    assert figures.compute_cached(2024).fingerprint() not in (a.fingerprint(), b.fingerprint())


def test_not_a_county_is_refused(two):
    with pytest.raises(LookupError):
        figures.compute(2024, two["city"])


def test_a_locked_year_keeps_each_countys_summary(two):
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED)
    figures.freeze(2024)
    kept_a = figures.frozen(2024, two["a"])
    assert kept_a is not None and B_MARK not in _printed(kept_a)
    assert figures.frozen(2024, two["b"]).county == "余江区"
    assert B_MARK not in _printed(figures.compute_cached(2024, two["a"]))
    assert B_MARK in _printed(figures.compute_cached(2024, two["b"]))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_county_staff_get_their_own_countys_page(two, director_client):
    url = reverse("reports:summary", kwargs={"year": 2024})
    page = director_client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "甲校樟坪" in text and B_MARK not in text
    assert director_client.get(url, {"county": two["b"].pk}).status_code == 404
    assert director_client.get(reverse("reports:summary_pdf", kwargs={"year": 2024}),
                               {"county": two["b"].pk}).status_code == 404
    staff_b = UserFactory(username="staff_yj", role=Role.STAFF, region=two["b"])
    text_b = _client(staff_b).get(url).content.decode()
    assert "余江乙校" in text_b and "甲校樟坪" not in text_b


def test_city_staff_pick_one_of_their_counties(two):
    city = _client(UserFactory(username="city_staff", role=Role.STAFF, region=two["city"]))
    url = reverse("reports:summary", kwargs={"year": 2024})
    first = city.get(url)
    assert first.status_code == 200
    assert "甲校樟坪" in first.content.decode() and B_MARK + "乙校" not in first.content.decode()
    assert 'name="county"' in first.content.decode()
    other = city.get(url, {"county": two["b"].pk}).content.decode()
    assert "余江乙校" in other and "甲校樟坪" not in other
    assert f"?county={two['b'].pk}" in other  # the PDF link keeps the county
    assert city.get(url, {"county": two["c"].pk}).status_code == 404
    assert city.get(url, {"county": "x"}).status_code == 404
    assert city.get(reverse("reports:summary_pdf", kwargs={"year": 2024}), {"county": two["c"].pk}).status_code == 404


def test_quality_workbook_is_the_countys(two, director_client):
    from io import BytesIO

    from openpyxl import load_workbook

    response = director_client.get(reverse("reports:quality_xlsx", kwargs={"year": 2024}))
    book = load_workbook(BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    cells = " ".join(str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row)
    assert "甲校" in cells and B_MARK not in cells


def _lock_2024():
    from django.utils import timezone

    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED, locked_at=timezone.now())
    figures.freeze(2024)
    return ReportingYear.objects.get(pk=2024)


def test_a_locked_years_archived_summary_is_the_one_countys_download(county):
    """One county holds every row: the summary archived at the lock is that county's document."""
    from reports import archive, pdf

    year = _lock_2024()
    doc = archive.summary_of(year)
    download = pdf.summary_download(2024, Region.default_county())
    assert (download.source, download.sha256) == ("stored", doc.sha256)


def test_a_locked_years_county_summary_is_its_own_archived_document(two, director_client):
    """Two counties, locked together: the deployment's summary and each county's are separate
    documents, each archived (the county's at its first download, dated the lock) and served
    byte-identical afterwards; a county's readers never get the whole deployment's."""
    from reports import archive, pdf

    year = _lock_2024()
    whole = archive.summary_of(year)
    download = pdf.summary_download(2024, two["a"])
    assert download.source == "stored" and download.sha256 != whole.sha256
    assert download.fingerprint == figures.frozen(2024, two["a"]).fingerprint()
    own = archive.current(year, "summary", county=two["a"])
    assert own.county == two["a"] and own.sha256 == download.sha256
    assert pdf.summary_download(2024, two["a"]).sha256 == own.sha256  # the same bytes every time
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    assert B_MARK not in page and whole.sha256 not in page and own.sha256 in page
    # The deployment's summary counts county B too: county A's staff cannot open it; the city's staff can.
    url = reverse("reports:archived_document", kwargs={"pk": whole.pk})
    assert director_client.get(url).status_code == 404
    assert director_client.get(reverse("reports:archived_document", kwargs={"pk": own.pk})).status_code == 200
    city = _client(UserFactory(username="city_staff", role=Role.STAFF, region=two["city"]))
    assert city.get(url).status_code == 200


def test_the_shortcomings_say_where_the_county_stands_in_its_city(two, director_client):
    """The 不足 section's first sentence ranks the county among its city's counties by the
    city comparison's figures; a county alone in its city (C) and the whole deployment have none."""
    from rollup.comparison import BY_KEY
    from workstudy.participation import schools_of_year

    per_school = {}
    for key in ("a", "b"):
        summary = figures.compute(2024, two[key])
        schools = schools_of_year(2024).filter(county=two[key]).count()
        per_school[key] = (summary.data["finance_rows"][-1]["total_income"] / schools, summary.data["standing"])
    leader = max(per_school, key=lambda k: per_school[k][0])
    label = str(BY_KEY["income_per_school"].label)
    for key, (_income, standing) in per_school.items():
        assert standing.startswith(f"在{two['city'].name}2个县（市、区）中，"), standing
        assert f"{label}居第{1 if key == leader else 2}位" in standing, standing
    SchoolFactory(code="GF001", name="广丰甲校", county=two["c"])
    assert figures.compute(2024, two["c"]).data["standing"] == ""
    assert figures.compute(2024).data["standing"] == ""
    page = director_client.get(reverse("reports:summary", kwargs={"year": 2024})).content.decode()
    section = page[page.index("三、存在的不足及今后努力方向"):]
    assert per_school["a"][1] in section[:2000]


def test_the_summary_is_built_in_chinese_whatever_the_first_readers_language(two):
    """One cached summary serves every reader: an English reader's request must not leave
    English sentences in the Chinese document."""
    from django.utils import translation

    with translation.override("en"):
        summary = figures.compute_cached(2024, two["a"])
    assert summary.data["standing"].startswith("在"), summary.data["standing"]
    assert summary.figures["enterprise_count"].label == "下挂校办企业"
