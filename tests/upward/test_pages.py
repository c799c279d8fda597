"""The pages: a county's report, the city's grid, the province's drill-down; who reads and who acts."""

import pytest
from django.test import Client

from tests.factories import ReportingYearFactory, SubmissionFactory, UserFactory
from upward import services
from upward.models import RegionSubmission, RegionSubmissionEvent
from workstudy.models import Role, SubmissionStatus

S = RegionSubmission.Status


@pytest.fixture
def year(db):
    return ReportingYearFactory(year=2024)


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_county_director_reports_to_the_city_from_the_page(tree, people, year, schools):
    SubmissionFactory(school=schools["a"], year=year, status=SubmissionStatus.SUBMITTED)
    client = client_of(people["dir_a"])
    page = client.get(f"/upward/{year.pk}/").content.decode()
    assert "上报市局" in page and "目前尚有 1 所学校的填报未审核" in page
    response = client.post(f"/upward/{year.pk}/{tree['a'].pk}/submit/", {"version": "1"})
    assert response.status_code == 302 and response["Location"] == f"/upward/{year.pk}/"
    report = RegionSubmission.objects.get(region=tree["a"], year=year)
    assert (report.status, report.submitted_by, report.pending_count) == (S.SUBMITTED, people["dir_a"], 1)
    page = client.get(f"/upward/{year.pk}/").content.decode()
    assert "上报市局</button>" not in page and "已上报" in page and "上报记录" in page
    # Sent twice from two tabs: the second is refused, nothing moves.
    client.post(f"/upward/{year.pk}/{tree['a'].pk}/submit/", {"version": "1"})
    assert RegionSubmissionEvent.objects.count() == 1


def test_the_city_grid_lists_its_counties_with_counts_and_acts_on_them(tree, people, year, schools):
    SubmissionFactory(school=schools["a"], year=year, status=SubmissionStatus.APPROVED)
    services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    client = client_of(people["dir_city"])
    page = client.get(f"/upward/{year.pk}/").content.decode()
    assert 'id="upward-grid"' in page
    assert "贵溪市" in page and "余江区" in page and "广丰区" not in page  # another city's county
    assert f"/upward/{year.pk}/{tree['a'].pk}/approve/" in page
    assert f"/upward/{year.pk}/{tree['a'].pk}/#figures" in page  # the county's frozen figures
    assert f"/upward/{year.pk}/{tree['b'].pk}/approve/" not in page  # nothing sent yet
    assert "1 / 1" in page  # county A: its one school approved
    assert "上报省厅" in page  # the city's own report

    response = client.post(f"/upward/{year.pk}/{tree['a'].pk}/return/", {"reason": ""})
    assert response.status_code == 302
    assert RegionSubmission.objects.get(region=tree["a"]).status == S.SUBMITTED
    client.post(f"/upward/{year.pk}/{tree['a'].pk}/return/", {"reason": "请核对收入"})
    report = RegionSubmission.objects.get(region=tree["a"])
    assert (report.status, report.returned_reason, report.reviewed_by) == (S.RETURNED, "请核对收入", people["dir_city"])
    county_page = client_of(people["dir_a"]).get(f"/upward/{year.pk}/").content.decode()
    assert "请核对收入" in county_page and "上报市局" in county_page


def test_the_province_reviews_cities_and_reads_counties(tree, people, year):
    services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    services.act(user=people["dir_city"], region=tree["city"], year=year, action="submit")
    client = client_of(people["dir_province"])
    page = client.get(f"/upward/{year.pk}/").content.decode()
    assert "鹰潭市" in page and "上饶市" in page
    assert f"/upward/{year.pk}/{tree['city'].pk}/approve/" in page
    drill = client.get(f"/upward/{year.pk}/{tree['city'].pk}/").content.decode()
    assert "贵溪市" in drill and f"/upward/{year.pk}/{tree['a'].pk}/approve/" not in drill
    county = client.get(f"/upward/{year.pk}/{tree['a'].pk}/").content.decode()
    assert "上报时的数据" in county and "审核通过</button>" not in county
    # A county is the city's to review, not the province's.
    client.post(f"/upward/{year.pk}/{tree['a'].pk}/return/", {"reason": "越级退回"})
    assert RegionSubmission.objects.get(region=tree["a"]).status == S.SUBMITTED
    client.post(f"/upward/{year.pk}/{tree['city'].pk}/approve/", {"version": "2"})
    assert RegionSubmission.objects.get(region=tree["city"]).status == S.APPROVED


@pytest.mark.parametrize(("who", "where"), [
    ("dir_other_city", "a"),  # another city's director on a county of this city
    ("dir_other_city", "city"),
    ("dir_b", "a"),  # a county on its neighbour
    ("dir_a", "city"),  # a county on its city
    ("auditor_a", "b"),
])
def test_another_regions_report_is_a_404(tree, people, year, who, where):
    services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    client = client_of(people[who])
    assert client.get(f"/upward/{year.pk}/{tree[where].pk}/").status_code == 404
    for action in ("submit", "approve", "return"):
        response = client.post(f"/upward/{year.pk}/{tree[where].pk}/{action}/", {"reason": "x"})
        assert response.status_code == (403 if who.startswith("auditor") else 404)
    assert [(r.region_id, r.status) for r in RegionSubmission.objects.all()] == [(tree["a"].pk, S.SUBMITTED)]


def test_auditors_read_and_never_act(tree, people, year):
    services.act(user=people["dir_a"], region=tree["a"], year=year, action="submit")
    auditor = client_of(people["auditor_city"])
    page = auditor.get(f"/upward/{year.pk}/").content.decode()
    assert "贵溪市" in page and "审核通过</button>" not in page and "<form method=\"post\" action=\"/upward" not in page
    assert auditor.post(f"/upward/{year.pk}/{tree['a'].pk}/approve/").status_code == 403
    assert RegionSubmission.objects.get(region=tree["a"]).status == S.SUBMITTED


def test_a_clerk_is_refused_with_a_reason(tree, people, year):
    client = client_of(people["clerk_a"])
    assert "上报市局</button>" not in client.get(f"/upward/{year.pk}/").content.decode()
    response = client.post(f"/upward/{year.pk}/{tree['a'].pk}/submit/", follow=True)
    assert "只有勤工办主任可以上报" in response.content.decode()
    assert not RegionSubmission.objects.filter(status=S.SUBMITTED).exists()


def test_principals_have_no_page(tree, year, schools):
    principal = UserFactory(username="p_a", role=Role.PRINCIPAL, school=schools["a"], is_staff=False)
    assert client_of(principal).get(f"/upward/{year.pk}/").status_code == 403


def test_the_menu_links_the_page(people, year):
    page = client_of(people["dir_a"]).get("/").content.decode()
    assert 'href="/upward/"' in page
    assert client_of(people["dir_a"]).get("/upward/")["Location"] == f"/upward/{year.pk}/"
