"""Read functions ``reports/`` calls for 后勤社会化 (see helpers' SELECTORS contract).

Every function takes plain ints, returns plain Python with ``Decimal`` money in 元 (2
places) and runs a fixed number of queries whatever the number of rows. Labels are
Chinese display strings. Extra keys beyond the contract (codes, urls, per-site counts)
are there so the HTML can link a figure to the rows behind it.
``counties`` (where a function takes it): a list of county ids, only their rows; None: every county.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Min, Sum
from django.urls import reverse

from workstudy.models import School
from workstudy.money import ZERO  # noqa: E402
from workstudy.money import round_money as _d  # noqa: E402  (the one rounding helper)
from workstudy.scoping import county_path, in_counties

from .models import (
    CapitalInvestment,
    Category,
    CentreYearFigures,
    CustomerKind,
    ExamLodgingProgram,
    ExamSite,
    SalesLine,
    SchoolService,
    ServiceCentre,
    ServiceKind,
    ServiceMode,
    Shop,
)

# ---------------------------------------------------------------------------- urls

_LIST_PAGES = {
    "sales": "logistics:sales",
    "school_services": "logistics:services",
    "exam_sites": "logistics:sites",
    "centre": "logistics:centre",
    "investments": "logistics:centre",
    "exam": "logistics:exam",
}


def rows_url(kind: str, year: int, /, **filters) -> str:
    """URL of this app's list page filtered to the rows behind a figure.

    kinds: ``sales`` (filters ``category``, ``customer_kind``, ``shop``, ``centre``),
    ``school_services`` (``school``, ``kind``, ``mode``), ``exam_sites`` (``school``),
    ``centre``, ``investments`` and ``exam`` (the year's pages). ``kind`` and ``year``
    are positional-only, so ``kind=`` can be a filter (``rows_url("school_services", 2024, kind="canteen")``).
    """
    try:
        url_name = _LIST_PAGES[kind]
    except KeyError:
        raise ValueError(f"unknown logistics rows kind: {kind!r}") from None
    params = {"year": int(year)} if year not in (None, False) else {}
    params.update({key: value for key, value in filters.items() if value not in (None, "")})
    url = reverse(url_name) + ("?" + urlencode(params) if params else "")
    if kind == "investments":
        url += "#investments"
    return url


# -------------------------------------------------------------------------- centre


def _centre(counties=None) -> ServiceCentre | None:
    return in_counties(ServiceCentre.objects.all(), counties).order_by("pk").first()


def centre(year: int, counties=None) -> dict | None:
    """The logistics service centre in ``year`` (founding year, investments). None if no centre.

    ``investments`` lists every investment up to and including ``year`` (the centre's
    warehouse built years before still belongs in the year's account). Revenue is Σ
    sales lines of the year; profit = revenue − cost. 5 queries.
    """
    c = _centre(counties)
    if c is None:
        return None
    shops = [
        {"id": s.pk, "name": s.name, "address": s.address, "categories": s.category_labels, "opened_year": s.opened_year}
        for s in Shop.objects.filter(centre=c, active=True).order_by("name")
        if s.opened_year is None or s.opened_year <= year
    ]
    figures = CentreYearFigures.objects.filter(centre=c, year_id=year).first()
    sales = SalesLine.objects.filter(centre=c, year_id=year).values("category", "customer_kind").annotate(
        total=Sum("amount")
    ).order_by()
    by_category = {code: ZERO for code in Category.values}
    by_customer = {code: ZERO for code in CustomerKind.values}
    for row in sales:
        by_category[row["category"]] += row["total"]
        by_customer[row["customer_kind"]] += row["total"]
    sales_total = _d(sum(by_category.values(), ZERO))
    cost = _d(figures.cost) if figures else ZERO
    investments = [
        {"year": inv.year, "kind": inv.kind, "label": inv.get_kind_display(), "amount": _d(inv.amount), "note": inv.note}
        for inv in CapitalInvestment.objects.filter(centre=c, year__lte=year).order_by("year", "pk")
    ]
    return {
        "id": c.pk,
        "name": c.name,
        "founded_year": c.founded_year,
        "shops": shops,
        "vehicles": figures.vehicles if figures else 0,
        "sales_total": sales_total,
        "sales_by_category": [
            {"category": code, "label": str(label), "amount": _d(by_category[code])}
            for code, label in Category.choices
        ],
        "sales_by_customer": [
            {"customer_kind": code, "label": str(label), "amount": _d(by_customer[code])}
            for code, label in CustomerKind.choices
        ],
        "deliveries": figures.deliveries if figures else 0,
        "revenue": sales_total,
        # Without the year's figures the cost is unknown: no profit (figures_by_year's rule).
        "cost": cost if figures else None,
        "profit": _d(sales_total - cost) if figures else None,
        "remitted_to_education": _d(figures.remitted_to_education) if figures else ZERO,
        "investments": investments,
        "has_figures": figures is not None,
    }


def figures_by_year(years, counties=None, *, by_county: bool = False) -> dict:
    """Per year: revenue, cost, profit, remitted_to_education of the centre(s) plus exam lodging.

    revenue = Σ sales + exam lodging revenue; cost = centre cost + exam lodging cost;
    remitted = the centres' remittance to education. Profit only against known cost: a
    centre's sales in a year without its yearly figures (cost) are ``unmatched_revenue``,
    counted in revenue, not in profit. 3 queries.

    ``by_county``: the same per county, ``{county id: {year: ...}}``, for the counties with rows
    (still 3 queries).
    """
    years = [int(y) for y in years]
    results: dict = {}

    def of(row, model):
        key = row[f"{county_path(model)}_id"] if by_county else None
        if key not in results:
            results[key] = {y: {"revenue": ZERO, "cost": ZERO, "profit": ZERO, "remitted_to_education": ZERO,
                                "unmatched_revenue": ZERO} for y in years}
        return results[key][row["year_id"]]

    def grouped(model, *fields):
        extra = (f"{county_path(model)}_id",) if by_county else ()
        return in_counties(model.objects.filter(year_id__in=years), counties).values("year_id", *fields, *extra)

    with_figures = set()
    for row in grouped(CentreYearFigures, "centre_id").annotate(
        cost=Sum("cost"), remitted=Sum("remitted_to_education")
    ).order_by():
        with_figures.add((row["year_id"], row["centre_id"]))
        of(row, CentreYearFigures)["cost"] += row["cost"]
        of(row, CentreYearFigures)["remitted_to_education"] += row["remitted"]
    for row in grouped(SalesLine, "centre_id").annotate(total=Sum("amount")).order_by():
        figures = of(row, SalesLine)
        figures["revenue"] += row["total"]
        if (row["year_id"], row["centre_id"]) not in with_figures:
            figures["unmatched_revenue"] += row["total"]
    for row in grouped(ExamLodgingProgram, "revenue", "cost"):
        figures = of(row, ExamLodgingProgram)
        figures["revenue"] += row["revenue"]
        figures["cost"] += row["cost"] or ZERO
    for result in results.values():
        for figures in result.values():
            for key in ("revenue", "cost", "remitted_to_education", "unmatched_revenue"):
                figures[key] = _d(figures[key])
            figures["profit"] = _d(figures["revenue"] - figures["unmatched_revenue"] - figures["cost"])
    if by_county:
        return results
    return results.get(None) or {y: {"revenue": ZERO, "cost": ZERO, "profit": ZERO, "remitted_to_education": ZERO,
                                     "unmatched_revenue": ZERO} for y in years}


# ---------------------------------------------------------------------- exam lodging


def exam_lodging(year: int, counties=None) -> dict | None:
    """The year's 中考考生食宿保障 of ``counties``; None if there was no programme. 2 queries
    (3 when an operator has no 统一管理起始年份).

    Every county records its own programme. One county (or a deployment where only one
    county has a programme that year): that programme. Several: their sum - candidates, beds,
    meals, incidents, revenue and cost added up, the sites of all of them, the operators
    named together, ``first_year`` the earliest, the fee and the family costs per candidate
    averaged over the candidates (family costs only when every programme has them), closed
    management only when all were closed - and ``programs``, each county's own, in county order.

    ``first_year`` is the centre's 统一管理起始年份, or else the earliest programme on file.
    """
    programs = in_counties(ExamLodgingProgram.objects.all(), counties)
    of_year = list(programs.filter(year_id=year).select_related("operator", "county").order_by("county__path", "pk"))
    if not of_year:
        return None
    earliest = None
    if any(p.operator.exam_lodging_from_year is None for p in of_year):
        earliest = dict(
            programs.filter(county_id__in=[p.county_id for p in of_year]).values("county_id")
            .annotate(first=Min("year_id")).values_list("county_id", "first").order_by()
        )
    sites: dict[int, list] = {p.pk: [] for p in of_year}
    for site in (ExamSite.objects.filter(program__in=of_year).select_related("host_school")
                 .order_by("host_school__code")):
        sites[site.program_id].append({
            "school_id": site.host_school_id,
            "school_name": site.host_school.name,
            "urban": site.host_school.area_class == "urban",
            "candidates": site.candidates,
            "beds": site.beds,
        })
    own = [_program(p, sites[p.pk], p.operator.exam_lodging_from_year or earliest.get(p.county_id)) for p in of_year]
    if len(own) == 1:
        return {**own[0], "programs": own}
    return _sum_of_programs(own)


def _program(program: ExamLodgingProgram, sites: list[dict], first_year: int | None) -> dict:
    return {
        "id": program.pk,
        "county_id": program.county_id,
        "county": program.county.name,
        "first_year": first_year,
        "operator": program.operator.name,
        "sites": sites,
        "candidates": program.candidates_lodged,
        "beds": program.beds,
        "meals": program.meals,
        "fee_per_candidate": _d(program.fee_per_candidate),
        "revenue": _d(program.revenue),
        "cost": _d(program.cost),
        "profit": _d(program.revenue - program.cost),
        "incidents": program.incidents,
        "closed_management": program.closed_management,
        "family_cost_before": None if program.family_cost_before is None else _d(program.family_cost_before),
        "family_cost_after": None if program.family_cost_after is None else _d(program.family_cost_after),
    }


def _per_candidate(programs: list[dict], key: str):
    """The mean of ``key`` (元 per candidate) over every candidate of ``programs``; None when a
    programme lacks it or nobody was lodged."""
    if any(p[key] is None for p in programs):
        return None
    candidates = sum(p["candidates"] for p in programs)
    if not candidates:
        return None
    return _d(sum((p[key] * p["candidates"] for p in programs), ZERO) / candidates)


def _sum_of_programs(programs: list[dict]) -> dict:
    total = {key: sum(p[key] for p in programs) for key in ("candidates", "beds", "meals", "incidents")}
    money = {key: _d(sum((p[key] for p in programs), ZERO)) for key in ("revenue", "cost", "profit")}
    first_years = [p["first_year"] for p in programs if p["first_year"] is not None]
    return {
        "id": None,
        "county_id": None,
        "county": "、".join(p["county"] for p in programs),
        "first_year": min(first_years) if first_years else None,
        "operator": "、".join(p["operator"] for p in programs),
        "sites": [site for p in programs for site in p["sites"]],
        **total,
        **money,
        "fee_per_candidate": _per_candidate(programs, "fee_per_candidate"),
        "closed_management": all(p["closed_management"] for p in programs),
        "family_cost_before": _per_candidate(programs, "family_cost_before"),
        "family_cost_after": _per_candidate(programs, "family_cost_after"),
        "programs": programs,
    }


# ------------------------------------------------------------------ school services


def school_services(year: int, counties=None) -> list[dict]:
    """Counts of school services by kind and mode in ``year`` (non-zero combinations, fixed order). 1 query.

    ``count`` = number of rows (e.g. canteens); ``school_count`` = distinct schools.
    """
    rows = {
        (r["kind"], r["mode"]): r
        for r in in_counties(SchoolService.objects.filter(year_id=year), counties).values("kind", "mode").annotate(
            count=Count("pk"), school_count=Count("school", distinct=True)
        ).order_by()
    }
    kinds, modes = dict(ServiceKind.choices), dict(ServiceMode.choices)
    result = []
    for kind in ServiceKind.values:
        for mode in ServiceMode.values:
            row = rows.get((kind, mode))
            if row:
                result.append({
                    "kind": kind, "label": str(kinds[kind]), "mode": mode, "mode_label": str(modes[mode]),
                    "count": row["count"], "school_count": row["school_count"],
                })
    return result


def school_sheet(year: int, school_id: int) -> dict:
    """One school's logistics rows for the year: its services and any exam site it hosted. 3 queries."""
    school = School.objects.filter(pk=school_id).values("pk", "name").first()
    services = [
        {
            "id": s.pk, "kind": s.kind, "label": s.get_kind_display(), "name": s.name, "mode": s.mode,
            "mode_label": s.get_mode_display(), "operator": s.operator, "note": s.note,
        }
        for s in SchoolService.objects.filter(year_id=year, school_id=school_id).order_by("kind", "name", "pk")
    ]
    sites = [
        {"id": s.pk, "year": s.program.year_id, "candidates": s.candidates, "beds": s.beds}
        for s in ExamSite.objects.filter(program__year_id=year, host_school_id=school_id).select_related("program")
    ]
    return {
        "school_id": school_id,
        "school_name": school["name"] if school else "",
        "services": services,
        "exam_sites": sites,
    }


__all__ = ["rows_url", "centre", "figures_by_year", "exam_lodging", "school_services", "school_sheet"]


def finding_labels(year: int, counties=None) -> set[str]:
    """How this app's bureau-level warnings of ``year`` name their rows (the centre's yearly
    figures, the exam lodging programme), for the rows of ``counties``: a county's summary lists
    those warnings. 2 queries."""
    figures = in_counties(CentreYearFigures.objects.filter(year_id=year), counties).select_related("centre")
    programs = in_counties(ExamLodgingProgram.objects.filter(year_id=year), counties).select_related("county")
    return {str(row) for row in [*figures, *programs]}
