"""The summary after a change reads again only what the change can alter: each app's part (its
selectors' results, the county comparison's sums) is kept until that app's data or the core's
changes, and the summary it gives is the one computed from nothing kept."""

from __future__ import annotations

import functools
import inspect
from collections import Counter
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation

from aggregates import selectors as aggregated
from insurance.models import StudentAccidentCoverage
from labor_bases.models import ProductionLine
from reports import figures, sources
from rollup import comparison
from tests.factories import SchoolFactory, SubmissionFactory
from tests.reports.conftest import build_county
from workstudy import rules
from workstudy.models import Region, Submission


@pytest.fixture
def reads(monkeypatch) -> Counter:
    """How often each app's selectors and each part of the county comparison run from now on."""
    counted: Counter = Counter()

    def counting(label, func):
        @functools.wraps(func)  # what it is kept by (freshness.also_reads) with it
        def wrapper(*args, **kwargs):
            counted[label] += 1
            return func(*args, **kwargs)

        return wrapper

    for app in sources.APPS:
        module = sources.selectors(app)
        members = inspect.getmembers(module, inspect.isfunction)
        # What a selector kept while it is unchanged reads (freshness.kept_while_same) is read at
        # every computation, as the data stamps are: not counted.
        states = {getattr(func, "kept_while_same", None) for _name, func in members}
        for name, func in members:
            if func.__module__ == module.__name__ and not name.startswith("_") and func not in states:
                monkeypatch.setattr(module, name, counting(app, func))
    for name, func in inspect.getmembers(aggregated, inspect.isfunction):
        if func.__module__ == aggregated.__name__ and not name.startswith("_"):
            monkeypatch.setattr(aggregated, name, counting("labor_bases", func))
    monkeypatch.setattr(comparison, "_PIECES", tuple((app, counting(f"comparison:{app}", piece))
                                                     for app, piece in comparison._PIECES))
    # The staff-written rows (settings, narrative, examples, documents, facts, stated figures) are
    # read together, their settings first.
    monkeypatch.setattr(figures, "settings_for", counting("texts", figures.settings_for))
    return counted


def _from_nothing_kept(county) -> figures.Summary:
    cache.clear()
    rules.forget_kept()
    return figures.compute_cached(2024, county)


def _after_saving(row, county, reads: Counter) -> tuple[figures.Summary, set]:
    """``row`` saved (committed), then the county's summary: it and what was read for it."""
    reads.clear()
    row.save()
    return figures.compute_cached(2024, county), set(reads)


@pytest.mark.django_db(transaction=True)
def test_a_change_reads_again_its_own_app_only(school_a, reads):
    build_county(school_a=school_a)
    county = school_a.county
    neighbour = Region.objects.create(parent=county.parent, name="余江区", level=Region.Level.COUNTY)
    SubmissionFactory(school=SchoolFactory(code="YJ001", name="余江乙校", county=neighbour), year_id=2024)
    cache.clear()
    first = figures.compute_cached(2024, county)
    assert {"labor_bases", "insurance", "enterprises", "logistics", "comparison:returns", "texts"} <= set(reads)

    line = ProductionLine.objects.filter(year_id=2024).order_by("pk").first()
    line.quantity += Decimal("1")
    after_line, read = _after_saving(line, county, reads)
    assert read == {"labor_bases", "comparison:labor_bases"}, read
    assert after_line.fingerprint() != first.fingerprint()
    assert after_line.fingerprint() == _from_nothing_kept(county).fingerprint()

    coverage = StudentAccidentCoverage.objects.filter(year_id=2024).order_by("pk").first()
    coverage.insured_parent_paid += 1
    after_coverage, read = _after_saving(coverage, county, reads)
    assert read == {"insurance", "comparison:insurance"}, read
    assert after_coverage.fingerprint() != after_line.fingerprint()
    assert after_coverage.fingerprint() == _from_nothing_kept(county).fingerprint()

    # A return's counts (a principal's form; submitting and approving write the same row): the
    # parts that print a school's counts of staff and students, and the comparison's counts of
    # returns, are read again; the others are kept.
    submission = Submission.objects.get(school=school_a, year_id=2024)
    submission.student_count += 10
    after_return, read = _after_saving(submission, county, reads)
    assert read == {"labor_bases", "insurance", "comparison:returns"}, read
    # school_examples (and the school_finance it calls); coverage
    assert reads["labor_bases"] == 2 and reads["insurance"] == 1, reads
    assert after_return.fingerprint() != after_coverage.fingerprint()
    assert after_return.fingerprint() == _from_nothing_kept(county).fingerprint()

    # A paragraph written by staff: the staff texts are read again, no data.
    from reports.models import NarrativeBlock, Section

    written = set(NarrativeBlock.objects.filter(year_id=2024).values_list("section", flat=True))
    section = next(key for key in Section.values if key not in written)
    block = NarrativeBlock(year_id=2024, section=section, heading="", text="本段由勤工办撰写。", approved=True)
    after_text, read = _after_saving(block, county, reads)
    assert read == {"texts"}, read
    assert after_text.fingerprint() != after_return.fingerprint()
    assert after_text.fingerprint() == _from_nothing_kept(county).fingerprint()
    after_return = after_text

    reads.clear()
    assert figures.compute_cached(2024, county).fingerprint() == after_return.fingerprint()
    assert not reads, "nothing changed: the whole summary is kept"

    with translation.override("en"):  # the document is Chinese whoever reads it: the same parts
        assert figures.compute_cached(2024, county).fingerprint() == after_return.fingerprint()
        assert _from_nothing_kept(county).fingerprint() == after_return.fingerprint()


@pytest.mark.django_db(transaction=True)
def test_the_summary_page_after_a_change_reads_the_data_versions_once(school_a, auditor_client):
    """Every kept part of the page is looked up under the stamps the request read first (it asked
    for them eleven times, a query each, on the load test's county)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dataversions.models import DataVersion

    build_county(school_a=school_a)
    url = reverse("reports:summary", args=[2024])
    assert auditor_client.get(url).status_code == 200
    line = ProductionLine.objects.filter(year_id=2024).first()
    line.quantity += 1
    line.save()
    with CaptureQueriesContext(connection) as queries:
        assert auditor_client.get(url).status_code == 200
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and DataVersion._meta.db_table in q["sql"]]
    assert len(reads) == 1, reads
