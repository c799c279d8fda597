"""Keeping :mod:`aggregates.models` equal to the data they sum.

:func:`refresh_school_years` recomputes the given (school, year) pairs from the source rows with
the data app's own formula (:func:`labor_bases.selectors._finance`), and :func:`refresh_prices`
the given products' medians from the year's prices. Both run in the writer's transaction
(:mod:`aggregates.signals` calls them on every save and delete, and after bulk writes), so an
aggregate commits or rolls back with the rows it sums. Each locks its aggregate rows first
(``SELECT ... FOR UPDATE``) and only then reads the sources: two transactions changing the same
school's year one after the other both end with every committed row counted.
:func:`rebuild` recomputes everything (``manage.py rebuild_aggregates``).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from statistics import median

from django.db import transaction
from django.db.models import Q

from workstudy import freshness

from .models import ZERO, ProductPriceMedian, SchoolYearFigures

FIGURE_FIELDS = ("production_value", "matched_production", "other_income", "cost", "remitted_to_school", "accounts")
LAND_FIELDS = ("plot_area", "plots", "declared_area", "area_mismatches", "participants", "practice_days")
ALL_FIELDS = FIGURE_FIELDS + LAND_FIELDS
CHUNK = 500


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def figures_of(combined: dict) -> dict:
    """The stored parts of one group's :func:`labor_bases.selectors._combine` result (its inverse:
    ``_combine(production_value, matched_production, {other, cost, remitted} or None)`` gives it back)."""
    other = combined["other_income"]
    return {
        "production_value": combined["production_value"],
        "matched_production": combined["matched_revenue"] - other,
        "other_income": other,
        "cost": combined["cost"] or ZERO,
        "remitted_to_school": combined["remitted_to_school"],
        "accounts": 1 if combined["has_accounts"] else 0,
    }


def _land(years: list[int], schools: list[int] | None) -> dict[tuple[int, int], dict]:
    """``{(school, year): LAND_FIELDS}``: the sums :func:`labor_bases.selectors.base_overview` makes
    for the county, per school (its plots; the declared totals of its bases with plots that year;
    its bases whose plots do not add up, :func:`labor_bases.selectors.area_mismatched_bases`; its
    practice activities). 3 queries and one per year."""
    from django.db.models import Count, Exists, OuterRef, Sum

    from labor_bases.models import BaseYearArea, LandParcel, StudentPracticeActivity
    from labor_bases.selectors import area_mismatched_bases

    def of(qs, path):
        return qs if schools is None else qs.filter(**{f"{path}__in": schools})

    out: dict[tuple[int, int], dict] = defaultdict(lambda: dict.fromkeys(LAND_FIELDS, 0))
    plots = of(LandParcel.objects.filter(year_id__in=years), "base__school_id")
    for row in plots.values("base__school_id", "year_id").annotate(a=Sum("area_mu"), n=Count("pk")).order_by():
        out[(row["base__school_id"], row["year_id"])].update(plot_area=row["a"], plots=row["n"])
    with_plots = LandParcel.objects.filter(base_id=OuterRef("base_id"), year_id=OuterRef("year_id"))
    declared = of(BaseYearArea.objects.filter(year_id__in=years), "base__school_id").filter(Exists(with_plots))
    for row in declared.values("base__school_id", "year_id").annotate(d=Sum("declared_total_mu")).order_by():
        out[(row["base__school_id"], row["year_id"])]["declared_area"] = row["d"]
    for year in years:
        for school_id in of(area_mismatched_bases(year), "school_id").values_list("school_id", flat=True):
            out[(school_id, year)]["area_mismatches"] += 1
    activities = of(StudentPracticeActivity.objects.filter(year_id__in=years), "school_id")
    for row in activities.values("school_id", "year_id").annotate(p=Sum("participants"), d=Sum("days")).order_by():
        out[(row["school_id"], row["year_id"])].update(participants=row["p"] or 0, practice_days=row["d"] or 0)
    return out


def _computed(pairs: set[tuple[int, int]] | None, years: list[int] | None = None) -> dict[tuple[int, int], dict]:
    """Every stored field of these (school, year) pairs (``None``: every school of ``years``)."""
    from labor_bases.selectors import _finance

    if pairs is not None:
        years = sorted({y for _s, y in pairs})
        chunks = list(_chunks(sorted({s for s, _y in pairs})))
    else:
        chunks = [None]
    out: dict[tuple[int, int], dict] = {}
    for chunk in chunks:
        found = {key: figures_of(combined) for key, combined in _finance(years, ("school", "year"), chunk).items()}
        for key, land in _land(years, chunk).items():
            found.setdefault(key, dict.fromkeys(FIGURE_FIELDS, ZERO) | {"accounts": 0}).update(land)
        for key, fields in found.items():
            if pairs is None or key in pairs:
                out[key] = dict.fromkeys(LAND_FIELDS, 0) | fields
    return out


def refresh_school_years(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the aggregates of these (school_id, year_id) pairs from the source rows."""
    pairs = {(int(s), int(y)) for s, y in pairs if s is not None and y is not None}
    if not pairs:
        return
    # Inside the save that called it, no savepoint of its own (two statements fewer on every
    # save): nothing here is caught and carried on from, so a failure rolls back the whole save.
    with transaction.atomic(savepoint=False):
        ordered = sorted(pairs)
        SchoolYearFigures.objects.bulk_create(
            [SchoolYearFigures(school_id=s, year_id=y) for s, y in ordered], ignore_conflicts=True, batch_size=CHUNK
        )
        rows = {}
        for chunk in _chunks(ordered):
            lock = Q()
            for s, y in chunk:
                lock |= Q(school_id=s, year_id=y)
            for row in SchoolYearFigures.objects.select_for_update().filter(lock).order_by("school_id", "year_id"):
                rows[(row.school_id, row.year_id)] = row
        computed = _computed(pairs)
        empty = dict.fromkeys(ALL_FIELDS, 0)
        for key, row in rows.items():
            for name, value in computed.get(key, empty).items():
                setattr(row, name, value)
            row.token = new_token()
        SchoolYearFigures.objects.bulk_update(list(rows.values()), [*ALL_FIELDS, "token"], batch_size=CHUNK)


def new_token() -> int:
    """A :attr:`SchoolYearFigures.token` or :attr:`ProductPriceMedian.token`: random, never 0 (a
    row's value before its first refresh), below 2^31 so the database sums a bucket's tokens
    without overflowing (:func:`aggregates.selectors.token_sums`, :func:`~aggregates.selectors.median_token_sums`)."""
    return secrets.randbits(31) + 1


def touch_schools(school_ids: Iterable[int]) -> None:
    """New tokens for every year of these schools (renamed: their warnings print the new name)."""
    SchoolYearFigures.objects.filter(school_id__in=list(school_ids)).update(token=new_token())


def price_key(product: str, grade: str, unit: str) -> tuple[str, str, str]:
    """A product as LB-04 compares it: name and grade stripped, and the unit."""
    return (product or "").strip(), (grade or "").strip(), unit or ""


def _prices(year: int, keys: set[tuple[str, str, str]] | None) -> dict[tuple, list[Decimal]]:
    from labor_bases.models import ProductionLine

    lines = ProductionLine.objects.filter(year_id=year, unit_price__gt=0)
    if keys is not None:
        lines = lines.filter(product__in={k[0] for k in keys})
    found: dict[tuple, list[Decimal]] = defaultdict(list)
    for product, grade, unit, price in lines.values_list("product", "grade", "unit", "unit_price"):
        key = price_key(product, grade, unit)
        if keys is None or key in keys:
            found[key].append(price)
    return found


def refresh_prices(year_keys: Iterable[tuple[int, tuple[str, str, str]]]) -> None:
    """Recompute the median price of these (year, product key) pairs from the year's lines."""
    wanted: dict[int, set] = defaultdict(set)
    for year, key in year_keys:
        if year is not None:
            wanted[int(year)].add(price_key(*key))
    with transaction.atomic(savepoint=False):  # as refresh_school_years
        for year in sorted(wanted):
            _refresh_year_prices(year, wanted[year])


def _refresh_year_prices(year: int, keys: set | None) -> None:
    if keys is not None:
        ordered = sorted(keys)
        # Lock the products' rows first (made when missing), then read the prices.
        ProductPriceMedian.objects.bulk_create(
            [ProductPriceMedian(year_id=year, product=p, grade=g, unit=u, lines=0, median=ZERO) for p, g, u in ordered],
            ignore_conflicts=True,
            batch_size=CHUNK,
        )
        rows = {}
        for chunk in _chunks(ordered):
            lock = Q()
            for p, g, u in chunk:
                lock |= Q(product=p, grade=g, unit=u)
            for row in (
                ProductPriceMedian.objects.select_for_update().filter(lock, year_id=year).order_by("product", "grade", "unit")
            ):
                rows[(row.product, row.grade, row.unit)] = row
    else:
        rows = {(r.product, r.grade, r.unit): r for r in ProductPriceMedian.objects.filter(year_id=year)}
    prices = _prices(year, keys)
    changed, new = [], []
    for key in sorted(set(rows) | set(prices)):
        found = prices.get(key)
        row = rows.get(key) or ProductPriceMedian(year_id=year, product=key[0], grade=key[1], unit=key[2])
        lines, value = (len(found), Decimal(median(found))) if found else (0, ZERO)
        if row.pk and row.token and (row.lines, row.median) == (lines, value):
            continue  # unchanged: its token stays, and nobody reads it again (selectors.median_token_sums)
        row.lines, row.median, row.token = lines, value, new_token()
        (changed if row.pk else new).append(row)
    # A product without a priced line has no median: its row (made above to be locked, or left by
    # the last such line) goes. Only the rows read here can be such: every refresh removes its own.
    gone = [row.pk for row in changed if not row.lines]
    ProductPriceMedian.objects.bulk_update([row for row in changed if row.lines], ["lines", "median", "token"],
                                           batch_size=CHUNK)
    ProductPriceMedian.objects.bulk_create(new, batch_size=CHUNK)
    for chunk in _chunks(gone):
        ProductPriceMedian.objects.filter(pk__in=chunk).delete()


def rebuild(log=None) -> dict[str, int]:
    """Every aggregate recomputed from the data (the management command; after bulk loads)."""
    from labor_bases.models import ProductionLine
    from workstudy.models import ReportingYear

    counts = {"school_years": 0, "prices": 0}
    with transaction.atomic():
        SchoolYearFigures.objects.all().delete()
        years = list(ReportingYear.objects.order_by("year").values_list("year", flat=True))
        for year in years:
            rows = [
                SchoolYearFigures(school_id=school_id, year_id=year_id, token=new_token(), **fields)
                for (school_id, year_id), fields in _computed(None, [year]).items()
            ]
            SchoolYearFigures.objects.bulk_create(rows, batch_size=2000)
            counts["school_years"] += len(rows)
        ProductPriceMedian.objects.all().delete()
        for year in sorted(set(ProductionLine.objects.values_list("year_id", flat=True).distinct())):
            _refresh_year_prices(year, None)
        counts["prices"] = ProductPriceMedian.objects.count()
        # What was kept from the labor bases' data (the summary's parts, the warnings) was read
        # from the aggregates as they were: it is read again once the rebuilt ones commit.
        transaction.on_commit(lambda: freshness.bump("labor_bases"))
    if log:
        log(f"aggregates rebuilt: {counts['school_years']} school-years, {counts['prices']} product medians")
    return counts
