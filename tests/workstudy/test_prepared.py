"""Statements compiled once per process (:mod:`workstudy.prepared`) give what the ORM gives,
for any values, in any thread; a query whose SQL depends on its values is refused when
compiled, and values of another type at the call."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    ReportingYearFactory,
    SchoolFactory,
    SubmissionFactory,
    UserFactory,
)
from workstudy import locks, services
from workstudy.backends import PortalBackend, _user_with_places
from workstudy.models import CountyDeadline, ReportingYear, Role, School, Submission
from workstudy.prepared import Prepared, prepared

pytestmark = pytest.mark.django_db


def _as_read(user) -> tuple:
    """Every column of the user and of the rows read with it."""
    def row(obj):
        return None if obj is None else {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    school = user.school if user.school_id else None
    return (row(user), row(school), row(school.county) if school else None, row(user.region) if user.region_id else None)


@pytest.fixture
def people(db) -> list:
    schools = [SchoolFactory(), SchoolFactory()]
    return [
        UserFactory(role=Role.PRINCIPAL, school=schools[0]),
        UserFactory(role=Role.PRINCIPAL, school=schools[1], first_name="王"),
        UserFactory(role=Role.STAFF, region=schools[0].county),
        UserFactory(role=Role.AUDITOR),
    ]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, 5), min_size=1, max_size=8))
def test_the_signed_in_user_is_read_as_the_orm_reads_them(people, picks):
    """Any user, any number of times, in any order, and ids of nobody: the same rows as the ORM's
    query built afresh (with the school, its county and the region), or nobody."""
    ids = [person.pk for person in people] + [max(p.pk for p in people) + 1, 0]
    model = get_user_model()
    for index in picks:
        expected = model.objects.select_related("school__county", "region").filter(pk=ids[index]).first()
        found = _user_with_places.first(ids[index])
        assert (found is None) == (expected is None)
        if expected is not None:
            assert _as_read(found) == _as_read(expected)
            with CaptureQueriesContext(connections["default"]) as queries:
                found.school, found.region  # noqa: B018 - read with the user, no query of their own
                if found.school_id:
                    found.school.county  # noqa: B018
            assert len(queries) == 0


def test_the_backend_reads_no_one_for_an_id_that_is_not_a_number(people):
    backend = PortalBackend()
    assert backend.get_user(str(people[0].pk)).pk == people[0].pk  # as a session stores it
    assert backend.get_user("abc") is None
    assert backend.get_user(None) is None
    people[1].is_active = False
    people[1].save()
    assert backend.get_user(people[1].pk) is None  # as Django's: an inactive user is nobody


def test_the_other_prepared_reads_equal_the_orm(people):
    year = ReportingYearFactory(year=2024)
    ReportingYearFactory(year=2022)
    school = people[0].school
    assert [y.year for y in locks.all_years()] == list(ReportingYear.objects.order_by("-year").values_list("year", flat=True))
    assert services.deadline_of(year, county=school.county_id) == year.deadline
    CountyDeadline.objects.create(year=year, county=school.county, deadline=datetime.date(2024, 12, 20))
    assert services.deadline_of(year, county=school.county_id) == datetime.date(2024, 12, 20)
    assert services.deadline_of(year, county=people[1].school.county_id) in (year.deadline, datetime.date(2024, 12, 20))
    made = services.submission_for(school=school, year=year)  # none yet: made
    assert Submission.objects.filter(school=school, year=year).count() == 1
    again = services.submission_for(school=school, year=year)
    assert again.pk == made.pk and Submission.objects.count() == 1


def test_the_compiled_statement_is_kept_and_the_values_change(people):
    @prepared(int)
    def schools_from(pk):
        return School.objects.filter(pk__gte=pk).order_by("pk")

    everyone = list(School.objects.order_by("pk"))
    with CaptureQueriesContext(connections["default"]) as queries:
        assert schools_from.all(everyone[0].pk) == everyone
        assert schools_from.all(everyone[1].pk) == everyone[1:]
        assert schools_from.first(everyone[-1].pk + 1) is None
    assert len(queries) == 3 and len({q["sql"] for q in queries}) == 3  # three values, three statements
    assert len(schools_from._compiled) == 1


def test_a_query_whose_sql_depends_on_its_values_is_refused():
    limited = Prepared(lambda n: School.objects.all()[:n], int)  # the limit is written in the SQL
    with pytest.raises(ValueError, match="depends on the values"):
        limited.all(3)
    constant = Prepared(lambda year: ReportingYear.objects.filter(year__in=[year, 32_001]), int)  # a marker's twin
    with pytest.raises(ValueError, match="depends on the values"):
        constant.all(2024)


def test_values_of_another_type_are_refused():
    by_code = Prepared(lambda code: School.objects.filter(code=code), str)
    for wrong in (None, 5, ["a"]):
        with pytest.raises(TypeError):
            by_code.all(wrong)
    with pytest.raises(TypeError):
        by_code.all()
    with pytest.raises(TypeError):
        Prepared(lambda day: School.objects.all(), datetime.date)


@pytest.mark.django_db(transaction=True)
def test_each_thread_runs_it_on_its_own_connection():
    """Compiled in one thread, run in another (gunicorn's threads): on the other's connection."""
    school = SchoolFactory()
    year = ReportingYearFactory(year=2024)
    SubmissionFactory(school=school, year=year)
    services.submission_for(school=school, year=year)  # compiled here
    seen = {}

    def other():
        try:
            with CaptureQueriesContext(connections["default"]) as queries:
                seen["found"] = services.submission_for(school=school, year=year).pk
            seen["queries"] = len(queries)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen == {"found": Submission.objects.get(school=school, year=year).pk, "queries": 1}
