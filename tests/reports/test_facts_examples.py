"""Dated facts and their order, staff-chosen examples, stated against computed."""

import functools
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from reports import figures, milestones, pdf, quality
from reports.models import DatedFact, ExampleSchool, StatedFigure
from reports.wording import plot_name, product_name
from tests.factories import SchoolFactory
from tests.reports import document as doc
from workstudy import services
from workstudy.models import ReportingYear, Submission, SubmissionStatus

# -- dated facts ---------------------------------------------------------------------------------


def _text(summary) -> str:
    """The summary's HTML as read: tags dropped (figures are wrapped in links and spans)."""
    return re.sub(r"<[^>]+>", "", pdf.summary_html_for_pdf(summary))


def _codes(summary):
    return [f["code"] for f in summary.data["findings"]]


def test_first_insurance_year_is_the_entered_fact_not_the_first_policy_year(county):
    summary = figures.compute(2024)
    assert summary.figures["first_insurance_year"].value == 2006  # policies start in 2023
    html = _text(summary)
    assert "2006年，我市率先" in html
    assert html.index("2006年，我市率先") < html.index("赣教勤字〔2008〕3号")
    assert not {"RP-01", "RP-02"} & set(_codes(summary))


def test_facts_listed_in_date_order(county):
    facts = figures.compute(2024).data["milestones_list"]
    dated = [f for f in facts if f.year is not None]
    assert [f.sort_key for f in dated] == sorted(f.sort_key for f in dated)
    assert {f.blank for f in facts} == {"P6", "P7", "P8", "P9", "P10", "P12", "P13", "P14"}


@pytest.mark.parametrize("year, month, expected", [
    (2010, None, ["RP-01"]),  # 率先 two years after the province required it
    (2008, 5, ["RP-01"]),  # same year, a month after the notice of April
    (2008, 3, []),  # a month before it
    (2008, None, []),  # same year, month unknown: not certainly after
    (2030, None, ["RP-01", "RP-02"]),  # after the notice and after the summary's own year
])
def test_order_rule(county, year, month, expected):
    DatedFact.objects.filter(kind=DatedFact.Kind.FIRST_INSURANCE).update(year=year, month=month)
    summary = figures.compute(2024)
    assert sorted({c for c in _codes(summary) if c.startswith("RP-")}) == expected
    # the data-quality workbook lists the same warnings
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(quality.quality_workbook(2024))).worksheets[1]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert sorted(c for c in codes if c and c.startswith("RP-")) == expected


def test_missing_fact_is_a_gap_not_a_guess(county):
    DatedFact.objects.all().delete()
    summary = figures.compute(2024)
    assert "P10" in [g.blank for g in summary.gaps]
    assert "率先" in pdf.summary_html_for_pdf(summary)
    assert "〔待补" in pdf.summary_html_for_pdf(summary)


def test_a_locked_year_keeps_the_facts_of_its_lock(county, director):
    Submission.objects.filter(year_id=2023).update(status=SubmissionStatus.APPROVED)
    services.year_lock(user=director, year=ReportingYear.objects.get(pk=2023))
    fact = DatedFact.objects.get()
    fact.year = 2007
    fact.save()
    assert figures.compute_cached(2023).figures["first_insurance_year"].value == 2006  # locked: as at its lock
    assert figures.compute_cached(2024).figures["first_insurance_year"].value == 2007  # open: as corrected
    assert fact.history.count() == 2  # the correction is in the history
    services.year_reopen(user=director, year=ReportingYear.objects.get(pk=2023), reason="更正大事记")
    assert figures.compute_cached(2023).figures["first_insurance_year"].value == 2007


def test_facts_page_and_edit(county, director_client, auditor_client):
    page = director_client.get(reverse("reports:facts") + "?year=2024")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2006年" in text and "先后顺序没有发现问题" in text
    response = director_client.post(reverse("reports:fact_edit", args=["first_insurance"]),
                                     {"year": "2011", "month": "", "note": "更正"})
    assert response.status_code == 302
    # The shared fact stays; the county's staff saved the county's own.
    assert DatedFact.objects.get(county__isnull=False).year == 2011
    assert DatedFact.objects.get(county__isnull=True).year == 2006
    page = director_client.get(reverse("reports:facts") + "?year=2024").content.decode()
    assert "RP-01" in page
    bad = director_client.post(reverse("reports:fact_edit", args=["first_insurance"]), {"year": "20011", "month": "13"})
    assert bad.status_code == 200 and DatedFact.objects.get(county__isnull=False).year == 2011
    assert auditor_client.get(reverse("reports:facts")).status_code == 200
    assert auditor_client.post(reverse("reports:fact_edit", args=["first_insurance"]), {"year": "2006"}).status_code == 403
    assert DatedFact.objects.get(county__isnull=False).year == 2011


def test_principal_cannot_reach_facts(county, principal_a_client):
    assert principal_a_client.get(reverse("reports:facts")).status_code in (403, 404)
    assert principal_a_client.post(reverse("reports:fact_edit", args=["first_insurance"]),
                                   {"year": "2006"}).status_code in (403, 404)


# -- examples ------------------------------------------------------------------------------------


def test_default_examples_are_top_by_profit_with_accounts(county, school_a):
    summary = figures.compute(2024)
    assert [e["school_id"] for e in summary.data["examples"]] == [school_a.pk]
    assert summary.data["mentions"] == []


def test_chosen_examples_in_staff_order_with_brief_mentions(county, school_a):
    other = SchoolFactory(name="鸿塘中学")
    ExampleSchool.objects.create(year_id=2024, school=other, mode=ExampleSchool.Mode.FULL, order=1)
    ExampleSchool.objects.create(year_id=2024, school=school_a, mode=ExampleSchool.Mode.BRIEF, order=2,
                                 feature="茶园")
    summary = figures.compute(2024)
    assert [e["school_id"] for e in summary.data["examples"]] == [other.pk]
    assert summary.data["mentions"][0]["feature"] == "茶园"
    html = _text(summary)
    assert "如鸿塘中学" in html
    assert "此外，" in html and "的茶园等也各具特色" in html
    # a chosen school without lines or accounts prints no made-up figures
    assert "全年收入" not in html.split("如鸿塘中学")[1].split("此外")[0]


def test_full_and_brief_examples_are_read_in_one_go_and_each_list_keeps_its_own(county, school_a, monkeypatch):
    """The schools written up in full and those mentioned briefly are read together (the
    county's summary reads them again after every change to a base), and split again: each
    list has its own schools, in the staff's order."""
    from labor_bases import selectors

    full = [SchoolFactory(name=f"详写{n}校") for n in range(2)]
    for order, school in enumerate(reversed(full), start=1):
        ExampleSchool.objects.create(year_id=2024, school=school, mode=ExampleSchool.Mode.FULL, order=order)
    ExampleSchool.objects.create(year_id=2024, school=school_a, mode=ExampleSchool.Mode.BRIEF, order=3, feature="茶园")
    calls = []
    real = selectors.school_examples
    monkeypatch.setattr(selectors, "school_examples",
                        functools.wraps(real)(lambda *a, **k: calls.append(k) or real(*a, **k)))
    summary = figures.compute(2024)
    assert len(calls) == 1
    assert [e["school_id"] for e in summary.data["examples"]] == [full[1].pk, full[0].pk]
    assert [m["school_name"] for m in summary.data["mentions"]] == [school_a.name]
    assert summary.data["mentions"][0]["feature"] == "茶园"


def test_example_without_cost_says_so(county, school_a):
    from labor_bases.models import BaseYearFinance

    BaseYearFinance.objects.filter(year_id=2024).delete()
    # staff chose it (the default takes only schools with accounts)
    ExampleSchool.objects.create(year_id=2024, school=school_a, mode=ExampleSchool.Mode.FULL)
    html = _text(figures.compute(2024))
    assert "成本未报，利润暂不计算" in html
    assert "除去成本" not in html


def test_flagged_price_is_marked_in_the_example(county, school_a):
    from labor_bases.models import ProductionLine

    line = ProductionLine.objects.filter(year_id=2024, base__school=school_a).first()
    previous = ProductionLine.objects.filter(year_id=2023, base=line.base, product=line.product, grade=line.grade,
                                             unit=line.unit).first()
    assert previous is not None, "the county fixture has the same line in 2023"
    ProductionLine.objects.filter(pk=line.pk).update(unit_price=previous.unit_price * 10,
                                                     value=line.quantity * previous.unit_price * 10)
    summary = figures.compute(2024)
    assert "LB-04" in _codes(summary)
    example = summary.data["examples"][0]
    flagged = [row for row in example["lines"] if row["unchecked"]]
    assert [row["id"] for row in flagged] == [line.pk]
    assert "有待核实" in pdf.summary_html_for_pdf(summary)


def test_examples_page_saves_all_or_nothing(county, school_a, director_client):
    other = SchoolFactory(name="周坊中学")
    url = reverse("reports:examples", args=[2024])
    assert director_client.get(url).status_code == 200
    form = {"ex-TOTAL_FORMS": "2", "ex-INITIAL_FORMS": "0", "ex-MIN_NUM_FORMS": "0", "ex-MAX_NUM_FORMS": "1000",
            "ex-0-school": str(school_a.pk), "ex-0-mode": "full", "ex-0-order": "1", "ex-0-feature": "",
            "ex-1-school": str(other.pk), "ex-1-mode": "brief", "ex-1-order": "2", "ex-1-feature": "雪梨种植"}
    assert director_client.post(url, form).status_code == 302
    assert list(ExampleSchool.objects.values_list("school_id", "mode")) == [(school_a.pk, "full"), (other.pk, "brief")]
    # the same school twice: refused with a message, nothing changed
    dup = {**form, "ex-TOTAL_FORMS": "3", "ex-2-school": str(school_a.pk), "ex-2-mode": "brief", "ex-2-order": "3",
           "ex-INITIAL_FORMS": "0"}
    response = director_client.post(url, dup)
    assert response.status_code == 200
    assert "这所学校已经选过了" in response.content.decode()
    assert ExampleSchool.objects.count() == 2


def test_examples_of_a_locked_year_cannot_change(county, school_a, director_client, clerk_client):
    ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.LOCKED)
    url = reverse("reports:examples", args=[2023])
    form = {"ex-TOTAL_FORMS": "1", "ex-INITIAL_FORMS": "0", "ex-MIN_NUM_FORMS": "0", "ex-MAX_NUM_FORMS": "1000",
            "ex-0-school": str(school_a.pk), "ex-0-mode": "full", "ex-0-order": "1"}
    assert director_client.post(url, form).status_code == 403
    assert not ExampleSchool.objects.exists()


# -- stated against computed ---------------------------------------------------------------------


def test_stated_figure_beside_computed_in_the_appendix(county, director_client):
    url = reverse("reports:stated", args=[2024])
    form = {"st-TOTAL_FORMS": "1", "st-INITIAL_FORMS": "0", "st-MIN_NUM_FORMS": "0", "st-MAX_NUM_FORMS": "1000",
            "st-0-key": "land_total", "st-0-value": "10", "st-0-source": "2024年手工稿"}
    assert director_client.post(url, form).status_code == 302
    summary = figures.compute(2024)
    (row,) = summary.data["stated_figures"]
    computed = summary.figures["land_total"].value
    assert row["stated"] == "10" and row["computed"] == computed
    assert row["diff"] == f"{computed - 10:,.0f}" if computed == computed.to_integral_value() else True
    assert row["pct"] == ((computed - 10) / 10 * 100).quantize(Decimal("0.1"))
    html = pdf.summary_html_for_pdf(summary)
    assert "㈣文件所写数字与数据计算结果" in html and "2024年手工稿" in html
    negative = {**form, "st-0-value": "-5", "st-0-source": "另一份"}
    response = director_client.post(url, negative)
    assert response.status_code == 200 and StatedFigure.objects.count() == 1


def test_demo_appendix_shows_the_stated_890_against_1110(demo_pdf_text):
    assert re.search(r"890\s+1,110\s+220\s+\+24\.7%", demo_pdf_text)


@pytest.fixture
def demo_pdf_text(db):
    from django.core.management import call_command

    from workstudy.demo import demo_county

    call_command("load_demo", verbosity=0)
    return "\n".join(doc.pdf_pages(doc.summary_pdf(2024, county=demo_county())))


# -- wording -------------------------------------------------------------------------------------


@pytest.mark.parametrize("product, grade, expected", [
    ("茶叶", "一级嫩茶", "一级嫩茶"), ("茶叶", "二级茶", "二级茶"), ("桔苗", "嫁接苗", "嫁接桔苗"),
    ("大米", "一级", "一级大米"), ("稻谷", "", "稻谷"), ("雪梨", "雪梨", "雪梨"),
])
def test_product_name_names_once(product, grade, expected):
    assert product_name(product, grade) == expected


@pytest.mark.parametrize("label, crop, expected", [
    ("湿地松", "湿地松", "湿地松"), ("茶园", "茶", "茶园"), ("果园", "桔", "果园（桔）"), ("荒山", "", "荒山"),
])
def test_plot_name_brackets_only_news(label, crop, expected):
    assert plot_name(label, crop) == expected


def test_milestone_check_is_generic():
    a = milestones.Fact("first_insurance_year", "P10", "甲", 2010)
    b = milestones.Fact("liability_document", "P12", "乙", 2008, 4)
    (finding,) = milestones.check([a, b], 2024)
    assert finding.rule.code == "RP-01" and "乙（2008年4月）早于甲（2010年）" in finding.message
