"""The staff-written parts of the summary per county (narrative, settings, stated figures, policy
documents, dated facts): each county's summary prints its own rows and never another county's,
a county without its own prints the deployment's shared rows, and each county's staff read and
change only their county's rows (pages and admin); city staff change nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import figures, texts
from reports.models import DatedFact, NarrativeBlock, PolicyDocument, StatedFigure, SummarySettings
from tests.factories import SchoolFactory, UserFactory
from tests.reports import test_per_county as per_county
from tests.reports.factories import (
    DatedFactFactory,
    NarrativeBlockFactory,
    PolicyDocumentFactory,
    SummarySettingsFactory,
)
from workstudy.models import Region, ReportingYear, Role

# The two counties of the per-county summary tests (A: 贵溪市 with every module, B: 余江区, C: 广丰区
# of another city) and their helpers.
regions, two = per_county.regions, per_county.two
_client, _printed = per_county._client, per_county._printed

A_MARK, B_MARK = "贵溪本县", "余江本县"  # in every text of county A's / county B's own rows
SHARED_INTRO = "第一段叙述。\n\n第二段叙述。"  # the shared narrative of build_county


def _own_texts(county, mark: str, *, period_start: int, first_insurance: int, liability: bool):
    y24 = ReportingYear.objects.get(pk=2024)
    NarrativeBlockFactory(year=y24, section="intro", county=county, text=f"{mark}的基本情况。")
    NarrativeBlockFactory(year=y24, section="bases", county=county, heading=f"{mark}基地小标题", text=f"{mark}的基地。")
    SummarySettingsFactory(year=y24, county=county, period_start=period_start)
    StatedFigure.objects.create(year=y24, county=county, key=StatedFigure.Key.LAND_TOTAL, value=Decimal("321.50"),
                                source=f"{mark}手工稿")
    PolicyDocumentFactory(county=county, title=f"关于推进{mark}学校后勤社会化工作的意见", issuer=f"{mark}教育局",
                          doc_no=f"{mark}〔2016〕1号", date=dt.date(2016, 3, 1),
                          topic=PolicyDocument.Topic.LOGISTICS)
    if liability:
        PolicyDocumentFactory(county=county, title=f"{mark}校(园)方责任保险通知", issuer=f"{mark}教育局",
                              doc_no=f"{mark}〔2009〕2号", date=dt.date(2009, 5, 1))
    DatedFactFactory(county=county, year=first_insurance, month=3, note=f"{mark}统保方案")


@pytest.fixture
def texts_of_two(two):
    """County A (贵溪市) and B (余江区) with rows of their own of every kind; the shared rows of
    build_county stay (narrative intro, settings 2023, the province's liability notice, 2006),
    plus a shared stated figure."""
    _own_texts(two["a"], A_MARK, period_start=2023, first_insurance=2007, liability=False)
    _own_texts(two["b"], B_MARK, period_start=2024, first_insurance=2009, liability=True)
    StatedFigure.objects.create(year_id=2024, key=StatedFigure.Key.LAND_TOTAL, value=Decimal("890"), source="共用手工稿")
    StatedFigure.objects.create(year_id=2024, key=StatedFigure.Key.SUBSIDY, value=Decimal("2"), source="共用手工稿")
    return two


def _everything(summary) -> str:
    """What the summary prints, narrative included."""
    narrative = " ".join(f"{b.heading} {b.text}" for b in summary.narratives.values() if b is not None)
    return _printed(summary) + narrative


# -- the summary ------------------------------------------------------------------------------------


def test_each_county_prints_its_own_texts_and_never_the_others(texts_of_two):
    a, b = figures.compute(2024, texts_of_two["a"]), figures.compute(2024, texts_of_two["b"])
    assert A_MARK in _everything(a) and B_MARK not in _everything(a)
    assert B_MARK in _everything(b) and A_MARK not in _everything(b)
    # narrative
    assert a.narratives["intro"].text == f"{A_MARK}的基本情况。" and b.narratives["intro"].text == f"{B_MARK}的基本情况。"
    assert b.narratives["bases"].heading == f"{B_MARK}基地小标题"
    # settings: the period start (P1) and so the period of every average
    assert (a.period_start, a.period_years) == (2023, [2023, 2024])
    assert (b.period_start, b.period_years) == (2024, [2024])
    # dated fact (P10)
    assert a.figures["first_insurance_year"].text == "2007年3月"
    assert b.figures["first_insurance_year"].text == "2009年3月"
    # stated figures: the county's own land total replaces the shared one; the shared subsidy stays
    assert [(r["key"], r["source"]) for r in a.data["stated_figures"]] == [
        ("land_total", f"{A_MARK}手工稿"), ("subsidy", "共用手工稿")]
    assert [r["source"] for r in b.data["stated_figures"]] == [f"{B_MARK}手工稿", "共用手工稿"]
    # policy documents: the county's own on a topic replace the shared ones on it
    assert [d["issuer"] for d in a.data["logistics_documents"]] == [f"{A_MARK}教育局"]
    assert a.figures["liability_document"].value == "赣教勤字〔2008〕3号"  # A has none of its own: shared
    assert b.figures["liability_document"].value == f"{B_MARK}〔2009〕2号"
    assert {d["issuer"] for d in b.data["all_documents"]} == {f"{B_MARK}教育局"}


def test_a_county_without_its_own_rows_prints_the_shared_ones(texts_of_two):
    c = texts_of_two["c"]
    SchoolFactory(code="GF001", name="广丰甲校", county=c)
    summary = figures.compute(2024, c)
    printed = _everything(summary)
    assert A_MARK not in printed and B_MARK not in printed
    assert summary.narratives["intro"].text == SHARED_INTRO and summary.narratives["bases"] is None
    assert summary.period_start == 2023
    assert summary.figures["first_insurance_year"].value == 2006
    assert summary.figures["liability_document"].value == "赣教勤字〔2008〕3号"
    assert {r["source"] for r in summary.data["stated_figures"]} == {"共用手工稿"}


def test_the_whole_deployment_prints_the_shared_rows(texts_of_two):
    whole = figures.compute(2024)
    printed = _everything(whole)
    assert A_MARK not in printed and B_MARK not in printed
    assert whole.narratives["intro"].text == SHARED_INTRO
    assert whole.period_start == 2023 and whole.figures["first_insurance_year"].value == 2006


def test_a_deployment_of_one_county_prints_that_countys_rows(county):
    """One county: the deployment's summary is that county's (the archived PDF serves both)."""
    only = Region.default_county()
    NarrativeBlockFactory(year=county.y24, section="intro", county=only, text=f"{A_MARK}的基本情况。")
    DatedFactFactory(county=only, year=2005)
    whole, own = figures.compute(2024), figures.compute(2024, only)
    assert whole.narratives["intro"].text == own.narratives["intro"].text == f"{A_MARK}的基本情况。"
    assert whole.figures["first_insurance_year"].value == own.figures["first_insurance_year"].value == 2005
    assert whole.narratives["bases"] is None  # no row, shared or own
    SchoolFactory(code="YJ009", name="余江丙校", county=Region.objects.create(
        parent=only.parent, name="余江区", level=Region.Level.COUNTY))
    assert figures.compute(2024).narratives["intro"].text == SHARED_INTRO  # two counties: the shared text


def _queries(func) -> int:
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_own_rows_cost_no_query(two):
    """Choosing between a county's rows and the shared ones is done on one read per kind."""
    before = [_queries(lambda: figures.compute(2024)), _queries(lambda: figures.compute(2024, two["a"])),
              _queries(lambda: figures.compute(2024, two["b"]))]
    _own_texts(two["a"], A_MARK, period_start=2023, first_insurance=2007, liability=True)
    _own_texts(two["b"], B_MARK, period_start=2024, first_insurance=2009, liability=False)
    after = [_queries(lambda: figures.compute(2024)), _queries(lambda: figures.compute(2024, two["a"])),
             _queries(lambda: figures.compute(2024, two["b"]))]
    assert before == after


class _Row:
    def __init__(self, county_id, key, n):
        self.county_id, self.key, self.n = county_id, key, n


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, 1, 2]), st.sampled_from("xyz")), max_size=12),
       st.sampled_from([None, 1, 2]))
def test_choose_takes_the_countys_rows_of_a_key_else_the_shared_ones(pairs, county):
    rows = [_Row(c, k, i) for i, (c, k) in enumerate(pairs)]
    read = [r for r in rows if r.county_id is None or r.county_id == county]  # what own_or_shared reads
    chosen = texts.choose(read, county, lambda r: r.key)
    for key in "xyz":
        own = [r.n for r in rows if county is not None and r.county_id == county and r.key == key]
        shared = [r.n for r in rows if r.county_id is None and r.key == key]
        assert [r.n for r in chosen if r.key == key] == (own or shared)
    assert all(r.county_id in (None, county) for r in chosen)


# -- pages ------------------------------------------------------------------------------------------


def _staff(region, name):
    return _client(UserFactory(username=name, role=Role.STAFF, is_director=True, region=region))


def test_county_staff_read_and_write_their_own_narrative(texts_of_two, director_client):
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    page = director_client.get(url).content.decode()
    assert f"{A_MARK}的基本情况。" in page and B_MARK not in page
    assert director_client.get(url, {"county": texts_of_two["b"].pk}).status_code == 404
    own = NarrativeBlock.objects.get(county=texts_of_two["a"], section="intro")
    response = director_client.post(url, {"heading": "", "text": "贵溪改写。", "row_version": own.version})
    assert response.status_code == 302
    assert NarrativeBlock.objects.get(county=texts_of_two["a"], section="intro").text == "贵溪改写。"
    assert NarrativeBlock.objects.get(county=texts_of_two["b"], section="intro").text == f"{B_MARK}的基本情况。"
    assert NarrativeBlock.objects.get(county__isnull=True, section="intro").text == SHARED_INTRO


def test_editing_a_shared_text_makes_the_countys_own_copy(texts_of_two):
    """余江 has no 'logistics' narrative and the shared one is printed; its staff start from the
    shared text, and saving makes 余江's own: the other counties still print the shared one."""
    shared = NarrativeBlockFactory(year_id=2024, section="logistics", text="共用的后勤叙述。")
    staff_b = _staff(texts_of_two["b"], "staff_yj")
    url = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "logistics"})
    page = staff_b.get(url).content.decode()
    assert "共用的后勤叙述。" in page and 'id="from-shared"' in page
    assert staff_b.post(url, {"heading": "", "text": "余江的后勤叙述。"}).status_code == 302
    assert NarrativeBlock.objects.get(pk=shared.pk).text == "共用的后勤叙述。"
    copy = NarrativeBlock.objects.get(county=texts_of_two["b"], section="logistics")
    assert copy.text == "余江的后勤叙述。"
    assert figures.compute(2024, texts_of_two["b"]).narratives["logistics"].text == "余江的后勤叙述。"
    assert figures.compute(2024, texts_of_two["a"]).narratives["logistics"].text == "共用的后勤叙述。"


def test_county_staff_settings_facts_documents_stated_are_their_countys(texts_of_two, director_client):
    a, b = texts_of_two["a"], texts_of_two["b"]
    # settings
    settings_url = reverse("reports:settings", kwargs={"year": 2024})
    own = SummarySettings.objects.get(county=a)
    assert director_client.post(settings_url, {"period_start": 2020, "subsidy_mode": "total",
                                               "base_coverage_threshold": "0.9",
                                               "row_version": own.version}).status_code == 302
    assert SummarySettings.objects.get(county=a).period_start == 2020
    assert SummarySettings.objects.get(county=b).period_start == 2024
    assert SummarySettings.objects.get(county__isnull=True).period_start == 2023
    # dated facts
    facts = director_client.get(reverse("reports:facts"), {"year": 2024}).content.decode()
    assert "2007年3月" in facts and "2009年" not in facts
    fact_url = reverse("reports:fact_edit", args=["first_insurance"])
    assert director_client.post(fact_url, {"year": "2008", "month": "", "note": "更正",
                                           "row_version": DatedFact.objects.get(county=a).version}).status_code == 302
    assert DatedFact.objects.get(county=a).year == 2008 and DatedFact.objects.get(county=b).year == 2009
    assert DatedFact.objects.get(county__isnull=True).year == 2006
    # documents: B's are neither listed nor opened; a shared one edited becomes A's copy
    docs = director_client.get(reverse("reports:documents")).content.decode()
    assert A_MARK in docs and B_MARK not in docs and "赣教勤字〔2008〕3号" in docs
    b_doc = PolicyDocument.objects.get(county=b, topic=PolicyDocument.Topic.LOGISTICS)
    edit_b = reverse("reports:document_edit", args=[b_doc.pk])
    assert director_client.get(edit_b).status_code == 404
    assert director_client.post(edit_b, {"title": "改", "issuer": "改", "doc_no": "", "date": "2016-03-01",
                                         "kind": "notice", "topic": "other"}).status_code == 404
    assert PolicyDocument.objects.get(pk=b_doc.pk).title == f"关于推进{B_MARK}学校后勤社会化工作的意见"
    shared_doc = PolicyDocument.objects.get(county__isnull=True)
    response = director_client.post(reverse("reports:document_edit", args=[shared_doc.pk]), {
        "title": shared_doc.title, "issuer": shared_doc.issuer, "doc_no": "赣教勤字〔2008〕4号",
        "date": "2008-04-15", "kind": "notice", "topic": "liability"})
    assert response.status_code == 302
    assert PolicyDocument.objects.get(pk=shared_doc.pk).doc_no == "赣教勤字〔2008〕3号"
    assert PolicyDocument.objects.get(county=a, topic="liability").doc_no == "赣教勤字〔2008〕4号"
    assert figures.compute(2024, a).figures["liability_document"].value == "赣教勤字〔2008〕4号"
    # the shared document opened again: the county's copy made before is the one changed
    director_client.post(reverse("reports:document_edit", args=[shared_doc.pk]), {
        "title": shared_doc.title, "issuer": shared_doc.issuer, "doc_no": "赣教勤字〔2008〕5号",
        "date": "2008-04-15", "kind": "notice", "topic": "liability",
        "row_version": PolicyDocument.objects.get(county=a, topic="liability").version})
    assert PolicyDocument.objects.get(county=a, topic="liability").doc_no == "赣教勤字〔2008〕5号"
    assert figures.compute(2024, a).figures["liability_document"].value == "赣教勤字〔2008〕5号"
    assert figures.compute(2024).figures["liability_document"].value == "赣教勤字〔2008〕3号"
    # a new document is the writer's county's
    director_client.post(reverse("reports:document_new"), {
        "title": "新文件", "issuer": "贵溪市教育局", "doc_no": "", "date": "2020-01-01", "kind": "notice",
        "topic": "other"})
    assert PolicyDocument.objects.get(title="新文件").county == a
    # stated figures: the county's rows in the form, B's nowhere; a new row is A's
    stated_url = reverse("reports:stated", kwargs={"year": 2024})
    stated = director_client.get(stated_url).content.decode()
    assert f"{A_MARK}手工稿" in stated and B_MARK not in stated and "共用手工稿" in stated
    own_row = StatedFigure.objects.get(county=a)
    data = {"st-TOTAL_FORMS": "2", "st-INITIAL_FORMS": "1", "st-MIN_NUM_FORMS": "0", "st-MAX_NUM_FORMS": "1000",
            "st-0-id": str(own_row.pk), "st-0-key": "land_total", "st-0-value": "300", "st-0-source": own_row.source,
            "st-1-key": "claim_paid", "st-1-value": "1.5", "st-1-source": "贵溪另一稿"}
    assert director_client.post(stated_url, data).status_code == 302
    assert StatedFigure.objects.get(pk=own_row.pk).value == Decimal("300")
    assert StatedFigure.objects.get(source="贵溪另一稿").county == a
    # B's row id in A's form is refused, B's row unchanged
    b_row = StatedFigure.objects.get(county=b)
    data.update({"st-0-id": str(b_row.pk), "st-0-value": "1", "st-0-source": b_row.source,
                 "st-1-key": "", "st-1-value": "", "st-1-source": ""})
    director_client.post(stated_url, data)
    assert StatedFigure.objects.get(pk=b_row.pk).value == Decimal("321.50")


def test_a_city_user_reads_and_cannot_change(texts_of_two):
    a, b = texts_of_two["a"], texts_of_two["b"]
    city = _staff(texts_of_two["city"], "city_staff")
    narrative = reverse("reports:narrative_edit", kwargs={"year": 2024, "section": "intro"})
    page = city.get(narrative, {"county": b.pk}).content.decode()
    assert f"{B_MARK}的基本情况。" in page and "只能查看" in page and '<form method="post">' not in page
    assert city.post(f"{narrative}?county={b.pk}", {"heading": "", "text": "市里改的。"}).status_code == 403
    assert NarrativeBlock.objects.get(county=b, section="intro").text == f"{B_MARK}的基本情况。"
    settings_url = reverse("reports:settings", kwargs={"year": 2024}) + f"?county={a.pk}"
    assert "只能查看" in city.get(settings_url).content.decode()
    assert city.post(settings_url, {"period_start": 2020, "subsidy_mode": "total",
                                    "base_coverage_threshold": "0.9"}).status_code == 403
    fact_url = reverse("reports:fact_edit", args=["first_insurance"]) + f"?county={b.pk}"
    assert city.post(fact_url, {"year": "2001", "month": "", "note": ""}).status_code == 403
    doc = PolicyDocument.objects.get(county=b, topic=PolicyDocument.Topic.LOGISTICS)
    doc_url = reverse("reports:document_edit", args=[doc.pk]) + f"?county={b.pk}"
    assert "只能查看" in city.get(doc_url).content.decode()
    assert city.post(doc_url, {"title": "改", "issuer": "改", "doc_no": "", "date": "2016-03-01",
                               "kind": "notice", "topic": "other"}).status_code == 403
    assert city.post(reverse("reports:document_new") + f"?county={b.pk}", {
        "title": "市里新增", "issuer": "鹰潭市", "doc_no": "", "date": "2020-01-01", "kind": "notice",
        "topic": "other"}).status_code == 403
    stated_url = reverse("reports:stated", kwargs={"year": 2024}) + f"?county={b.pk}"
    assert city.post(stated_url, {"st-TOTAL_FORMS": "1", "st-INITIAL_FORMS": "0", "st-MIN_NUM_FORMS": "0",
                                  "st-MAX_NUM_FORMS": "1000", "st-0-key": "subsidy", "st-0-value": "1",
                                  "st-0-source": "市里"}).status_code == 403
    assert SummarySettings.objects.get(county=a).period_start == 2023
    assert DatedFact.objects.get(county=b).year == 2009
    assert not PolicyDocument.objects.filter(title__in=["改", "市里新增"]).exists()
    assert not StatedFigure.objects.filter(source="市里").exists()


# -- admin ------------------------------------------------------------------------------------------


def test_admin_shows_and_changes_only_the_countys_rows(texts_of_two, director):
    a, b = texts_of_two["a"], texts_of_two["b"]
    admin = _client(director)
    listing = admin.get("/admin/reports/narrativeblock/").content.decode()
    assert f"{A_MARK}基地小标题" in listing and B_MARK not in listing
    b_block = NarrativeBlock.objects.get(county=b, section="intro")
    assert admin.get(f"/admin/reports/narrativeblock/{b_block.pk}/change/").status_code in (302, 404)
    admin.post(f"/admin/reports/narrativeblock/{b_block.pk}/change/",
               {"year": 2024, "section": "intro", "heading": "", "text": "甲县改乙县。"})
    assert NarrativeBlock.objects.get(pk=b_block.pk).text == f"{B_MARK}的基本情况。"
    b_doc = PolicyDocument.objects.get(county=b, topic=PolicyDocument.Topic.LOGISTICS)
    assert admin.get(f"/admin/reports/policydocument/{b_doc.pk}/change/").status_code in (302, 404)
    # the shared row: read-only for a county's staff
    shared = NarrativeBlock.objects.get(county__isnull=True, section="intro")
    admin.post(f"/admin/reports/narrativeblock/{shared.pk}/change/",
               {"year": 2024, "section": "intro", "heading": "", "text": "贵溪改共用。"})
    assert NarrativeBlock.objects.get(pk=shared.pk).text == SHARED_INTRO
    # a new row is the writer's county's, and a second one of the same part is refused
    response = admin.post("/admin/reports/narrativeblock/add/",
                          {"year": 2024, "section": "shortcomings", "heading": "", "text": "贵溪的不足。"})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert NarrativeBlock.objects.get(section="shortcomings").county == a
    again = admin.post("/admin/reports/narrativeblock/add/",
                       {"year": 2024, "section": "shortcomings", "heading": "", "text": "又一遍。"})
    assert again.status_code == 200 and "已经有了" in again.content.decode()
    assert NarrativeBlock.objects.filter(section="shortcomings").count() == 1
    city = _client(UserFactory(username="city_admin", role=Role.STAFF, region=texts_of_two["city"]))
    city.post("/admin/reports/narrativeblock/add/",
              {"year": 2024, "section": "directions", "heading": "", "text": "市里写的。"})
    assert not NarrativeBlock.objects.filter(section="directions").exists()


# -- demo -------------------------------------------------------------------------------------------


def test_the_demos_texts_are_guixis_and_the_other_counties_print_their_own(db):
    """``load_demo`` (with its other counties): 余江区 and 月湖区 print no narrative of 贵溪市's (nor its
    period, documents, facts or stated figures); 贵溪市 prints its own. Loading again (with the
    demo's texts of an earlier load still shared) leaves them 贵溪市's, with no shared row left."""
    from django.core.management import call_command

    from reports import demo
    from workstudy.demo import demo_county

    call_command("load_demo", verbosity=0)
    guixi = demo_county()
    NarrativeBlock.objects.filter(county=guixi, section="intro", year_id=2024).update(county=None)  # an older load
    demo.load(schools={}, users={})
    for model in (NarrativeBlock, SummarySettings, PolicyDocument, DatedFact, StatedFigure):
        assert not model.objects.filter(county__isnull=True).exists(), model
        assert model.objects.filter(county=guixi).exists(), model
    own = figures.compute(2024, guixi)
    assert own.narratives["intro"] is not None and own.period_start == demo.PERIOD_START
    for name in ("余江区", "月湖区"):
        other = figures.compute(2024, Region.objects.get(name=name, level=Region.Level.COUNTY))
        assert all(block is None for block in other.narratives.values()), name
        assert other.period_years == [2024] and other.data["all_documents"] == [], name
        assert other.figures["first_insurance_year"].value is None and other.data["stated_figures"] == [], name
