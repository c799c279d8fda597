"""Counties apart: every URL and API route (the permission matrix's cases) for bureau users of
another county, of another city, and of the city and province above the rows.

The world is the permission matrix's (:func:`tests.test_permission_matrix.build_world`) with
school B in a second county (余江区) of the same city (鹰潭市) and every bureau-level row of the
world (enterprises, insurers, funding rules, service centres, county-wide policies...) moved to
that county. Then:

* county A's director, clerk and auditor (贵溪市), and staff of another city (上饶市), reach
  nothing of it: an object is a 404 (or the role's own refusal), a page or API list never
  names school B or county B's rows, and a POST changes nothing;
* 鹰潭市's and 江西省's staff read it like county B's own staff, and every write is refused
  with the read-only message and changes nothing.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.factories import SchoolFactory, UserFactory
from tests.matrix import AUDITOR, LOGIN, STAFF, Case
from tests.test_permission_matrix import CASE_MODULES, build_world
from workstudy import scoping
from workstudy.models import Region, Role, School

OBJECT_KEYS = {"pk", "school_id", "enterprise_pk", "file_pk", "policy_pk", "program_pk"}
# Rows that belong to the whole deployment (one set for all counties): none left (the summary's
# policy documents, narrative and settings belong to a county, reports.texts).
SHARED_OBJECT_URLS: set[str] = set()
# Pages still computed over every county's schools: the county summary (its figures, examples and
# appendix) and the labor-base county overview need their figures per county (the apps' selectors
# over a county's schools). Listed here, not skipped: their outsiders' answers are still run, and
# every other page must pass.
KNOWN_GAPS = {
    "reports:summary": "the summary's figures are the deployment's",
    "reports:examples": "the example-school picker lists the deployment's schools",
    "labor_bases:index": "the county overview's rows are the deployment's",
    "insurance:index": "the insurance overview's figures and insurers are the deployment's",
    "years": "the years page counts and names the deployment's returns",
    "insurance:coverage_new": "the form's own errors come before the read-only refusal (nothing is saved)",
}
# Not a write of data: anyone may check a document's hash.
NOT_WRITES = {"verify"}
OUTSIDERS = ("staff_a", "clerk_a", "auditor_a", "city_other")
ABOVE = ("city",)  # the province reads like the city: tests/workstudy/test_regions.py
READ_ONLY = str(scoping.READ_ONLY_REGION)
WRITE_METHODS = {"post", "put", "patch", "delete"}


@pytest.fixture
def regions(db):
    county_a = Region.default_county()
    city = county_a.parent
    county_b = Region.objects.create(parent=city, name="余江区", level=Region.Level.COUNTY)
    other_city = Region.objects.create(parent=city.parent, name="上饶市", level=Region.Level.CITY)
    Region.objects.create(parent=other_city, name="广丰区", level=Region.Level.COUNTY)
    return {"a": county_a, "b": county_b, "city": city, "province": city.parent, "other_city": other_city}


@pytest.fixture
def school_b(regions):
    # Overrides the shared fixture: school B lies in county B.
    return SchoolFactory(code="B001", name="乙校SECRETB", county=regions["b"], has_dormitory=True, has_canteen=True)


def _county_b_names(county_b) -> set[str]:
    """Names of county B's bureau-level rows: no outsider's page may print them."""
    names = set()
    for model in scoping.registered_models():
        if scoping.county_path(model) != "county" or "name" not in {f.name for f in model._meta.fields}:
            continue
        names |= set(model._default_manager.filter(county=county_b).values_list("name", flat=True))
    return {name for name in names if name}


@pytest.fixture
def world(db, regions, school_a, school_b, year, director, principal_a, principal_b, auditor):
    w = build_world(
        school_a=school_a,
        school_b=school_b,
        year=year,
        director=director,
        principal_a=principal_a,
        principal_b=principal_b,
        auditor=auditor,
    )
    # Every bureau-level row of the world that is not school A's belongs to county B.
    for model in scoping.registered_models():
        if scoping.county_path(model) != "county":
            continue
        rows = model._default_manager.all()
        school_path = scoping.scope_of(model).school
        if school_path is not None:
            rows = rows.exclude(**{f"{school_path}_id": school_a.pk})
        rows.update(county=regions["b"])
    w.regions = regions
    w.users = {
        "staff_a": director,  # the conftest director: county A (the default county)
        "clerk_a": UserFactory(username="clerk_a", role=Role.STAFF, region=regions["a"]),
        "auditor_a": auditor,
        "city_other": UserFactory(username="city_other", role=Role.STAFF, is_director=True, region=regions["other_city"]),
        "city": UserFactory(username="city", role=Role.STAFF, is_director=True, region=regions["city"]),
        "province": UserFactory(username="province", role=Role.STAFF, is_director=True, region=regions["province"]),
        "staff_b": UserFactory(username="staff_b", role=Role.STAFF, is_director=True, region=regions["b"]),
    }
    w.b_names = _county_b_names(regions["b"]) | {school_b.name, "余江区"}
    return w


def _snapshot(world):
    """County B's rows (every registered model's rows whose county is B, and its schools), as
    stored: an outsider's or a reader's request must leave them equal. (An outsider may create
    rows in their own county; rows shared by the deployment are no county's.)"""
    county_b = world.regions["b"].pk
    rows = {}
    for model in [School, *scoping.registered_models()]:
        path = scoping.county_path(model)
        if path is None:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in ("updated_at",)]
        stored = model._base_manager.filter(**{f"{path}_id": county_b}).values_list(*fields)
        rows[model._meta.label] = sorted(stored, key=lambda r: r[0])
    return rows


def _request(world, case: Case, who: str):
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    if case.query:
        url += "?" + case.query
    client = Client()
    client.force_login(world.users[who])
    data = case.data(world) if case.data else None
    kwargs = {}
    if case.content_type:
        kwargs["content_type"] = case.content_type
        data = json.dumps(data) if data is not None and "json" in case.content_type else data
    method = getattr(client, case.method)
    return method(url, data=data, **kwargs) if data is not None else method(url, **kwargs)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", "replace")


def _is_object_case(case: Case, world) -> bool:
    if case.url_name in SHARED_OBJECT_URLS or case.url_name.startswith("year"):  # years are the deployment's
        return False
    return bool(OBJECT_KEYS & set(case.kwargs(world)))


def _outsider_problem(world, case: Case, who: str, response) -> str | None:
    role_expect = case.expect[AUDITOR if who == "auditor_a" else STAFF]
    status = response.status_code
    if _is_object_case(case, world):
        allowed = {404}
        if isinstance(role_expect, int) and role_expect >= 400:
            allowed.add(role_expect)  # refused for the role before any row is looked up
        if who == "clerk_a":
            allowed.add(403)  # a director's action: refused for the clerk before the row
        if status not in allowed:
            return f"{who}: expected {sorted(allowed)} for county B's object, got {status}"
        return None
    if status >= 500:
        return f"{who}: {status}"
    if status < 400 and not response.get("Content-Disposition", "").startswith("attachment"):
        body = _body(response)
        leaked = sorted(name for name in world.b_names if name in body)
        if leaked:
            return f"{who}: the response names county B's rows {leaked}"
    return None


def _above_problem(world, case: Case, who: str, response) -> str | None:
    """City and province staff: read like county B's staff, never write."""
    staff_expect = case.expect[STAFF]
    status = response.status_code
    if status >= 500:
        return f"{who}: {status}"
    if (
        case.method in WRITE_METHODS
        and case.url_name not in NOT_WRITES
        and staff_expect != LOGIN
        and isinstance(staff_expect, int)
        and staff_expect < 400
    ):
        body = _body(response) if not response.streaming else ""
        if status == 403 and READ_ONLY in body:
            return None
        if status in (200, 400) and READ_ONLY in body:  # a form or an API answer naming the refusal
            return None
        if status == 302:  # a page that reports the refusal as a message on the next page
            return None
        return f"{who}: a write answered {status} without the read-only message"
    if case.method == "get" and staff_expect == 200:
        if status == 200:
            return None
        if status == 403 and READ_ONLY in _body(response):  # an edit page
            return None
        if status == 302:  # a director's confirmation page: back to the list with the refusal
            return None
        return f"{who}: expected to read (200), got {status}"
    return None


@pytest.mark.parametrize("module", CASE_MODULES, ids=lambda m: m.__name__.split(".")[1])
def test_region_matrix(world, module):
    """Every case of one app's URLs for every outsider and every reader above: one world per
    app, each request in a savepoint that is rolled back."""
    problems = []
    for case in getattr(module, "CASES", []):
        for who in OUTSIDERS + ABOVE:
            with transaction.atomic():
                before = _snapshot(world) if case.method in WRITE_METHODS else None
                response = _request(world, case, who)
                check = _outsider_problem if who in OUTSIDERS else _above_problem
                problem = check(world, case, who, response)
                if before is not None and problem is None and _snapshot(world) != before:
                    problem = f"{who}: the request changed stored rows"
                transaction.set_rollback(True)
            if problem and case.url_name not in KNOWN_GAPS:
                problems.append(f"{case.id}: {problem}")
    assert not problems, "\n".join(problems)


def test_county_b_staff_see_what_outsiders_do_not(world):
    """The world's county-B rows are there to be seen: county B's staff and the city's read them
    (so the 404s above are about the county, not about missing rows)."""
    for who in ("staff_b", "city", "province"):
        user = world.users[who]
        assert scoping.visible(user, School).filter(pk=world.school_b.pk).exists(), who
        for model in scoping.registered_models():
            if scoping.county_path(model) == "county" and model._default_manager.filter(county=world.regions["b"]).exists():
                assert scoping.visible(user, model).filter(county=world.regions["b"]).exists(), (who, model)
    for who in OUTSIDERS:
        user = world.users[who]
        assert not scoping.visible(user, School).filter(pk=world.school_b.pk).exists(), who
        for model in scoping.registered_models():
            if scoping.county_path(model) == "county":
                assert not scoping.visible(user, model).filter(county=world.regions["b"]).exists(), (who, model)
