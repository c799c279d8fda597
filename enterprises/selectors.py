"""Read functions ``reports/`` calls for the school-run enterprises (see helpers/SELECTORS.md).

Every function takes plain ints, returns plain Python with ``Decimal`` money in 元
(2 places) and runs a fixed number of queries whatever the number of enterprises.

Note on 腾飞学校后勤服务中心: it is registered here as one of the 五家 enterprises,
but its yearly income and costs are entered in ``logistics`` (rule ENT-10 refuses
them here), so adding ``figures()`` and ``logistics.selectors`` never double-counts.
``counties`` (where a function takes it): a list of county ids, only their rows; None: every county.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from workstudy.scoping import county_path, in_counties

from .models import Enterprise, EnterpriseForm, EnterpriseKind, EnterpriseStatus, EnterpriseYearStat, EventKind, ReformEvent

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _money(value) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(CENT)


def _sum(field, **options):
    return Coalesce(Sum(field, output_field=_MONEY, **options), Value(ZERO, output_field=_MONEY), output_field=_MONEY)


def active_enterprises(year: int, counties: Iterable[int] | None = None) -> list[dict]:
    """Enterprises active in ``year`` (founded by then, not closed before it), by name.

    ``[dict(id, name, kind_label, sponsor, status_label, form_label, school_id, school_name)]``;
    ``len()`` of it is the summary's enterprise count ("五家"). ``counties``: only those counties'
    enterprises (None: every county). One query.
    """
    kinds, statuses, forms = ({value: str(label) for value, label in choices.choices}
                              for choices in (EnterpriseKind, EnterpriseStatus, EnterpriseForm))
    fields = ("pk", "name", "kind", "sponsor_label", "status", "form", "sponsor_school_id", "sponsor_school__name")
    return [
        {
            "id": pk, "name": name, "kind": kind, "kind_label": kinds.get(kind, kind),
            "sponsor": Enterprise.sponsor_text(school_name, label), "status": status,
            "status_label": statuses.get(status, status), "form": form, "form_label": forms.get(form, form),
            "school_id": school_id, "school_name": school_name or "",
        }
        for pk, name, kind, label, status, form, school_id, school_name in (
            in_counties(Enterprise.objects.active_in(year), counties).order_by("name").values_list(*fields)
        )
    ]


def figures(year: int, counties: Iterable[int] | None = None) -> dict:
    """County totals and per-enterprise rows of the yearly figures for ``year``. One query.

    ``dict(totals=dict(revenue, cost, profit, tax, remitted_to_education, employees, placements,
    unmatched_revenue),
    rows=[dict(enterprise_id, name, revenue, cost, profit, tax, remitted_to_education, employees,
    placements, school_id, school_name)])``; rows by revenue, largest first. A row without cost
    has cost and profit None and its revenue in ``unmatched_revenue`` (as :func:`figures_by_year`).
    """
    rows = []
    totals = {key: ZERO for key in ("revenue", "cost", "profit", "tax", "remitted_to_education")}
    totals.update(employees=0, placements=0, unmatched_revenue=ZERO)
    stats = (
        in_counties(EnterpriseYearStat.objects.filter(year_id=year), counties)
        .values(
            "enterprise_id", "enterprise__name", "enterprise__sponsor_school_id", "enterprise__sponsor_school__name",
            "revenue", "cost", "profit", "tax", "remitted_to_education", "employees", "work_study_placements",
        )
        .order_by("-revenue", "enterprise__name")
    )
    for stat in stats:
        row = {
            "enterprise_id": stat["enterprise_id"],
            "name": stat["enterprise__name"],
            "revenue": _money(stat["revenue"]),
            # No cost entered: cost unknown (None), so no profit; the revenue is unmatched.
            "cost": None if stat["cost"] is None else _money(stat["cost"]),
            "profit": None if stat["cost"] is None else _money(stat["profit"]),
            "tax": _money(stat["tax"]),
            "remitted_to_education": _money(stat["remitted_to_education"]),
            "employees": stat["employees"],
            "placements": stat["work_study_placements"],
            "school_id": stat["enterprise__sponsor_school_id"],
            "school_name": stat["enterprise__sponsor_school__name"] or "",
        }
        rows.append(row)
        for key in ("revenue", "cost", "profit", "tax", "remitted_to_education", "employees", "placements"):
            totals[key] += row[key] or 0
        if row["cost"] is None:
            totals["unmatched_revenue"] += row["revenue"]
    return {"totals": totals, "rows": rows}


def figures_by_year(years: Iterable[int], counties: Iterable[int] | None = None, *, by_county: bool = False) -> dict:
    """``{year: dict(revenue, cost, profit, remitted_to_education, unmatched_revenue)}`` for each
    year asked (zeros where nothing was entered; profit = Σ revenue of the rows with a cost − Σ
    cost, ``unmatched_revenue`` = Σ revenue of the rows without). One query.

    ``by_county``: the same per county, ``{county id: {year: ...}}``, for the counties with rows
    (still one query)."""
    years = list(years)
    keys = ("revenue", "cost", "profit", "remitted_to_education", "unmatched_revenue")
    county = f"{county_path(EnterpriseYearStat)}_id"
    group = ("year_id", county) if by_county else ("year_id",)
    results: dict = {}
    aggregated = (
        in_counties(EnterpriseYearStat.objects.filter(year_id__in=years), counties)
        .values(*group)
        .annotate(
            t_revenue=_sum("revenue"), t_cost=_sum("cost"), t_remitted=_sum("remitted_to_education"),
            # Profit only against known cost: a row without cost is revenue not matched by cost.
            t_unmatched=_sum("revenue", filter=Q(cost__isnull=True)),
        )
        .order_by(*group)
    )
    for row in aggregated:
        result = results.setdefault(row[county] if by_county else None,
                                    {year: dict.fromkeys(keys, ZERO) for year in years})
        revenue, cost, unmatched = row["t_revenue"], row["t_cost"], row["t_unmatched"]
        result[row["year_id"]] = {
            "revenue": _money(revenue), "cost": _money(cost), "profit": _money(revenue - unmatched - cost),
            "remitted_to_education": _money(row["t_remitted"]), "unmatched_revenue": _money(unmatched),
        }
    if by_county:
        return results
    return results.get(None) or {year: dict.fromkeys(keys, ZERO) for year in years}


def reform_events(kinds: Iterable[str] | None = None, counties: Iterable[int] | None = None) -> list[dict]:
    """Every enterprise event in date order (optionally only ``kinds``, e.g. ``["auction"]``). One query.

    ``[dict(enterprise, enterprise_id, date (datetime.date, the 1st of the month), year, month,
    kind, label, staff_affected, amount (Decimal or None), counterparty, note)]``. The 教育印刷厂
    改制 (the summary's year and month of the reform) is the ``reform``/``auction``/``buyout``/``tender``
    events of 2019-06 in the demo.
    """
    qs = in_counties(ReformEvent.objects.select_related("enterprise"), counties).order_by("date", "id")
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    labels = dict(EventKind.choices)
    return [
        {
            "enterprise": event.enterprise.name,
            "enterprise_id": event.enterprise_id,
            "date": event.date,
            "year": event.date.year,
            "month": event.date.month,
            "kind": event.kind,
            "label": str(labels[event.kind]),
            "staff_affected": event.staff_affected,
            "amount": _money(event.amount) if event.amount is not None else None,
            "counterparty": event.counterparty,
            "note": event.note,
        }
        for event in qs
    ]


def rows_url(kind: str, year: int | None = None, **filters) -> str:
    """URL of the page listing the rows behind a figure.

    ``kind``: ``"figures"`` (yearly figures of ``year``; filter ``enterprise=<id>``),
    ``"enterprises"`` (enterprises active in ``year``; filters ``status``, ``enterprise_kind``),
    ``"enterprise"`` (one enterprise's page; filter ``enterprise=<id>``),
    ``"events"`` (events dated in ``year``, or all if None; filters ``enterprise``, ``event_kind``).
    (``kind`` names the page, so the kind filters are spelt ``enterprise_kind`` / ``event_kind``.)
    """
    params: dict = {}
    if kind == "figures":
        base = reverse("enterprises:figures")
        if year is not None:
            params["year"] = year
    elif kind == "enterprises":
        base = reverse("enterprises:index")
        if year is not None:
            params["active_in"] = year
    elif kind == "enterprise":
        return reverse("enterprises:detail", kwargs={"pk": filters["enterprise"]})
    elif kind == "events":
        base = reverse("enterprises:events")
        if year is not None:
            params["in_year"] = year
    else:
        raise ValueError(f"unknown rows_url kind {kind!r}")
    for key, value in filters.items():
        if value is not None:
            params["kind" if key in ("enterprise_kind", "event_kind") else key] = value
    return f"{base}?{urlencode(params)}" if params else base


def finding_labels(year: int, counties: Iterable[int] | None = None) -> set[str]:
    """How this app's bureau-level warnings of ``year`` name their rows (the enterprise's name),
    for the enterprises of ``counties``: a county's summary lists those warnings. One query."""
    return set(in_counties(Enterprise.objects.all(), counties).values_list("name", flat=True))
