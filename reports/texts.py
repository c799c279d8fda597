"""Which staff-written rows a summary prints: the county's own, else the deployment's shared ones.

The narrative, the summary settings, the stated figures, the policy documents and the dated
facts belong to a county (their ``county`` field) or, with no county, to the whole deployment.
A county's summary prints, for each part, its own row where it has one and the shared row
otherwise; the summary of the whole deployment prints the shared rows, unless the deployment is
one county: its summary is then that county's, with that county's rows
(:func:`reports.archive.current` serves one as the other).

"The part" is what one row answers: a narrative's section, the year's settings, a dated fact's
kind. Stated figures and policy documents come in lists: a county with stated figures of its
own for a key (a document it wrote) prints those instead of the shared ones of that key, and a
county with policy documents of its own on a topic (its own 后勤社会化 opinions) prints those
instead of the shared ones on that topic, still citing the shared ones on other topics (the
province's notice on 校(园)方责任保险).

Every read is one query whatever the number of counties: the county's rows and the shared
ones are fetched together and chosen here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db.models import Q, QuerySet

from workstudy.models import School

T = TypeVar("T")


def county_id_of(county) -> int | None:
    return getattr(county, "pk", county)


def own_or_shared(qs: QuerySet, county) -> QuerySet:
    """``qs`` narrowed to the rows a summary of ``county`` (a Region, its id or None) may print:
    the county's and the shared ones (None: the shared ones only)."""
    county_id = county_id_of(county)
    if county_id is None:
        return qs.filter(county__isnull=True)
    return qs.filter(Q(county_id=county_id) | Q(county__isnull=True))


def choose(rows: Iterable[T], county, key: Callable[[T], object]) -> list[T]:
    """Of ``rows`` (read by :func:`own_or_shared`), for each ``key``: the county's rows when it has
    any, else the shared ones; in the order given."""
    county_id = county_id_of(county)
    rows = list(rows)
    own_keys = {key(row) for row in rows if county_id is not None and row.county_id == county_id}
    return [row for row in rows
            if (row.county_id == county_id if key(row) in own_keys else row.county_id is None)]


def by_key(rows: Iterable[T], county, key: Callable[[T], object]) -> dict:
    """:func:`choose` of rows with one per key (a section, a kind): ``{key: row}``."""
    return {key(row): row for row in choose(rows, county, key)}


def sole_county_annotations() -> dict:
    """Annotations giving, on any one-row query, the lowest and highest county id of the schools:
    equal when the deployment is one county (no extra query for it)."""
    from django.db.models import Subquery

    ids = School.objects.order_by().values("county_id")
    return {
        "_first_county": Subquery(ids.order_by("county_id")[:1]),
        "_last_county": Subquery(ids.order_by("-county_id")[:1]),
    }


def texts_county(county, annotated=None) -> int | None:
    """The county whose rows a summary of ``county`` prints: ``county`` itself; for the whole
    deployment (None), its only county if it has one (from a row annotated with
    :func:`sole_county_annotations`), else None (the shared rows)."""
    if county is not None:
        return county_id_of(county)
    first, last = getattr(annotated, "_first_county", None), getattr(annotated, "_last_county", None)
    return first if first is not None and first == last else None
