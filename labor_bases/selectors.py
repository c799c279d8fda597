"""Read functions of the labor-practice bases, for ``reports/`` and this app's pages.

Every function takes plain ints and returns plain Python with ``Decimal`` money (元,
2 places) and areas (亩), in a fixed number of SQL queries whatever the number of
schools or rows. Only real data counts: a county total of area is always the sum of
the plots (never a declared figure), revenue is the sum of the production lines'
values plus declared other income, and profit is revenue minus cost, counted only where the
cost is known (a base's accounts for the year): see :func:`_combine`, the one formula.
``counties`` (where a function takes it): a list of county ids, only their rows; None: every county.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from workstudy import freshness, names
from workstudy.models import School, Submission
from workstudy.participation import count_of_year
from workstudy.scoping import in_counties

from .models import (
    ZERO,
    BaseYearArea,
    BaseYearFinance,
    LaborBase,
    LandParcel,
    LandType,
    ProductionLine,
    StudentPracticeActivity,
    money,
    profit_of,
    total_revenue,
)

# List pages behind figures, by kind (see rows_url).
LIST_PAGES = {
    "bases": "labor_bases:bases",
    "plots": "labor_bases:plots",
    "lines": "labor_bases:lines",
    "production": "labor_bases:lines",
    "finance": "labor_bases:finance",
    "activities": "labor_bases:activities",
}


def rows_url(kind: str, year: int, **filters) -> str:
    """URL of this app's list page filtered to the rows behind a figure.

    ``kind`` is one of plots, lines (or production), finance, activities, bases;
    ``filters`` are query parameters those pages understand: ``school`` (id),
    ``land_type`` (e.g. ``tea``), ``base`` (id), ``product``.
    E.g. ``rows_url("plots", 2024, land_type="tea")`` -> ``/labor-bases/plots/?year=2024&land_type=tea``.
    """
    params = {"year": year, **{k: v for k, v in filters.items() if v not in (None, "")}}
    return f"{reverse(LIST_PAGES[kind])}?{urlencode(params)}"


def _sum(field: str):
    return Coalesce(Sum(field), ZERO)


def _label(land_type: str) -> str:
    return str(LandType(land_type).label)


# County figures ------------------------------------------------------------


def land_by_type(year: int, counties: Iterable[int] | None = None) -> list[dict]:
    """Area (亩) and number of schools per land type, in the fixed order 粮田 ... 其他, zeros included. 1 query."""
    rows = {
        row["land_type"]: row
        for row in in_counties(LandParcel.objects.filter(year_id=year), counties)
        .values("land_type")
        .annotate(area=_sum("area_mu"), schools=Count("base__school", distinct=True))
        .order_by()
    }
    return [
        {
            "land_type": value,
            "label": str(label),
            "area_mu": money(rows[value]["area"]) if value in rows else ZERO,
            "school_count": rows[value]["schools"] if value in rows else 0,
        }
        for value, label in LandType.choices
    ]


def area_mismatched_bases(year: int, counties: Iterable[int] | None = None):
    """Bases with a declared total whose plots in ``year`` add up to something else — LB-03's
    test, defined once here for the rule and for the overview's count (the database sums
    and compares)."""
    return (
        with_declared_area(in_counties(LaborBase.objects.all(), counties), year)
        .filter(declared_total_mu__isnull=False, parcels__year_id=year)
        .annotate(total=Sum("parcels__area_mu"))
        .exclude(total=F("declared_total_mu"))
    )


def with_declared_area(bases, year: int):
    """``bases`` annotated with ``declared_total_mu``: each base's declared area for ``year``
    (None where that year has none). The one way pages and rules read the declared area."""
    # Without the model's ordering (by school and base name, through two joins), which PostgreSQL
    # would otherwise sort for each row: at province size minutes instead of a fraction of a second.
    declared = (BaseYearArea.objects.filter(base_id=OuterRef("pk"), year_id=year).order_by()
                .values("declared_total_mu")[:1])
    return bases.annotate(declared_total_mu=Subquery(declared))


def base_overview(year: int, counties: Iterable[int] | None = None) -> dict:
    """County overview of the bases for ``year`` (5 queries, every sum made by the database).

    ``total_mu`` is the sum of the plots; ``declared_total_mu`` the sum of the declared
    totals of the bases that have plots this year; ``area_mismatches`` counts those bases
    whose plots do not add up to their declared total (:func:`area_mismatched_bases`);
    ``schools_with_base`` counts each school with at least one plot this year once, out of
    ``school_count``, the schools taking part in the year (:mod:`workstudy.participation`);
    ``students_participating`` is in 人次.
    """
    plots = in_counties(LandParcel.objects.filter(year_id=year), counties)
    land = plots.aggregate(total=_sum("area_mu"), schools=Count("base__school_id", distinct=True))
    declared = BaseYearArea.objects.filter(year_id=year, base_id__in=plots.values("base_id")).aggregate(
        declared=_sum("declared_total_mu"))
    activity = in_counties(StudentPracticeActivity.objects.filter(year_id=year), counties).aggregate(
        participants=Coalesce(Sum("participants"), 0), days=Coalesce(Sum("days"), 0)
    )
    return {
        "total_mu": money(land["total"]),
        "schools_with_base": land["schools"],
        "school_count": count_of_year(year, counties),
        "declared_total_mu": money(declared["declared"]),
        "area_mismatches": area_mismatched_bases(year, counties).count(),
        "students_participating": activity["participants"],
        "practice_days": activity["days"],
    }


# THE base finance formula ----------------------------------------------------
#
# Profit is counted only against known cost: a base's production value counts as profit
# only in a year its accounts (BaseYearFinance, which carries the cost) were filled in.
# A base that sold products but has no accounts for the year adds its revenue to
# ``unmatched_revenue`` ("收入未匹配成本"), never to profit. Every finance figure of this
# app (county totals by year, per school, per base, the overview, the examples, the
# school sheet) and of the summary comes from :func:`_finance` and :func:`_combine`.

FINANCE_KEYS = ("production_value", "other_income", "revenue", "matched_revenue", "unmatched_revenue", "cost",
                "profit", "remitted_to_school", "has_accounts")
_GROUPS = {"year": "year_id", "school": "base__school_id", "school_name": "base__school__name", "base": "base_id"}


def _combine(production: Decimal, matched_production: Decimal, accounts: dict | None) -> dict:
    """One group's figures from its production value (all lines, and the lines of bases with
    accounts) and its accounts' sums (None: no base of the group has accounts).

    revenue = production value + other income; cost and profit only where accounts exist:
    profit = (production of bases with accounts + other income) − cost; the rest of the
    revenue is ``unmatched_revenue``. ``cost`` and ``profit`` are None without any accounts.
    """
    other = money(accounts["other"]) if accounts else ZERO
    matched = total_revenue(matched_production, other)
    cost = money(accounts["cost"]) if accounts else None
    return {
        "production_value": money(production), "other_income": other, "revenue": total_revenue(production, other),
        "matched_revenue": matched, "unmatched_revenue": money(production - matched_production),
        "cost": cost, "profit": profit_of(matched, cost) if accounts else None,
        "remitted_to_school": money(accounts["remitted"]) if accounts else ZERO, "has_accounts": accounts is not None,
    }


def _together(groups: Iterable[dict]) -> dict:
    """:func:`_combine` of several groups as one (their parts summed): what grouping their rows
    together in the database gives, to the cent."""
    production = matched = ZERO
    accounts = None
    for figures in groups:
        production += figures["production_value"]
        matched += figures["matched_revenue"] - figures["other_income"]
        if figures["has_accounts"]:
            accounts = accounts or {"other": ZERO, "cost": ZERO, "remitted": ZERO}
            accounts["other"] += figures["other_income"]
            accounts["cost"] += figures["cost"]
            accounts["remitted"] += figures["remitted_to_school"]
    return _combine(production, matched, accounts)


def _finance(years: Iterable[int], by: tuple[str, ...], school_ids: Iterable[int] | None = None,
             counties: Iterable[int] | None = None) -> dict[tuple, dict]:
    """Finance figures grouped by ``by`` (names of :data:`_GROUPS`: year, school, base), for the
    groups that have production lines or accounts: ``{(values of by...): figures}`` (see
    :func:`_combine`). 2 queries, every sum made by the database."""
    fields = [_GROUPS[name] for name in by]
    years = list(years)
    lines = in_counties(ProductionLine.objects.filter(year_id__in=years), counties)
    finance = in_counties(BaseYearFinance.objects.filter(year_id__in=years), counties)
    if school_ids is not None:
        school_ids = list(school_ids)
        lines, finance = lines.filter(base__school_id__in=school_ids), finance.filter(base__school_id__in=school_ids)
    has_accounts = Exists(BaseYearFinance.objects.filter(base_id=OuterRef("base_id"), year_id=OuterRef("year_id")))
    production: dict[tuple, list] = defaultdict(lambda: [ZERO, ZERO])
    for row in lines.annotate(acc=has_accounts).values(*fields, "acc").annotate(v=_sum("value")).order_by():
        item = production[tuple(row[f] for f in fields)]
        item[0] += row["v"]
        if row["acc"]:
            item[1] += row["v"]
    accounts = {
        tuple(row[f] for f in fields): row
        for row in finance.values(*fields).annotate(
            other=_sum("other_income"), cost=_sum("cost"), remitted=_sum("remitted_to_school")).order_by()
    }
    return {
        key: _combine(*production.get(key, (ZERO, ZERO)), accounts.get(key))
        for key in sorted({*production, *accounts}, key=lambda k: tuple(str(v) for v in k))
    }


def _county_year(figures: dict | None) -> dict:
    """A county year's figures, zeros (cost and profit 0) when nothing was entered."""
    if figures is None:
        figures = _combine(ZERO, ZERO, None)
    return dict(figures, cost=figures["cost"] or ZERO, profit=figures["profit"] or ZERO)


def unmatched_schools(year: int, counties: Iterable[int] | None = None) -> list[dict]:
    """Schools whose bases sold products in ``year`` without accounts (cost) for the year:
    ``[dict(school_id, school_name, revenue)]``, largest first (2 queries)."""
    found = _finance([year], ("school", "school_name"), counties=counties)
    rows = [(sid, name, f["unmatched_revenue"]) for (sid, name), f in found.items() if f["unmatched_revenue"]]
    return [{"school_id": sid, "school_name": name, "revenue": value}
            for sid, name, value in sorted(rows, key=lambda r: (-r[2], r[1]))]


def base_finance(year: int, counties: Iterable[int] | None = None) -> dict:
    """County totals for ``year`` (:func:`_combine`'s keys; cost and profit 0 without any accounts)."""
    return _county_year(_finance([year], ("year",), counties=counties).get((year,)))


def finance_by_year(years: Iterable[int], counties: Iterable[int] | None = None) -> dict[int, dict]:
    """``{year: base_finance(year)}`` for each year asked (2 queries)."""
    years = list(years)
    found = _finance(years, ("year",), counties=counties)
    return {year: _county_year(found.get((year,))) for year in years}


# Per school / per base -----------------------------------------------------


def only_schools(school_id) -> list[int] | None:
    """The schools a reader is narrowed to: every one (None), one (its id) or several (a collection
    of ids, e.g. those a kept copy of the warnings checks again together)."""
    if school_id is None:
        return None
    return [school_id] if isinstance(school_id, int) else sorted(school_id)


def year_over_year(year: int, school_id: int | Iterable[int] | None = None, *,
                   moved_more_than: Decimal = ZERO) -> dict[str, list[tuple]]:
    """Each school's (``school_id``: that school's or those schools' only) plot area (``"area"``)
    and base revenue (``"revenue"``: Σ line values + other income) in ``year - 1`` and ``year``:
    ``{measure: [(school_id, last, now)]}``, only
    schools with figures in both years and a non-zero last year, and only those whose
    figure moved by more than ``moved_more_than`` (a fraction, e.g. 0.49) of last year's.
    One query: the database sums and filters, so a province's 15,000 schools come back as
    the few that moved; callers make the exact test on the Decimals.
    """
    quote = connection.ops.quote_name
    plot, line, acc, base = (quote(m._meta.db_table) for m in (LandParcel, ProductionLine, BaseYearFinance, LaborBase))
    only = only_schools(school_id)
    if only == []:
        return {"area": [], "revenue": []}
    one_school = f"AND b.school_id IN ({', '.join(['%s'] * len(only))})" if only else ""
    last, now = (f"SUM(CASE WHEN t.year_id = {int(y)} THEN t.v END)" for y in (year - 1, year))
    sql = f"""
        SELECT t.measure, t.school_id, {last}, {now} FROM (
            SELECT 'area' AS measure, b.school_id, p.year_id, p.area_mu AS v
              FROM {plot} p JOIN {base} b ON b.id = p.base_id WHERE p.year_id IN (%s, %s) {one_school}
            UNION ALL
            SELECT 'revenue', b.school_id, l.year_id, l.value
              FROM {line} l JOIN {base} b ON b.id = l.base_id WHERE l.year_id IN (%s, %s) {one_school}
            UNION ALL
            SELECT 'revenue', b.school_id, f.year_id, f.other_income
              FROM {acc} f JOIN {base} b ON b.id = f.base_id WHERE f.year_id IN (%s, %s) {one_school}
        ) t
        GROUP BY t.measure, t.school_id
        HAVING {last} IS NOT NULL AND {now} IS NOT NULL AND {last} <> 0
           AND ABS({now} - {last}) > %s * ABS({last})
        ORDER BY t.school_id, t.measure
    """
    params = []
    for _branch in range(3):
        params += [year - 1, year] + (only or [])
    params.append(Decimal(moved_more_than))
    out: dict[str, list[tuple]] = {"area": [], "revenue": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for measure, sid, last_value, now_value in cursor.fetchall():
            out[measure].append((sid, money(last_value), money(now_value)))
    return out


def schools_with_products(year: int, keys: Iterable[tuple[str, str, str]]) -> set[int]:
    """The schools with a production line of ``year`` of one of these products (name and grade
    stripped, unit), priced or not (1 query)."""
    keys = set(keys)
    if not keys:
        return set()
    lines = ProductionLine.objects.filter(year_id=year, product__in={k[0] for k in keys})  # stored stripped
    return {school for school, product, grade, unit
            in lines.values_list("base__school_id", "product", "grade", "unit").distinct().order_by()
            if (product.strip(), grade.strip(), unit) in keys}


def finance_rows(year: int, school_id: int | None = None) -> list[dict]:
    """One row per base with lines or accounts in ``year``: base_id, base_name, school_id,
    school_name, finance_id and :func:`_combine`'s figures (cost and profit None when the base
    has no accounts for the year; 3 queries)."""
    figures = _finance([year], ("base",), None if school_id is None else [school_id])
    accounts = dict(BaseYearFinance.objects.filter(year_id=year, base_id__in=[k[0] for k in figures])
                    .values_list("base_id", "pk"))
    bases = LaborBase.objects.filter(pk__in=[k[0] for k in figures]).values("pk", "name", "school_id", "school__name")
    return [
        {"base_id": base["pk"], "base_name": base["name"], "school_id": base["school_id"],
         "school_name": base["school__name"], "finance_id": accounts.get(base["pk"]), **figures[(base["pk"],)]}
        for base in sorted(bases, key=lambda b: (b["school_id"], b["name"]))
    ]


def land_by_school(
    year: int, land_type: str | None = None, school_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Decimal]]:
    """``{school_id: {land_type: area}}`` for ``year``, optionally only the given schools (1 query)."""
    qs = LandParcel.objects.filter(year_id=year)
    if land_type:
        qs = qs.filter(land_type=land_type)
    if school_ids is not None:
        qs = qs.filter(base__school_id__in=list(school_ids))
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in qs.values("base__school_id", "land_type").annotate(a=_sum("area_mu")).order_by():
        out[row["base__school_id"]][row["land_type"]] = money(row["a"])
    return dict(out)


def school_land_by_year(school_id: int, years: Iterable[int]) -> dict[int, dict[str, Decimal]]:
    """``{year: {land_type: area}}`` of one school's plots in ``years``: :func:`land_by_school` of
    each year, in one query."""
    out: dict[int, dict[str, Decimal]] = defaultdict(dict)
    rows = (LandParcel.objects.filter(year_id__in=list(years), base__school_id=school_id)
            .values("year_id", "land_type").annotate(a=_sum("area_mu")).order_by())
    for row in rows:
        out[row["year_id"]][row["land_type"]] = money(row["a"])
    return dict(out)


# The county overview's per-school table ---------------------------------------------

# ?sort= of the per-school table: key -> (label, SQL expression it orders by, largest first, then code).
TABLE_SORTS = {
    "code": (_("学校代码"), None),
    "area": (_("面积从大到小"), "SUM(t.area)"),
    "revenue": (_("收入从高到低"), "SUM(t.revenue)"),
    "profit": (_("利润从高到低"), "SUM(t.matched) - SUM(t.cost)"),  # _combine's profit
}


def _table_sql(land_type: str | None, sort: str, accounts_only: bool = False) -> str:
    quote = connection.ops.quote_name
    plot, line, acc, base, school = (
        quote(m._meta.db_table) for m in (LandParcel, ProductionLine, BaseYearFinance, LaborBase, School)
    )
    type_filter = "AND p.land_type = %s" if land_type else ""
    order = TABLE_SORTS[sort][1]
    having = (["SUM(t.listed) > 0"] if land_type else []) + (["SUM(t.accounts) > 0"] if accounts_only else [])
    return f"""
        SELECT s.id FROM (
            SELECT b.school_id, SUM(p.area_mu) AS area, 0 AS revenue, 0 AS matched, 0 AS cost, 1 AS listed,
                   0 AS accounts
              FROM {plot} p JOIN {base} b ON b.id = p.base_id WHERE p.year_id = %s {type_filter} GROUP BY b.school_id
            UNION ALL
            SELECT b.school_id, 0, SUM(l.value),
                   SUM(CASE WHEN EXISTS (SELECT 1 FROM {acc} a WHERE a.base_id = l.base_id AND a.year_id = l.year_id)
                       THEN l.value ELSE 0 END), 0, 0, 0
              FROM {line} l JOIN {base} b ON b.id = l.base_id WHERE l.year_id = %s GROUP BY b.school_id
            UNION ALL
            SELECT b.school_id, 0, SUM(f.other_income), SUM(f.other_income), SUM(f.cost), 0, 1
              FROM {acc} f JOIN {base} b ON b.id = f.base_id WHERE f.year_id = %s GROUP BY b.school_id
        ) t JOIN {school} s ON s.id = t.school_id
        GROUP BY s.id, s.code
        {"HAVING " + " AND ".join(having) if having else ""}
        ORDER BY {f"{order} DESC, " if order else ""}s.code
    """


def table_school_ids(year: int, land_type: str | None = None, sort: str = "code", *,
                     accounts_only: bool = False) -> list[int]:
    """Ids of the schools in the county overview's table for ``year``, in display order (1 query,
    then kept until this app's data or the schools change, see :func:`workstudy.freshness.cached`).

    Without ``land_type``: every school with plots, production lines or accounts this year;
    with it, the schools with plots of that type. ``sort`` is a key of :data:`TABLE_SORTS`:
    by code, or largest first by the plot area (of ``land_type`` when given), revenue
    (Σ line values + other income) or profit (:func:`_combine`: against known cost only), then by code. Grouped
    and ordered in the database, whatever the number of schools. ``accounts_only``: only
    the schools whose bases filled in this year's accounts.
    """
    sort = sort if sort in TABLE_SORTS else "code"

    def compute() -> list[int]:
        params = [year, land_type, year, year] if land_type else [year, year, year]
        with connection.cursor() as cursor:
            cursor.execute(_table_sql(land_type, sort, accounts_only), params)
            return [row[0] for row in cursor.fetchall()]

    key = f"labor_bases:table:{year}:{land_type or ''}:{sort}:{int(accounts_only)}"
    return freshness.cached(key, compute, apps=("labor_bases",))


def county_figures(year: int) -> dict:
    """The overview's county totals for ``year``: ``land`` (:func:`land_by_type`), ``overview``
    (:func:`base_overview`) and ``finance`` (:func:`base_finance`); 6 queries, then kept
    until this app's data or the schools change (see :func:`workstudy.freshness.cached`)."""
    figures = freshness.cached(
        f"labor_bases:county:{year}",
        lambda: {"land": land_by_type(year), "overview": base_overview(year), "finance": base_finance(year)},
        apps=("labor_bases",),
    )
    # Labels in the reader's language (the cache is shared by every language).
    return dict(figures, land=[dict(item, label=_label(item["land_type"])) for item in figures["land"]])


def school_finance(year: int, school_ids: Iterable[int]) -> dict[int, dict]:
    """``{school_id: figures}`` in ``year`` for the given schools that have production lines or
    accounts (:func:`_combine`'s keys: cost and profit None when none of the school's bases has
    accounts, profit only against known cost; 2 queries)."""
    return {key[0]: figures for key, figures in _finance([year], ("school",), school_ids).items()}


def school_table(year: int, school_ids: Iterable[int]) -> dict[int, dict]:
    """The per-school figures of the county overview for the given schools (a page of them), 3 queries.

    ``{school_id: dict(land={land_type: area}, total_mu, finance)}``; ``finance`` is
    ``dict(revenue, cost, profit)`` summed over the school's bases (revenue = Σ line values +
    other income), or None when the school has neither production lines nor accounts this year.
    """
    school_ids = list(school_ids)
    land = land_by_school(year, school_ids=school_ids)
    finance = school_finance(year, school_ids)
    out = {}
    for sid in school_ids:
        areas = land.get(sid, {})
        out[sid] = {"land": areas, "total_mu": money(sum(areas.values(), ZERO)), "finance": finance.get(sid)}
    return out


def _plot_dict(p: dict) -> dict:
    label = _label(p["land_type"])
    if p["land_type"] == LandType.OTHER and p["land_type_note"]:
        label = f"{label}（{p['land_type_note']}）"
    return {"id": p["pk"], "base_id": p["base_id"], "land_type": p["land_type"], "label": label,
            "area_mu": money(p["area_mu"]), "crop": p["crop"]}


def _line_dict(line: ProductionLine) -> dict:
    return {"id": line.pk, "base_id": line.base_id, "product": line.product, "grade": line.grade,
            "quantity": line.quantity, "unit": str(line.get_unit_display()), "unit_price": money(line.unit_price),
            "value": money(line.value)}


def _school_details(year: int, school_ids: list[int]) -> dict[int, dict]:
    """Plots, lines, activities and counts of the given schools (5 queries)."""
    details = {sid: {"plots": [], "lines": [], "activities": [], "activity_rows": []} for sid in school_ids}
    plot_fields = ("pk", "base_id", "base__school_id", "land_type", "land_type_note", "area_mu", "crop")
    for p in LandParcel.objects.filter(year_id=year, base__school_id__in=school_ids).values(*plot_fields).order_by(
        "base__school_id", "base__name", "land_type", "pk"
    ):
        details[p["base__school_id"]]["plots"].append(_plot_dict(p))
    for line in ProductionLine.objects.filter(year_id=year, base__school_id__in=school_ids).select_related("base").order_by(
        "base__school_id", "base__name", "product", "grade", "pk"
    ):
        details[line.base.school_id]["lines"].append(_line_dict(line))
    for a in StudentPracticeActivity.objects.filter(year_id=year, school_id__in=school_ids).order_by("school_id", "pk"):
        details[a.school_id]["activities"].append(a.activity)
        details[a.school_id]["activity_rows"].append(
            {"id": a.pk, "activity": a.activity, "participants": a.participants, "days": a.days, "base_id": a.base_id}
        )
    counts = {
        s["school_id"]: s
        for s in Submission.objects.filter(year_id=year, school_id__in=school_ids).values(
            "school_id", "staff_count", "student_count"
        )
    }
    # The year's own counts only (None: not entered for that year) — never another year's.
    for school in School.objects.filter(pk__in=school_ids).values("pk", "name"):
        sub = counts.get(school["pk"], {})
        details[school["pk"]].update(
            school_id=school["pk"], school_name=school["name"],
            staff_count=sub.get("staff_count"), student_count=sub.get("student_count"),
        )
    return details


LINE_KEYS = ("id", "product", "grade", "quantity", "unit", "unit_price", "value")


def school_examples_state(year: int, limit: int = 3, school_ids: list[int] | None = None,
                          counties: Iterable[int] | None = None) -> tuple | None:
    """What :func:`school_examples` of the given schools reads (the same arguments), as one
    comparable value (1 query): their yearly aggregates' tokens of ``year`` (new at every save of
    their plots, lines, accounts and activities, and when a base moves or a base or the school is
    renamed, :mod:`aggregates.signals`) and their returns' counts of staff and students. While it
    is unchanged, so are those schools' examples, whatever other schools save. None without
    ``school_ids`` (the highest profit: any school's save may change which)."""
    from aggregates.models import SchoolYearFigures

    if school_ids is None:
        return None
    ids = sorted({int(sid) for sid in school_ids})
    if not ids:
        return ()
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(ids))
    sql = f"""
        SELECT 0, school_id, token, NULL, NULL FROM {quote(SchoolYearFigures._meta.db_table)}
         WHERE year_id = %s AND school_id IN ({marks})
        UNION ALL
        SELECT 1, school_id, id, staff_count, student_count FROM {quote(Submission._meta.db_table)}
         WHERE year_id = %s AND school_id IN ({marks})
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, *ids, year, *ids])
        return tuple(sorted(tuple(row) for row in cursor.fetchall()))


@freshness.also_reads(freshness.RETURNS)  # the schools' counts of staff and students
@freshness.kept_while_same(school_examples_state)
def school_examples(year: int, limit: int = 3, school_ids: list[int] | None = None,
                    counties: Iterable[int] | None = None) -> list[dict]:
    """``school_ids`` in that order, or else the schools with the highest base profit in ``year``
    (among those that filled in accounts; ranked by the database, see :func:`table_school_ids`),
    with their plots, production lines, revenue, cost, profit and activities (8 queries); with
    ``counties``, only those counties' schools."""
    if school_ids is None:
        ranked = table_school_ids(year, sort="profit", accounts_only=True)
        if counties is None:
            ranked = ranked[:limit]
    else:
        ranked = list(school_ids)
    if counties is not None:
        mine = set(in_counties(School.objects.filter(pk__in=ranked), counties).values_list("pk", flat=True))
        ranked = [sid for sid in ranked if sid in mine][: limit if school_ids is None else None]
    per_school = school_finance(year, ranked)
    details = _school_details(year, ranked)
    examples = []
    for sid in ranked:
        d = details[sid]
        acc = per_school.get(sid) or {"revenue": None, "cost": None, "profit": None}  # nothing entered this year
        examples.append({
            "school_id": sid, "school_name": d["school_name"], "staff_count": d["staff_count"],
            "student_count": d["student_count"],
            "plots": [{"label": p["label"], "area_mu": p["area_mu"], "crop": p["crop"]} for p in d["plots"]],
            "lines": [{k: line[k] for k in LINE_KEYS} for line in d["lines"]],
            "revenue": acc["revenue"], "cost": acc["cost"], "profit": acc["profit"],
            "activities": d["activities"],
        })
    return examples


def school_sheet(year: int, school_id: int) -> dict:
    """One school's year on one page: its bases with plots, lines and accounts, totals and activities
    (11 queries whatever the number of rows; a locked year's names are read as at its lock).

    Returns dict(school_id, school_name, staff_count, student_count, total_mu, declared_total_mu,
    bases=[dict(id, name, location, declared_total_mu, area_mu, area_matches, plots, lines, finance)],
    plots, lines, finance=dict(production_value, other_income, revenue, cost, profit, remitted_to_school),
    activities=[dict(id, activity, participants, days, base_id)], participants, practice_days).
    """
    details = _school_details(year, [school_id])[school_id]
    fin_rows = {row["base_id"]: row for row in finance_rows(year, school_id=school_id)}
    bases = []
    base_rows = list(with_declared_area(LaborBase.objects.filter(school_id=school_id), year).order_by("name"))
    school_name = details.get("school_name", "")
    school = School(pk=school_id, name=school_name)
    names.as_locked([*base_rows, school], year)  # a locked year: names as at its lock
    school_name = school.name
    for base in base_rows:
        plots = [p for p in details["plots"] if p["base_id"] == base.pk]
        lines = [line for line in details["lines"] if line["base_id"] == base.pk]
        if not (plots or lines or base.pk in fin_rows or base.active):
            continue
        area = money(sum((p["area_mu"] for p in plots), ZERO))
        bases.append({
            "id": base.pk, "name": base.name, "location": base.location, "active": base.active,
            "established_year": base.established_year, "declared_total_mu": base.declared_total_mu,
            "area_mu": area,
            "area_matches": base.declared_total_mu is None or not plots or area == base.declared_total_mu,
            "plots": plots, "lines": lines, "finance": fin_rows.get(base.pk),
        })
    finance = _together(fin_rows.values())  # the school's bases together: no second read of its lines
    declared = [b["declared_total_mu"] for b in bases if b["plots"] and b["declared_total_mu"] is not None]
    return {
        "school_id": school_id, "school_name": school_name,
        "staff_count": details.get("staff_count"), "student_count": details.get("student_count"),
        "total_mu": money(sum((p["area_mu"] for p in details["plots"]), ZERO)),
        "declared_total_mu": money(sum(declared, ZERO)),
        "bases": bases, "plots": details["plots"], "lines": details["lines"],
        "finance": finance,
        "activities": details["activity_rows"],
        "participants": sum(a["participants"] for a in details["activity_rows"]),
        "practice_days": sum(a["days"] for a in details["activity_rows"]),
    }


def school_sheet_state(year: int, school_id: int) -> tuple:
    """What :func:`school_sheet` reads of one school, as one comparable value (1 query): its yearly
    aggregate's token of ``year`` (new at every save of its plots, lines, accounts, declared areas
    and activities, and when one of its bases moves or is renamed, :mod:`aggregates.signals`), its
    return's counts of staff and students, its bases as the sheet prints them (name, location,
    in use, year established) and its name. While it is unchanged, so is the sheet, whatever
    other schools save."""
    from aggregates.models import SchoolYearFigures

    quote = connection.ops.quote_name
    figures, returns = quote(SchoolYearFigures._meta.db_table), quote(Submission._meta.db_table)
    bases, schools = quote(LaborBase._meta.db_table), quote(School._meta.db_table)
    # The first branch names each column's type: PostgreSQL types a UNION's columns from it.
    sql = f"""
        SELECT 0, token, CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS VARCHAR(200)),
               CAST(NULL AS VARCHAR(200)), CAST(NULL AS BOOLEAN)
          FROM {figures} WHERE year_id = %s AND school_id = %s
        UNION ALL
        SELECT 1, id, staff_count, student_count, NULL, NULL, NULL FROM {returns} WHERE year_id = %s AND school_id = %s
        UNION ALL
        SELECT 2, id, established_year, NULL, name, location, active FROM {bases} WHERE school_id = %s
        UNION ALL
        SELECT 3, id, NULL, NULL, name, NULL, NULL FROM {schools} WHERE id = %s
    """  # noqa: S608 - table names from the models, values as parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [year, school_id, year, school_id, school_id, school_id])
        return tuple(sorted((tuple(row) for row in cursor.fetchall()), key=repr))


def kept_school_sheet(year: int, school_id: int) -> dict:
    """:func:`school_sheet`, kept in the shared cache while :func:`school_sheet_state` is unchanged
    (and the core's data: schools, years, locks): a principal who opens the base page again after
    other schools' saves gets the sheet without its 11 queries."""
    from django.utils.translation import get_language

    return freshness.kept_while(
        f"labor_bases:sheet:{int(year)}:{int(school_id)}:{get_language()}", school_sheet_state(year, school_id),
        lambda: school_sheet(year, school_id), reads=["labor_bases", freshness.RETURNS], what="labor_bases.school_sheet",
    )


def school_years(school_id: int, years: Iterable[int]) -> dict[int, dict]:
    """One school's figures of :func:`school_sheet` for several years side by side, in 5
    queries whatever the number of years: ``{year: dict(declared_total_mu, total_mu,
    production_value, revenue, cost, profit, has_accounts, participants)}``.

    The same definitions as the sheet: ``total_mu`` is the sum of the plots,
    ``declared_total_mu`` the declared totals of the bases with plots that year, the money
    from :func:`_finance` / :func:`_combine` (cost and profit None without accounts) and
    ``participants`` the activities' 人次.
    """
    years = list(years)
    plots = LandParcel.objects.filter(year_id__in=years, base__school_id=school_id)
    area = dict(plots.values("year_id").annotate(a=_sum("area_mu")).order_by().values_list("year_id", "a"))
    with_plots = LandParcel.objects.filter(base_id=OuterRef("base_id"), year_id=OuterRef("year_id"))
    declared = dict(
        BaseYearArea.objects.filter(year_id__in=years, base__school_id=school_id)
        .filter(Exists(with_plots)).values("year_id").annotate(d=_sum("declared_total_mu")).order_by()
        .values_list("year_id", "d")
    )
    participants = dict(
        StudentPracticeActivity.objects.filter(year_id__in=years, school_id=school_id)
        .values("year_id").annotate(n=Coalesce(Sum("participants"), 0)).order_by().values_list("year_id", "n")
    )
    finance = _finance(years, ("year",), [school_id])
    out = {}
    for year in years:
        figures = finance.get((year,)) or _combine(ZERO, ZERO, None)
        out[year] = {
            "declared_total_mu": money(declared.get(year, ZERO)), "total_mu": money(area.get(year, ZERO)),
            **{key: figures[key] for key in ("production_value", "revenue", "cost", "profit", "has_accounts")},
            "participants": participants.get(year, 0),
        }
    return out


def has_year_setup(year: int, school_id: int) -> bool:
    """Whether the school's bases have plots, products or a declared area in ``year`` (1 query)."""
    return (
        LaborBase.objects.filter(school_id=school_id)
        .filter(Exists(LandParcel.objects.filter(base_id=OuterRef("pk"), year_id=year))
                | Exists(ProductionLine.objects.filter(base_id=OuterRef("pk"), year_id=year))
                | Exists(BaseYearArea.objects.filter(base_id=OuterRef("pk"), year_id=year)))
        .exists()
    )
