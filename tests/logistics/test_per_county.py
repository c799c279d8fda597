"""中考考生食宿保障 per county: every county of a deployment records its own programme for a
year (its operator is the county's service centre), a second one in the same county and year
is refused on the page and through the API, and each county's summary prints its own
programme while the whole deployment's adds them up."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from logistics import selectors
from logistics.models import ExamLodgingProgram
from tests.factories import SchoolFactory, UserFactory
from tests.logistics.factories import ExamLodgingProgramFactory, ExamSiteFactory, ServiceCentreFactory
from workstudy.models import Region, Role

API = "/api/logistics/exam-programs/"
DUPLICATE = "本县（市、区）该年度已有中考食宿保障记录。"


@pytest.fixture
def counties(db):
    a = Region.default_county()
    b = Region.objects.create(parent=a.parent, name="余江区", level=Region.Level.COUNTY)
    return a, b


@pytest.fixture
def centres(counties):
    a, b = counties
    return (ServiceCentreFactory(name="贵溪腾飞后勤服务中心", county=a),
            ServiceCentreFactory(name="余江后勤服务中心", county=b, founded_year=2015, exam_lodging_from_year=2018))


@pytest.fixture
def programs(year, centres):
    a, b = centres
    pa = ExamLodgingProgramFactory(year=year, operator=a, candidates_lodged=600, beds=620, meals=3600,
                                   fee_per_candidate=Decimal("250.00"), revenue=Decimal("150000.00"),
                                   cost=Decimal("120000.00"), family_cost_before=Decimal("700.00"),
                                   family_cost_after=Decimal("250.00"))
    pb = ExamLodgingProgramFactory(year=year, operator=b, candidates_lodged=200, beds=210, meals=1200,
                                   fee_per_candidate=Decimal("230.50"), revenue=Decimal("46100.00"),
                                   cost=Decimal("40000.55"), family_cost_before=Decimal("600.00"),
                                   family_cost_after=Decimal("230.50"), incidents=1)
    return pa, pb


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _form(year, centre, **changes):
    data = {"year": year, "operator": centre.pk, "candidates_lodged": 300, "beds": 300, "meals": 900,
            "fee_per_candidate": "200", "revenue": "60000", "cost": "50000", "closed_management": "on",
            "incidents": 0, "family_cost_before": "", "family_cost_after": "", "note": ""}
    data.update(changes)
    return data


def test_two_counties_record_a_programme_each_for_the_same_year(counties, programs):
    pa, pb = programs
    assert (pa.year_id, pb.year_id) == (2024, 2024)
    assert (pa.county, pb.county) == counties  # each programme belongs to its operator's county
    assert selectors.exam_lodging(2024, counties=[counties[0].pk])["operator"] == "贵溪腾飞后勤服务中心"
    own_b = selectors.exam_lodging(2024, counties=[counties[1].pk])
    assert (own_b["operator"], own_b["candidates"], own_b["cost"], own_b["first_year"]) == (
        "余江后勤服务中心", 200, Decimal("40000.55"), 2018)


def test_the_whole_deployment_adds_the_programmes_up(counties, programs, school_a):
    pa, pb = programs
    school_b = SchoolFactory(code="YJ001", name="余江一中", county=counties[1], area_class="urban",
                             has_dormitory=True, has_canteen=True)
    ExamSiteFactory(program=pa, host_school=school_a, candidates=600, beds=620)
    ExamSiteFactory(program=pb, host_school=school_b, candidates=200, beds=210)
    whole = selectors.exam_lodging(2024)
    assert [p["county"] for p in whole["programs"]] == ["贵溪市", "余江区"]
    assert whole["operator"] == "贵溪腾飞后勤服务中心、余江后勤服务中心"
    assert (whole["candidates"], whole["beds"], whole["meals"], whole["incidents"]) == (800, 830, 4800, 1)
    assert whole["revenue"] == Decimal("196100.00") and whole["cost"] == Decimal("160000.55")
    assert whole["profit"] == whole["revenue"] - whole["cost"]
    assert [s["school_name"] for s in whole["sites"]] == [school_a.name, "余江一中"]
    assert whole["first_year"] == 2014  # the earliest county's
    # Per candidate: (600 x 700 + 200 x 600) / 800 = 675; (600 x 250 + 200 x 230.50) / 800 = 245.125
    assert whole["family_cost_before"] == Decimal("675.00")
    assert whole["family_cost_after"] == Decimal("245.13")


def test_each_countys_summary_prints_its_own_programme(counties, programs):
    from reports import figures
    from reports.pdf import summary_html_for_pdf

    a, b = counties
    printed_a = summary_html_for_pdf(figures.compute(2024, a))
    printed_b = summary_html_for_pdf(figures.compute(2024, b))
    assert "贵溪腾飞后勤服务中心对中考期间" in printed_a and "余江后勤服务中心" not in printed_a
    assert "余江后勤服务中心对中考期间" in printed_b and "贵溪腾飞后勤服务中心" not in printed_b
    assert "安排考生200人" in printed_b and "安排考生600人" in printed_a
    whole = figures.compute(2024)
    assert whole.data["exam_lodging"]["candidates"] == 800
    assert "安排考生800人" in summary_html_for_pdf(whole)


def test_second_programme_of_a_county_and_year_refused_on_the_page(counties, centres, programs):
    a, b = counties
    ExamLodgingProgram.objects.filter(county=b).delete()
    url = reverse("logistics:program_create") + "?year=2024"
    staff_a = _client(UserFactory(username="staff_a", role=Role.STAFF, region=a))
    page = staff_a.post(url, _form(2024, centres[0]))
    assert page.status_code == 200 and DUPLICATE in page.content.decode()
    assert ExamLodgingProgram.objects.filter(county=a).count() == 1
    # County B records its own programme of the same year.
    staff_b = _client(UserFactory(username="staff_b", role=Role.STAFF, region=b))
    assert DUPLICATE not in staff_b.get(url).content.decode()
    assert staff_b.post(url, _form(2024, centres[1])).status_code == 302
    assert ExamLodgingProgram.objects.get(county=b).operator == centres[1]
    again = staff_b.post(url, _form(2024, centres[1], candidates_lodged=1, beds=1))
    assert again.status_code == 200 and DUPLICATE in again.content.decode()
    assert ExamLodgingProgram.objects.count() == 2


def test_second_programme_of_a_county_and_year_refused_by_the_api(counties, centres, programs):
    a, b = counties
    ExamLodgingProgram.objects.filter(county=b).delete()
    body = {k: v for k, v in _form(2024, centres[0]).items() if k != "closed_management"}
    staff_a = _client(UserFactory(username="staff_a", role=Role.STAFF, region=a))
    refused = staff_a.post(API, body, content_type="application/json")
    assert refused.status_code == 400 and DUPLICATE in str(refused.json())
    staff_b = _client(UserFactory(username="staff_b", role=Role.STAFF, region=b))
    created = staff_b.post(API, {**body, "operator": centres[1].pk}, content_type="application/json")
    assert created.status_code == 201, created.json()
    assert created.json()["county"] == b.pk and created.json()["county_name"] == "余江区"
    again = staff_b.post(API, {**body, "operator": centres[1].pk}, content_type="application/json")
    assert again.status_code == 400 and DUPLICATE in str(again.json())
    assert ExamLodgingProgram.objects.count() == 2
    # A county reads its own programme only.
    assert [row["county"] for row in staff_b.get(API + "?year=2024").json()["results"]] == [b.pk]


def test_the_operator_must_be_of_the_programmes_county(counties, centres, programs):
    pa, _pb = programs
    pa.operator = centres[1]
    with pytest.raises(ValidationError) as exc:
        pa.full_clean()
    assert "余江区" in exc.value.message_dict["operator"][0] and "贵溪市" in exc.value.message_dict["operator"][0]
    with pytest.raises(ValidationError):
        pa.save()
    assert ExamLodgingProgram.objects.get(pk=pa.pk).operator == centres[0]


def test_the_county_is_taken_from_the_operator(counties, centres, year):
    program = ExamLodgingProgram(year=year, operator=centres[1], candidates_lodged=1, beds=1,
                                 fee_per_candidate=Decimal("1"), revenue=Decimal("1"), cost=Decimal("1"))
    program.full_clean()
    assert program.county == counties[1]
    program.save()
    assert str(program) == "2024 年中考食宿保障（余江区）"


_money = st.decimals(min_value=Decimal("0"), max_value=Decimal("99999.99"), places=2)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5000), _money, _money, _money), min_size=2, max_size=6))
def test_sum_of_programmes_adds_up(rows):
    own = [
        {"county": f"县{i}", "operator": f"中心{i}", "first_year": 2010 + i, "sites": [], "candidates": n,
         "beds": n, "meals": 3 * n, "incidents": 0, "revenue": revenue, "cost": cost, "profit": revenue - cost,
         "fee_per_candidate": fee, "closed_management": True, "family_cost_before": fee, "family_cost_after": fee}
        for i, (n, revenue, cost, fee) in enumerate(rows)
    ]
    total = selectors._sum_of_programs(own)
    assert total["candidates"] == sum(n for n, *_rest in rows)
    assert total["revenue"] == sum((r for _n, r, _c, _f in rows), Decimal("0"))
    assert total["profit"] == total["revenue"] - total["cost"]
    assert total["first_year"] == 2010 and total["programs"] == own
    fees = [f for n, _r, _c, f in rows if n]
    if fees:  # a mean per candidate lies between the programmes' own values
        assert min(fees) - Decimal("0.01") <= total["fee_per_candidate"] <= max(fees) + Decimal("0.01")
    else:
        assert total["fee_per_candidate"] is None
