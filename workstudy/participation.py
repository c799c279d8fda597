"""Which schools take part in a reporting year: the one rule every year's count uses.

A school takes part in a year when it has a return (:class:`~workstudy.models.Submission`)
for it; while the year is not locked (for the school's county), every active school does too (a school added during
the year gets its return when it first enters data). So a school closed in 2025 still
counts in 2023 and one opened in 2025 does not, whatever is edited later.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import CountyLock, ReportingYear, School, Submission


def schools_of_year(year: int) -> QuerySet[School]:
    has_return = Exists(Submission.objects.filter(school=OuterRef("pk"), year_id=year))
    open_year = ReportingYear.objects.filter(pk=year).exclude(status=ReportingYear.Status.LOCKED).exists()
    if not open_year:
        return School.objects.filter(has_return)
    county_locked = Exists(CountyLock.objects.filter(year_id=year, county_id=OuterRef("county_id")))
    return School.objects.filter(Q(has_return) | (Q(active=True) & ~Q(county_locked)))


def count_of_year(year: int, counties=None) -> int:
    """How many schools take part in ``year`` (of these county ids, or all), kept until the
    core's data changes: a province's count reads every school's returns (tens of ms), and the
    summary asks for it again after every change to a data app's rows."""
    from . import freshness
    from .scoping import in_counties

    key = f"participation:count:{int(year)}:{sorted(counties) if counties is not None else 'all'}"
    return freshness.cached(key, lambda: in_counties(schools_of_year(year), counties).count(), apps=())
