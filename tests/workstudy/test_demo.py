"""``load_demo``: 贵溪市 with 余江区 and 月湖区 of 鹰潭市 by default, 贵溪市 alone with
``--only-county``; 贵溪市's figures are the same either way, and the past years are locked
consistently (every county with schools in them has locked), the current year open for all."""

import io

import pytest
from django.core.management import call_command

from reports import figures
from workstudy import demo, locks
from workstudy.models import CountyLock, Region, ReportingYear, School, Submission, SubmissionStatus

PAST = [year for year in demo.DEMO_YEARS if year != demo.CURRENT_YEAR]


def _figures(year, county):
    return {key: fig.value for key, fig in figures.compute(year, county).figures.items()}


@pytest.fixture
def loaded(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_past_years_locked_by_every_county_with_schools_in_them_the_current_year_open(loaded):
    # The printout names the counties and every login, the other counties' principals too.
    assert "贵溪市、余江区、月湖区" in loaded
    for login in ("staff", "clerk", "principal", "principal2", "auditor", "city", "province",
                  "yj001…yj004", "yh001…yh003"):
        assert f"  {login} " in loaded, login
    guixi = demo.demo_county()
    counties = list(Region.objects.filter(level=Region.Level.COUNTY, schools__isnull=False).distinct())
    assert sorted(c.name for c in counties) == sorted(["贵溪市", *demo.OTHER_COUNTIES])
    others = School.objects.exclude(county=guixi)
    for year in PAST:
        year_obj = ReportingYear.objects.get(pk=year)
        assert year_obj.status == ReportingYear.Status.LOCKED and year_obj.locked_by.username == "staff"
        # The other counties joined in the current year: no return of theirs to leave unapproved.
        assert not Submission.objects.filter(year_id=year, school__in=others).exists()
        assert not Submission.objects.filter(year_id=year).exclude(status=SubmissionStatus.APPROVED).exists()
        assert locks.counties_of_year(year_obj) == {guixi.pk} and not locks.unlocked_counties(year_obj)
        assert list(CountyLock.objects.filter(year_id=year).values_list("county", flat=True)) == [guixi.pk]
        assert all(locks.is_locked(year_obj, county) for county in counties)
        # What 贵溪市's lock kept is what its data gives.
        assert figures.frozen(year, guixi).figures.keys() == figures.compute(year, guixi).figures.keys()
        assert {k: f.value for k, f in figures.frozen(year, guixi).figures.items()} == _figures(year, guixi)
    current = ReportingYear.objects.get(pk=demo.CURRENT_YEAR)
    assert current.status == ReportingYear.Status.OPEN and not CountyLock.objects.filter(year=current).exists()
    assert not any(locks.is_locked(current, county) for county in counties)
    assert Submission.objects.filter(year=current, school__in=others).count() == others.count()


def test_guixis_figures_are_the_same_with_or_without_the_other_counties(db):
    call_command("load_demo", "--only-county", stdout=io.StringIO())
    guixi = demo.demo_county()
    assert set(School.objects.values_list("county", flat=True)) == {guixi.pk}
    alone = {year: _figures(year, guixi) for year in demo.DEMO_YEARS}
    # A deployment of one county: its summary is the deployment's.
    assert alone[demo.CURRENT_YEAR] == {k: f.value for k, f in figures.compute(demo.CURRENT_YEAR).figures.items()}
    call_command("load_demo", stdout=io.StringIO())  # again, now with 余江区 and 月湖区
    assert School.objects.exclude(county=guixi).count() == sum(len(rows) for rows in demo.OTHER_COUNTIES.values())
    assert {year: _figures(year, guixi) for year in demo.DEMO_YEARS} == alone
    for year in PAST:
        assert {k: f.value for k, f in figures.frozen(year, guixi).figures.items()} == alone[year]
