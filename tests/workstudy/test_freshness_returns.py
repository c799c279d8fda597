"""The returns' own stamp (workstudy.freshness.RETURNS): a return submitted, approved or edited
leaves kept what never reads returns; a return made or deleted changes who takes part in the
year (the core's stamp); and the test suite's check that a kept value reads only the data its
stamps follow."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory
from tests.labor_bases.factories import LaborBaseFactory
from tests.workstudy.test_freshness import count_checks
from workstudy import freshness, rules
from workstudy.models import School, Submission, SubmissionStatus
from workstudy.participation import count_of_year


def _stamps():
    return {"returns": freshness.generation([freshness.RETURNS]), "core": freshness.generation(()),
            "labor": freshness.generation(["labor_bases"]), "all": freshness.generation()}


@pytest.mark.django_db
def test_a_returns_edit_moves_only_the_returns_stamp(year, school_a):
    submission = SubmissionFactory(school=school_a, year=year)
    before = _stamps()
    submission.status = SubmissionStatus.SUBMITTED
    submission.save()
    after = _stamps()
    assert after["returns"] != before["returns"] and after["all"] != before["all"]
    assert after["core"] == before["core"] and after["labor"] == before["labor"]


@pytest.mark.django_db
def test_a_return_made_or_deleted_moves_the_core_stamp(year, school_a):
    before = _stamps()
    submission = SubmissionFactory(school=school_a, year=year)  # school_a now takes part in 2024
    made = _stamps()
    assert all(made[name] != before[name] for name in made)
    submission.delete()
    deleted = _stamps()
    assert deleted["core"] != made["core"] and deleted["labor"] != made["labor"]


@pytest.mark.django_db(transaction=True)
def test_who_takes_part_is_counted_again_when_a_return_is_made():
    """A locked county's year counts the schools with a return: a new return changes the count
    the core's stamp keeps, although the count is kept without the returns' stamp."""
    from django.utils import timezone

    from workstudy.models import CountyLock, Region

    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="R001", name="有填报学校")
    CountyLock.objects.create(year=year, county=Region.default_county(), locked_at=timezone.now())
    assert count_of_year(2024) == 0
    SubmissionFactory(school=school, year=year)
    assert count_of_year(2024) == 1


@pytest.mark.django_db
def test_a_return_never_moves_to_another_school_or_year(year, school_a, school_b):
    submission = Submission.objects.get(pk=SubmissionFactory(school=school_a, year=year).pk)
    submission.school = school_b
    with pytest.raises(ValidationError, match="不能改到别的学校或年度"):
        submission.save()
    submission = Submission.objects.get(pk=submission.pk)
    submission.year = ReportingYearFactory(year=2023)
    with pytest.raises(ValidationError):
        submission.save()
    assert Submission.objects.get(pk=submission.pk).school_id == school_a.pk
    submission = Submission.objects.get(pk=submission.pk)
    submission.student_count = 300
    submission.save()  # its own figures may change


@pytest.mark.django_db(transaction=True)
def test_warnings_that_read_no_returns_are_kept_when_a_return_changes(monkeypatch):
    runs = count_checks(monkeypatch, "labor_bases", "labor_education")
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="R002", name="填报学校")
    LaborBaseFactory(school=school, name="填报基地")
    submission = SubmissionFactory(school=school, year=year)
    rules.findings(2024)
    first = dict(runs)
    submission.status = SubmissionStatus.SUBMITTED
    submission.save()
    rules.findings(2024)
    assert runs["labor_bases"] == first["labor_bases"], "the labor-base checks read no return: kept"
    assert runs["labor_education"] > first["labor_education"], "a missing record is told from the returns"


def _school_names():
    return list(School.objects.values_list("name", flat=True))


def _return_statuses():
    return list(Submission.objects.values_list("status", flat=True))


@pytest.mark.django_db
def test_a_kept_value_that_reads_undeclared_data_fails_the_tests(year, school_a):
    SubmissionFactory(school=school_a, year=year)
    assert freshness.cached("t:names", _school_names, apps=()) == [school_a.name]  # the core's own
    with pytest.raises(freshness.UndeclaredReads, match=r"t:statuses .* reads \['returns'\]"):
        freshness.cached("t:statuses", _return_statuses, apps=())
    assert freshness.cached("t:statuses", _return_statuses, apps=(freshness.RETURNS,)) == ["draft"]
    with pytest.raises(freshness.UndeclaredReads, match=r"reads \['labor_bases'\]"):
        freshness.cached("t:bases", lambda: LaborBaseFactory._meta.model.objects.count(), apps=("enterprises",))
    # Read inside another kept value: the outer one reads it too.
    with pytest.raises(freshness.UndeclaredReads, match=r"t:outer .* reads \['returns'\]"):
        freshness.cached("t:outer", lambda: freshness.cached("t:inner", _return_statuses, apps=(freshness.RETURNS,)),
                         apps=())
    # Whether a school has a return (who takes part) is the core's.
    exists = School.objects.filter(submissions__year_id=2024).values_list("name", flat=True)
    assert freshness.cached("t:taking-part", lambda: list(exists), apps=()) == [school_a.name]


def test_a_statement_that_asks_only_whether_a_return_exists_reads_the_core():
    table = Submission._meta.db_table
    quote = connection.ops.quote_name
    assert freshness._statement_stamps(
        f'SELECT 1 FROM {quote("workstudy_school")} WHERE EXISTS(SELECT 1 AS "a" FROM {quote(table)} U0 '
        f'WHERE U0.{quote("school_id")} = 1 AND U0.{quote("year_id")} = %s)') == {freshness.CORE_APP}
    assert freshness._statement_stamps(
        f'SELECT U0.{quote("status")} FROM {quote(table)} U0') == {freshness.RETURNS}


@pytest.mark.django_db
def test_the_admin_shows_a_returns_school_and_year_read_only(rf, year, school_a, director):
    from django.contrib import admin

    from workstudy.admin import SubmissionAdmin

    submission = SubmissionFactory(school=school_a, year=year)
    request = rf.get("/")
    request.user = director
    model_admin = SubmissionAdmin(Submission, admin.site)
    assert {"school", "year"} <= set(model_admin.get_readonly_fields(request, submission))
    assert not {"school", "year"} & set(model_admin.get_readonly_fields(request, None))  # a new return: chosen


@pytest.mark.django_db(transaction=True)
def test_a_kept_value_read_from_the_cache_inside_another_counts_as_read():
    """Outside a transaction the inner value comes from the cache and runs no statement: what
    it is kept by counts as read by the value around it all the same."""
    from django.core.cache import cache

    cache.clear()
    school = SchoolFactory(code="R003", name="缓存学校")
    SubmissionFactory(school=school, year=ReportingYearFactory(year=2024))
    freshness.cached("t:inner-kept", _return_statuses, apps=(freshness.RETURNS,))  # kept now
    with pytest.raises(freshness.UndeclaredReads, match=r"t:outer-kept .* reads \['returns'\]"):
        freshness.cached("t:outer-kept",
                         lambda: freshness.cached("t:inner-kept", _return_statuses, apps=(freshness.RETURNS,)),
                         apps=())
