"""A locked year's summary never changes: rows that belong to no year (names, dated facts,
documents, the broker, which schools are active) can be edited afterwards, the summary of the
locked year (page, figures, fingerprint) stays as it was at the lock; reopening lets it follow."""

import pickle

import pytest
from django.urls import reverse

from reports import figures
from reports.models import DatedFact, FrozenSummary, PolicyDocument
from tests.factories import SchoolFactory, SubmissionFactory
from workstudy import services
from workstudy.models import ReportingYear, School, Submission, SubmissionStatus


def _lock(director, year=2023):
    Submission.objects.filter(year_id=year).update(status=SubmissionStatus.APPROVED)
    services.year_lock(user=director, year=ReportingYear.objects.get(pk=year))


def _edit_every_yearless_row(school_a, county):
    from insurance.models import Insurer
    from labor_bases.models import LaborBase
    from logistics.models import ServiceCentre

    School.objects.filter(pk=school_a.pk).update(name="改名后的学校")
    LaborBase.objects.filter(pk=county.base.pk).update(name="改名后的基地")
    DatedFact.objects.update(year=2001)
    PolicyDocument.objects.update(doc_no="赣教勤字〔2009〕9号")
    Insurer.objects.filter(role=Insurer.Role.BROKER).update(entrusted_from_year=2015, name="另一家经纪公司")
    ServiceCentre.objects.update(founded_year=1999, name="改名后的中心")
    SchoolFactory(name="新建学校", active=True)  # opened later: not one of 2023's schools


def _page(client, year):
    return client.get(reverse("reports:summary", args=[year])).content.decode()


def test_locked_summary_is_kept_as_at_the_lock(county, school_a, director, director_client):
    _lock(director)
    before = figures.compute_cached(2023)
    page_before = _page(director_client, 2023)
    assert school_a.name in page_before
    _edit_every_yearless_row(school_a, county)
    after = figures.compute_cached(2023)
    assert after.fingerprint() == before.fingerprint()
    assert after.figures["first_insurance_year"].value == 2006
    assert after.data["base_overview"]["school_count"] == before.data["base_overview"]["school_count"]
    page_after = _page(director_client, 2023)
    assert "改名后的学校" not in page_after and school_a.name in page_after
    assert "赣教勤字〔2009〕9号" not in page_after
    # the open year follows the corrections
    assert figures.compute_cached(2024).figures["first_insurance_year"].value == 2001


def test_reopening_lets_the_summary_follow_again(county, school_a, director):
    _lock(director)
    before = figures.compute_cached(2023).fingerprint()
    _edit_every_yearless_row(school_a, county)
    services.year_reopen(user=director, year=ReportingYear.objects.get(pk=2023), reason="更正")
    assert not FrozenSummary.objects.filter(year_id=2023).exists()
    assert figures.compute_cached(2023).fingerprint() != before


def test_an_unreadable_or_older_copy_is_not_used(county, director):
    _lock(director)
    FrozenSummary.objects.filter(year_id=2023).update(payload=b"not a pickle")
    assert figures.frozen(2023) is None
    assert figures.compute_cached(2023).year == 2023  # computed afresh
    FrozenSummary.objects.filter(year_id=2023).update(payload=pickle.dumps(figures.compute(2023)),
                                                      format=figures.FROZEN_FORMAT + 1)
    assert figures.frozen(2023) is None


def test_the_frozen_copy_is_not_used_for_an_open_year(county, director):
    _lock(director)
    ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.OPEN)
    assert figures.frozen(2023) is None


@pytest.mark.parametrize("closed_later", [True, False])
def test_school_count_of_a_year_is_its_schools_not_todays(county, school_a, director, closed_later):
    from labor_bases import selectors

    other = SchoolFactory(name="其他学校")
    SubmissionFactory(school=other, year=county.y23)
    _lock(director)
    counted = selectors.base_overview(2023)["school_count"]
    if closed_later:
        School.objects.filter(pk=other.pk).update(active=False)
    else:
        SchoolFactory(name="后来新建的学校")
    assert selectors.base_overview(2023)["school_count"] == counted
