"""Whether a reporting year is locked, for one county or for the whole deployment.

Each county's director locks the county's year (:class:`~workstudy.models.CountyLock`) when
its schools' returns are approved, whatever the neighbouring counties still enter. The year
itself (``ReportingYear.status``) becomes LOCKED when every county with schools in it has
locked, and a year LOCKED that way (or before counties locked one by one) is locked for every
county. So:

- a row of county C in year Y is read-only when Y is locked for C (:func:`is_locked`,
  :func:`locked_rows` for a queryset);
- a row belonging to no county (shared by the whole deployment) is read-only as soon as any
  county has locked Y, since every county's summary prints it (:func:`shared_locked`);
- a page of county C shows the year as C sees it (:func:`for_county`, :func:`seen_by`): locked,
  by whom and when, from C's own lock.
"""

from __future__ import annotations

import copy
import functools

from django.db.models import Exists, OuterRef, Q

from .models import CountyLock, ReportingYear, Submission
from .prepared import Prepared

LOCKED = ReportingYear.Status.LOCKED

# Every page with a year picker reads the years: the statement is compiled once per process.
_years_newest_first = Prepared(lambda: ReportingYear.objects.order_by("-year"))


@functools.cache
def _locks_of_years(count: int) -> Prepared:
    """The counties' locks of ``count`` years, with who locked them (compiled once per count)."""
    return Prepared(lambda *years: CountyLock.objects.filter(year_id__in=years).select_related("locked_by"), *[int] * count)


def all_years() -> list[ReportingYear]:
    """Every reporting year, newest first (read from the database at each call)."""
    return _years_newest_first.all()


def _county_id(county) -> int | None:
    return getattr(county, "pk", county)


def county_locks(year_obj: ReportingYear) -> dict[int, CountyLock]:
    """The counties' locks of ``year_obj`` by county id (read once per year object)."""
    if getattr(year_obj, "_county_locks", None) is None:
        read_county_locks([year_obj])
    return year_obj._county_locks


def read_county_locks(years: list[ReportingYear]) -> list[ReportingYear]:
    """``years`` with their counties' locks read for all of them in one query (at most; none for
    years no county has locked, as the year itself records), so that :func:`county_locks` and
    :func:`for_county` of each need none."""
    pending = {}
    for year_obj in years:
        if getattr(year_obj, "_county_locks", None) is None:
            year_obj._county_locks = {}
            if year_obj.county_locked:
                pending[year_obj.pk] = year_obj
    if pending:
        for lock in _locks_of_years(len(pending)).all(*pending):
            pending[lock.year_id]._county_locks[lock.county_id] = lock
    return years


def is_locked(year_obj: ReportingYear, county) -> bool:
    """Whether ``year_obj`` is locked for ``county`` (a Region or id); with None, whether the
    whole year is (every county has locked)."""
    if year_obj.status == LOCKED:
        return True
    county_id = _county_id(county)
    return county_id is not None and county_id in county_locks(year_obj)


def shared_locked(year_obj: ReportingYear) -> bool:
    """Whether a row of ``year_obj`` shared by every county is read-only: some county has locked."""
    return year_obj.status == LOCKED or bool(county_locks(year_obj))


def for_county(year_obj: ReportingYear | None, county) -> ReportingYear | None:
    """``year_obj`` as ``county`` sees it: locked (by whom, when) by the county's own lock. The
    same object when the county has no lock of its own; a copy, which cannot be saved, else."""
    county_id = _county_id(county)
    if year_obj is None or county_id is None or getattr(year_obj, "_county_view", None) is not None:
        return year_obj
    lock = county_locks(year_obj).get(county_id)
    if lock is None:
        return year_obj
    view = copy.copy(year_obj)
    view._county_locks = year_obj._county_locks
    view.status, view.locked_by, view.locked_at = LOCKED, lock.locked_by, lock.locked_at
    view._county_view = county_id
    return view


def county_of_user(user) -> int | None:
    """The county whose year ``user`` works in: a principal's school's, a county bureau user's
    own; None above the county (a city or province sees the whole year)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if getattr(user, "is_principal", False):
        return user.school.county_id if user.school_id else None
    from .models import Region

    region = user.region if getattr(user, "region_id", None) else None
    return region.pk if region is not None and region.level == Region.Level.COUNTY else None


def seen_by(user, year_obj: ReportingYear | None) -> ReportingYear | None:
    """``year_obj`` as ``user``'s county sees it (unchanged above the county)."""
    return for_county(year_obj, county_of_user(user))


def locked_rows(year_path: str, county_path: str | None) -> Q:
    """The rows (of a model whose year is reached by ``year_path`` and county by ``county_path``)
    whose year is locked for their county; a row of no county, once any county has locked."""
    whole = Q(**{f"{year_path}__status": LOCKED})
    if county_path is None:
        return whole | Q(Exists(CountyLock.objects.filter(year_id=OuterRef(f"{year_path}_id"))))
    own = Exists(CountyLock.objects.filter(year_id=OuterRef(f"{year_path}_id"), county_id=OuterRef(f"{county_path}_id")))
    shared = Exists(CountyLock.objects.filter(year_id=OuterRef(f"{year_path}_id")))
    return whole | Q(own) | (Q(**{f"{county_path}__isnull": True}) & Q(shared))


def counties_of_year(year_obj: ReportingYear) -> set[int]:
    """Ids of the counties with schools in ``year_obj`` (the ones whose locks lock the year)."""
    return set(Submission.objects.filter(year_id=year_obj.pk).values_list("school__county_id", flat=True).distinct())


def unlocked_counties(year_obj: ReportingYear) -> set[int]:
    """Counties with schools in the year that have not locked it (none once the year is locked)."""
    if year_obj.status == LOCKED:
        return set()
    return counties_of_year(year_obj) - set(county_locks(year_obj))
