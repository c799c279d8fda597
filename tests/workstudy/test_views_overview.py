"""Dashboards, years and users pages at province size: paged, counts for the page's schools
only, a fixed number of queries whatever the number of schools, scoping kept."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from tests.insurance.factories import CoverageFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory, ProductionLineFactory
from tests.logistics.factories import SchoolServiceFactory
from workstudy import freshness, modules
from workstudy import views as core_views
from workstudy.models import Role, Submission

DASHBOARD = reverse("dashboard")
USERS = reverse("users")


def _fill(school, year, *, plots=0, lines=0, services=0, coverage=False):
    base = LaborBaseFactory(school=school)
    for _ in range(plots):
        LandParcelFactory(base=base, year=year, area_mu=Decimal("1"))
    for _ in range(lines):
        ProductionLineFactory(base=base, year=year)
    for i in range(services):
        SchoolServiceFactory(school=school, year=year, kind=("canteen", "shop", "dormitory")[i])
    if coverage:
        CoverageFactory(school=school, year=year)


def _queries(client, url):
    client.get(url)  # warm-up: session, per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _cells(response):
    keys = [m.key for m in response.context["modules"]]
    return {row["submission"].school.code: dict(zip(keys, row["cells"], strict=True)) for row in response.context["rows"]}


def test_module_counts_for_given_schools_only(year, school_a, school_b):
    _fill(school_a, year, plots=2, lines=1, services=2, coverage=True)
    _fill(school_b, year, plots=1, services=1)
    by_key = {m.key: m for m in modules.all_modules()}
    assert by_key["labor_bases"].counts(2024) == {school_a.pk: 3, school_b.pk: 1}
    assert by_key["labor_bases"].counts(2024, school_ids=[school_b.pk]) == {school_b.pk: 1}
    assert by_key["logistics"].counts(2024, school_ids=[school_a.pk]) == {school_a.pk: 2}
    assert by_key["insurance"].counts(2024, school_ids=[school_b.pk]) == {}
    assert by_key["insurance"].counts(2024, school_ids=[school_a.pk]) == {school_a.pk: 1}
    assert by_key["labor_bases"].counts(2024, school_ids=[]) == {}
    # Every module's in one query, the same as each module's own.
    both = [school_a.pk, school_b.pk]
    with CaptureQueriesContext(connection) as ctx:
        every = modules.counts(2024, school_ids=both)
    assert len(ctx.captured_queries) == 1
    assert every == {key: module.counts(2024, school_ids=both) for key, module in by_key.items()}
    assert every["labor_bases"] == {school_a.pk: 3, school_b.pk: 1} and every["insurance"] == {school_a.pk: 1}
    assert modules.counts(2024, school_ids=[]) == {key: {} for key in by_key}


def test_a_required_module_without_rows_stops_the_submit(monkeypatch, year, school_a, submission_a):
    import dataclasses

    from workstudy import services

    registry = dict(modules._modules)
    registry["logistics"] = dataclasses.replace(registry["logistics"], required=True)
    monkeypatch.setattr(modules, "_modules", registry)
    title = registry["logistics"].title
    assert f"“{title}”尚未填写任何数据。" in services.submit_errors(submission_a)
    _fill(school_a, year, services=1)
    assert not any(title in error for error in services.submit_errors(submission_a))


def test_staff_grid_counts_and_status_totals(director_client, year, school_a, school_b, submission_a, submission_b):
    _fill(school_a, year, plots=2, lines=1, services=2, coverage=True)
    _fill(school_b, year, plots=1, services=1)
    submission_b.status = "submitted"
    submission_b.save()
    response = director_client.get(DASHBOARD + "?year=2024")
    assert _cells(response) == {
        "A001": {"labor_bases": 3, "labor_education": 0, "logistics": 2, "insurance": 1},
        "B001": {"labor_bases": 1, "labor_education": 0, "logistics": 1, "insurance": 0},
    }
    statuses = {value: n for value, _label, n in response.context["status_counts"]}
    assert statuses["draft"] == 1 and statuses["submitted"] == 1 and sum(statuses.values()) == 2
    assert response.context["total"] == 2


def test_staff_grid_paged_and_keeps_filters(director_client, year, monkeypatch):
    monkeypatch.setattr(core_views, "GRID_PAGE_SIZE", 2)
    for i in range(5):
        school = SchoolFactory(code=f"G{i:03d}", name=f"网格学校{i}", township="雄石街道" if i % 2 else "其他镇")
        SubmissionFactory(school=school, year=year)
        _fill(school, year, services=1)
    response = director_client.get(DASHBOARD + "?year=2024&township=雄石街道&status=draft")
    assert list(_cells(response)) == ["G001", "G003"]
    assert response.context["page_obj"].paginator.count == 2
    response = director_client.get(DASHBOARD + "?year=2024&q=网格")
    assert list(_cells(response)) == ["G000", "G001"]
    assert "q=%E7%BD%91%E6%A0%BC&amp;page=2" in response.content.decode()
    response = director_client.get(DASHBOARD + "?year=2024&q=网格&page=3")
    assert _cells(response) == {"G004": {"labor_bases": 0, "labor_education": 0, "logistics": 1, "insurance": 0}}
    # The status cards still count every school of the year, not the page.
    assert response.context["total"] == 5
    # Without a name or township filter the page count comes from the status counts.
    Submission.objects.filter(school__code="G004").update(status="submitted")
    response = director_client.get(DASHBOARD + "?year=2024&status=submitted")
    assert list(_cells(response)) == ["G004"] and response.context["page_obj"].paginator.count == 1
    response = director_client.get(DASHBOARD + "?year=2024&status=draft&page=2")
    assert list(_cells(response)) == ["G002", "G003"] and response.context["page_obj"].paginator.num_pages == 2
    response = director_client.get(DASHBOARD + "?year=2024&status=bogus")
    assert response.context["page_obj"].paginator.count == 5


def _many_schools(year, n, start):
    for i in range(start, start + n):
        school = SchoolFactory(code=f"N{i:03d}", name=f"规模学校{i}")
        SubmissionFactory(school=school, year=year)
        _fill(school, year, plots=1, lines=1, services=1, coverage=True)
        UserFactory(username=f"principal{i}", role=Role.PRINCIPAL, school=school)


@pytest.mark.parametrize(
    ("client_fixture", "url"),
    [
        ("director_client", DASHBOARD + "?year=2024"),
        ("director_client", DASHBOARD + "?year=2024&status=draft&q=N0"),
        ("director_client", reverse("years")),
        ("director_client", USERS),
        ("director_client", USERS + "?q=principal"),
        ("auditor_client", DASHBOARD + "?year=2024"),
        ("auditor_client", reverse("years")),
        ("principal_a_client", DASHBOARD + "?year=2024"),
    ],
)
def test_query_count_does_not_grow_with_schools(request, client_fixture, url, year, submission_a, settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1  # the text input of a province at both sizes (as 300 vs 15,000)
    client = request.getfixturevalue(client_fixture)
    _many_schools(year, 2, 0)
    few = _queries(client, url)
    _many_schools(year, 12, 2)
    assert _queries(client, url) == few


def test_principal_checklist_counts_own_school_only(principal_a_client, year, school_a, school_b, submission_a):
    _fill(school_a, year, plots=1, services=1)
    _fill(school_b, year, plots=3, lines=2, services=2, coverage=True)
    response = principal_a_client.get(DASHBOARD + "?year=2024")
    counts = {item["module"].key: item["count"] for item in response.context["checklist"]}
    assert counts == {"labor_bases": 1, "labor_education": 0, "logistics": 1, "insurance": 0}
    assert "rows" not in response.context and "SECRETB" not in response.content.decode()


def test_submission_detail_counts_its_school(director_client, year, school_a, school_b, submission_b):
    _fill(school_a, year, plots=4)
    _fill(school_b, year, plots=1, lines=1)
    response = director_client.get(reverse("submission_detail", args=[submission_b.pk]))
    figures = {block["module"].key: block for block in response.context["figures"]}
    area = next(row for row in figures["labor_bases"]["rows"] if row["url"].endswith(f"school={school_b.pk}")
                and "/plots/" in row["url"] and "land_type" not in row["url"])
    assert area["value"] == "1.00", "school B's one plot of 1 亩, not school A's four"
    assert figures["labor_bases"]["url"].endswith(f"school={school_b.pk}")


def test_year_overview_counts_and_follows_data_changes(director_client, year, school_a, school_b, monkeypatch):
    """Outside a transaction the counts are kept until data changes."""
    cache.clear()
    monkeypatch.setattr(freshness, "in_transaction", lambda: False)
    SubmissionFactory(school=school_a, year=year, status="approved")
    submission_b = SubmissionFactory(school=school_b, year=year)
    rows = {row["year"].year: row for row in director_client.get(reverse("years")).context["year_rows"]}
    assert (rows[2024]["approved"], rows[2024]["total"]) == (1, 2)
    submission_b.status = "approved"
    submission_b.save()  # a change-history row: the stamp moves
    rows = {row["year"].year: row for row in director_client.get(reverse("years")).context["year_rows"]}
    assert (rows[2024]["approved"], rows[2024]["total"]) == (2, 2)
    cache.clear()


# /users/ ---------------------------------------------------------------------------


def test_users_page_filters_and_pages(director_client, school_a, school_b, principal_a, principal_b, settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1  # a typed code, as in a province
    for i in range(3):
        UserFactory(username=f"zz_principal{i}", role=Role.PRINCIPAL, school=school_b, first_name=f"赵{i}")
    response = director_client.get(USERS + "?q=zz_")
    assert [u.username for u in response.context["users"]] == ["zz_principal0", "zz_principal1", "zz_principal2"]
    response = director_client.get(USERS + "?q=赵1")
    assert [u.username for u in response.context["users"]] == ["zz_principal1"]
    response = director_client.get(USERS + f"?school={school_a.pk}")
    assert [u.username for u in response.context["users"]] == [principal_a.username]
    response = director_client.get(USERS + "?school=B001&q=zz_")
    assert len(response.context["users"]) == 3
    response = director_client.get(USERS + "?school=没有这所学校")
    assert list(response.context["users"]) == [] and "未找到学校" in response.content.decode()


def test_users_paging_keeps_filter(director_client, school_b):
    from django.core import paginator

    for i in range(120):
        UserFactory.build(username=f"pg{i:03d}", role=Role.PRINCIPAL, school=school_b).save()
    response = director_client.get(USERS + "?q=pg")
    assert len(response.context["users"]) == 100
    assert "q=pg&amp;page=2" in response.content.decode()
    response = director_client.get(USERS + "?q=pg&page=2")
    assert [u.username for u in response.context["users"]][:2] == ["pg100", "pg101"]
    assert isinstance(response.context["page_obj"], paginator.Page)


def test_users_create_form_uses_school_picker(director_client, school_a, school_b, settings):
    settings.SCHOOL_PICKER_THRESHOLD = 1
    html = director_client.get(USERS).content.decode()
    assert 'data-picker="school"' in html and "<option" not in html.split('name="school"', 2)[-1].split("</label>")[0]
    response = director_client.post(USERS, {
        "username": "new_principal", "first_name": "王五", "school": "B001", "password": "Zq8!long-enough-pass",
    })
    assert response.status_code == 302
    assert get_user_model().objects.get(username="new_principal").school == school_b
    response = director_client.post(USERS, {
        "username": "other_principal", "first_name": "李四", "school": "没有这所学校", "password": "Zq8!long-enough-pass",
    })
    assert response.status_code == 400 and "未找到学校" in response.content.decode()
    assert not get_user_model().objects.filter(username="other_principal").exists()


def test_users_page_is_staff_only(principal_a_client, auditor_client):
    assert principal_a_client.get(USERS).status_code == 403
    assert auditor_client.get(USERS).status_code == 403
