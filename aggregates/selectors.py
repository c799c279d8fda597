"""The labor bases' county figures read from the per-school aggregates (:class:`SchoolYearFigures`):
a few hundred or thousand rows a year instead of every production line.

Each function returns exactly what its namesake in :mod:`labor_bases.selectors` returns (the
same keys, the same Decimals): the stored parts are summed and put through that module's one
formula, :func:`labor_bases.selectors._combine`. ``counties`` (a list of county ids, None for
every county) narrows the schools summed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Sum

from workstudy.scoping import in_counties

from .models import ZERO, SchoolYearFigures

_PARTS = ("production_value", "matched_production", "other_income", "cost", "remitted_to_school")


def _combined(row: dict) -> dict:
    from labor_bases.selectors import _combine

    accounts = (
        {"other": row["other_income"], "cost": row["cost"], "remitted": row["remitted_to_school"]} if row["accounts"] else None
    )
    return _combine(row["production_value"] or ZERO, row["matched_production"] or ZERO, accounts)


def finance_by_year(years: Iterable[int], counties: Iterable[int] | None = None) -> dict[int, dict]:
    """:func:`labor_bases.selectors.finance_by_year` (1 query)."""
    from labor_bases.selectors import _county_year

    years = list(years)
    found = {
        row["year_id"]: _combined(row)
        for row in in_counties(SchoolYearFigures.objects.filter(year_id__in=years), counties)
        .values("year_id")
        .annotate(**{name: Sum(name) for name in _PARTS}, accounts=Sum("accounts"))
        .order_by()
        if row["accounts"] or row["production_value"]
    }
    return {year: _county_year(found.get(year)) for year in years}


def unmatched_schools(year: int, counties: Iterable[int] | None = None) -> list[dict]:
    """:func:`labor_bases.selectors.unmatched_schools` (1 query: only the schools with unmatched revenue)."""
    rows = in_counties(SchoolYearFigures.objects.filter(year_id=year, production_value__gt=F("matched_production")),
                       counties).values_list(
        "school_id", "school__name", "production_value", "matched_production"
    )
    found = [
        (
            sid,
            name,
            _combined(
                {
                    "production_value": prod,
                    "matched_production": matched,
                    "accounts": 0,
                    "other_income": ZERO,
                    "cost": ZERO,
                    "remitted_to_school": ZERO,
                }
            )["unmatched_revenue"],
        )
        for sid, name, prod, matched in rows
    ]
    return [
        {"school_id": sid, "school_name": name, "revenue": value}
        for sid, name, value in sorted(found, key=lambda r: (-r[2], r[1]))
        if value
    ]


def top_profit_schools(year: int, limit: int, counties: Iterable[int] | None = None) -> list[int]:
    """The ``limit`` schools with the highest base profit in ``year`` among those that filled in
    accounts, ties by school code: :func:`labor_bases.selectors.table_school_ids`'s ``profit``
    order with ``accounts_only`` (1 query)."""
    profit = F("matched_production") + F("other_income") - F("cost")
    return list(
        in_counties(SchoolYearFigures.objects.filter(year_id=year, accounts__gt=0), counties)
        .annotate(p=profit)
        .order_by("-p", "school__code")
        .values_list("school_id", flat=True)[:limit]
    )


def price_medians(year: int, keys: Iterable[tuple[str, str, str]] | None = None) -> dict[tuple, tuple[int, object]]:
    """``{(product, grade, unit): (lines, median unit price)}`` over every production line of
    ``year`` with a price (LB-04's county reference), for the given product keys or all (1 query)."""
    from .models import ProductPriceMedian

    rows = ProductPriceMedian.objects.filter(year_id=year)
    if keys is not None:
        keys = set(keys)
        if not keys:
            return {}
        rows = rows.filter(product__in={k[0] for k in keys})
    found = {}
    for product, grade, unit, lines, median in rows.values_list("product", "grade", "unit", "lines", "median"):
        if keys is None or (product, grade, unit) in keys:
            found[(product, grade, unit)] = (lines, median)
    return found


def median_token_sums(year: int) -> dict[int, tuple[int, int]]:
    """``{bucket: (sum of tokens, rows)}`` of ``year``'s product medians, by row id (1 query, at
    most :data:`TOKEN_BUCKETS` rows): which buckets :func:`medians_by_bucket` must read again."""
    from django.db.models import Count

    return {row["bucket"]: (int(row["tokens"]), row["rows"])
            for row in _median_rows(year).values("bucket").annotate(tokens=Sum("token"), rows=Count("pk")).order_by()}


def medians_by_bucket(year: int, buckets: Iterable[int] | None = None) -> dict[int, dict[tuple, tuple[int, object]]]:
    """:func:`price_medians` of ``year`` by bucket of :func:`median_token_sums`, of these buckets
    or all (1 query)."""
    rows = _median_rows(year)
    if buckets is not None:
        buckets = {int(b) for b in buckets}
        if not buckets:
            return {}
        rows = rows.filter(bucket__in=buckets)
    out: dict[int, dict] = {}
    for bucket, product, grade, unit, lines, median in rows.values_list("bucket", "product", "grade", "unit", "lines",
                                                                         "median"):
        out.setdefault(bucket, {})[(product, grade, unit)] = (lines, median)
    return out


def school_tokens(year: int, school_id: int) -> frozenset:
    """What one school's labor-base warnings of ``year`` read, as tokens (1 query): its aggregates'
    tokens of ``year`` and the year before, and those of the county medians of its products of
    ``year`` (name and grade stripped, unit). Another value than before: its warnings may differ."""
    from labor_bases.models import LaborBase, ProductionLine

    from .models import ProductPriceMedian

    quote = connection.ops.quote_name
    figures, medians = quote(SchoolYearFigures._meta.db_table), quote(ProductPriceMedian._meta.db_table)
    lines, bases = quote(ProductionLine._meta.db_table), quote(LaborBase._meta.db_table)
    sql = f"""
        SELECT 0, year_id, token FROM {figures} WHERE school_id = %s AND year_id IN (%s, %s)
        UNION ALL
        SELECT 1, m.id, m.token FROM {medians} m JOIN (
            SELECT DISTINCT TRIM(l.product) AS product, TRIM(l.grade) AS grade, l.unit
              FROM {lines} l JOIN {bases} b ON b.id = l.base_id
             WHERE b.school_id = %s AND l.year_id = %s
        ) k ON m.product = k.product AND m.grade = k.grade AND m.unit = k.unit
        WHERE m.year_id = %s
    """  # noqa: S608 - table names from the models
    with connection.cursor() as cursor:
        cursor.execute(sql, [school_id, year - 1, year, school_id, year, year])
        return frozenset(cursor.fetchall())


def _median_rows(year: int):
    from .models import ProductPriceMedian

    return ProductPriceMedian.objects.filter(year_id=year).annotate(bucket=F("pk") % TOKEN_BUCKETS)


def base_overview(year: int, counties: Iterable[int] | None = None) -> dict:
    """:func:`labor_bases.selectors.base_overview` (2 queries: the schools' rows summed, and the
    schools taking part in the year)."""
    from django.db.models import Count, Q

    from labor_bases.models import money
    from workstudy.participation import count_of_year

    row = in_counties(SchoolYearFigures.objects.filter(year_id=year), counties).aggregate(
        total=Sum("plot_area"),
        schools=Count("pk", filter=Q(plots__gt=0)),
        declared=Sum("declared_area"),
        mismatches=Sum("area_mismatches"),
        participants=Sum("participants"),
        days=Sum("practice_days"),
    )
    return {
        "total_mu": money(row["total"] or ZERO),
        "schools_with_base": row["schools"],
        "school_count": count_of_year(year, counties),
        "declared_total_mu": money(row["declared"] or ZERO),
        "area_mismatches": row["mismatches"] or 0,
        "students_participating": row["participants"] or 0,
        "practice_days": row["days"] or 0,
    }


# Schools are hashed into this many buckets by id; a bucket's tokens are summed by the database,
# so a process that kept the sums learns which few buckets changed without reading every token.
TOKEN_BUCKETS = 128


def token_sums(years: Iterable[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """``{(year_id, bucket): (sum of tokens, rows)}`` of these years (1 query, a few hundred rows)."""
    sql, params = _token_sql(f"year_id, {_BUCKET}, SUM(token), COUNT(*)", years)
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} GROUP BY year_id, {_BUCKET}", params)
        return {(year, bucket): (int(total), count) for year, bucket, total, count in cursor.fetchall()}


def change_tokens(years: Iterable[int], buckets: Iterable[int] | None = None) -> dict[tuple[int, int], int]:
    """``{(school_id, year_id): token}`` of these years, of the schools in these buckets or all
    (1 query, two small columns: a province's two years are 30,000 pairs of numbers)."""
    sql, params = _token_sql("school_id, year_id, token", years)
    if buckets is not None:
        buckets = sorted({int(b) for b in buckets})
        if not buckets:
            return {}
        sql += f" AND {_BUCKET} IN ({', '.join(['%s'] * len(buckets))})"
        params += buckets
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(school, year): token for school, year, token in cursor.fetchall()}


_BUCKET = f"school_id %% {TOKEN_BUCKETS}"  # %% : a literal % in a statement with parameters


def _token_sql(columns: str, years: Iterable[int]) -> tuple[str, list]:
    years = [int(y) for y in years]
    table = connection.ops.quote_name(SchoolYearFigures._meta.db_table)
    marks = ", ".join(["%s"] * len(years))
    return f"SELECT {columns} FROM {table} WHERE year_id IN ({marks})", years  # noqa: S608
