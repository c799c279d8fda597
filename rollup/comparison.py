"""A city's or a province's comparison of its counties for one year: one row per county, one
for the region, every metric defined once in :data:`METRICS`.

Where the figures come from (nothing here is a second formula of another app):

* the labor bases' money: the per-school yearly sums (:class:`aggregates.models.SchoolYearFigures`)
  summed per county and put through the summary's own formula
  (:func:`aggregates.selectors._combined`, i.e. :func:`labor_bases.selectors._combine`, then
  :func:`labor_bases.selectors._county_year`);
* the enterprises' and the service centres' money: ``enterprises.selectors.figures_by_year`` and
  ``logistics.selectors.figures_by_year``, the functions the annual summary adds up, grouped by
  county (``by_county=True``);
* counts (schools, students, plots, 学平险, policies, paid claims, returns, labor education):
  summed per county by the database, each table once, through :func:`_by_county`.

A region's total row is computed from the counties' summed parts, never by averaging their ratios.
Queries: a fixed number (14), however many counties the region has; each app's part is kept
until that app's data changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workstudy import freshness, scoping
from workstudy.models import Region, School, Submission, SubmissionStatus
from workstudy.money import ZERO, round_money

THOUSAND = Decimal(1000)
HUNDRED = Decimal(100)


def _ratio(part, whole, scale: Decimal, places: int = 2) -> Decimal | None:
    """``part / whole × scale`` to ``places`` decimals, half-up; None when ``whole`` is 0."""
    if not whole:
        return None
    value = Decimal(part or 0) * scale / Decimal(whole)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Metric:
    """One column of the comparison: ``value(parts)`` computes it from a row's summed parts (a
    county's or the region's); ``formula`` says how, in the reader's words. ``better`` is +1 when
    a larger value ranks higher, -1 when a smaller one does."""

    key: str
    label: str
    unit: str
    formula: str
    value: Callable[[dict], Decimal | int | None]
    better: int = 1
    places: int = 2


METRICS: tuple[Metric, ...] = (
    Metric("schools", gettext_lazy("学校数"), gettext_lazy("所"),
           gettext_lazy("本年度参加统计的学校（有本年度填报，或年度未锁定时在用）"),
           lambda p: p["schools"], places=0),
    Metric("students", gettext_lazy("在校学生数"), gettext_lazy("人"),
           gettext_lazy("各校本年度填报的在校学生数之和"),
           lambda p: p["students"], places=0),
    Metric("base_area", gettext_lazy("每千名学生劳动基地面积"), gettext_lazy("亩"),
           gettext_lazy("劳动基地地块面积合计 ÷ 在校学生数 × 1000"),
           lambda p: _ratio(p["plot_area"], p["students"], THOUSAND)),
    Metric("income_per_school", gettext_lazy("校均勤工俭学收入"), gettext_lazy("元"),
           gettext_lazy("（劳动基地利润 + 校办企业利润 + 服务中心及中考食宿净收益）÷ 学校数"),
           lambda p: _ratio(p["income"], p["schools"], Decimal(1))),
    Metric("subsidy", gettext_lazy("补贴教育经费"), gettext_lazy("元"),
           gettext_lazy("校办企业、服务中心上缴教育经费与基地交学校收益之和"),
           lambda p: round_money(p["subsidy"])),
    Metric("student_insurance", gettext_lazy("学平险覆盖率"), "%",
           gettext_lazy("学平险投保人数（家长自愿投保 + 保险公司免费投保 + 学校垫付）÷ 在校学生数 × 100"),
           lambda p: _ratio(p["insured_students"], p["students"], HUNDRED)),
    Metric("liability_insurance", gettext_lazy("校方责任险覆盖率"), "%",
           gettext_lazy("有本年度校方责任险保单的学校数（县级统保覆盖全县学校）÷ 学校数 × 100"),
           lambda p: _ratio(p["liability_schools"], p["schools"], HUNDRED)),
    Metric("claims_rate", gettext_lazy("每千名学生理赔件数"), gettext_lazy("件"),
           gettext_lazy("本年度已赔付的理赔件数 ÷ 在校学生数 × 1000（越少越好）"),
           lambda p: _ratio(p["claims"], p["students"], THOUSAND), better=-1),
    Metric("base_share", gettext_lazy("有劳动基地的学校占比"), "%",
           gettext_lazy("本年度登记了基地地块的学校数 ÷ 学校数 × 100"),
           lambda p: _ratio(p["schools_with_base"], p["schools"], HUNDRED)),
    Metric("completeness", gettext_lazy("填报完成率"), "%",
           gettext_lazy("本年度填报已审核的学校数 ÷ 学校数 × 100"),
           lambda p: _ratio(p["approved"], p["schools"], HUNDRED)),
    Metric("labor_education", gettext_lazy("劳动教育填报率"), "%",
           gettext_lazy("填报了本年度劳动教育情况的学校数 ÷ 学校数 × 100"),
           lambda p: _ratio(p["labor_education"], p["schools"], HUNDRED)),
)
BY_KEY = {m.key: m for m in METRICS}

# The parts each row sums (every metric is computed from these).
PARTS = ("schools", "students", "plot_area", "schools_with_base", "income", "subsidy", "insured_students",
         "liability_schools", "claims", "approved", "labor_education")


@dataclass
class Row:
    region: Region
    parts: dict
    values: dict = field(default_factory=dict)
    is_total: bool = False

    def __post_init__(self):
        self.values = {m.key: m.value(self.parts) for m in METRICS}

    def cells(self) -> list[tuple[Metric, Decimal | int | None]]:
        return [(m, self.values[m.key]) for m in METRICS]


@dataclass
class Comparison:
    region: Region
    year: int
    rows: list[Row]
    total: Row
    metrics: tuple[Metric, ...] = METRICS

    def row_for(self, county) -> Row | None:
        pk = getattr(county, "pk", county)
        return next((r for r in self.rows if r.region.pk == pk), None)


def _by_county(qs: QuerySet, **aggregates) -> dict[int, dict]:
    """``qs`` summed per county in one query: ``{county id: {name: value}}``. A row reaches its
    county by the path :mod:`workstudy.scoping` registers for its model (a per-school sum, not
    registered there, through its ``school``)."""
    model = qs.model
    if model is School or model in scoping.registered_models():
        path = scoping.county_path(model)
    else:
        path = "school__county"
    key = f"{path}_id"
    return {row.pop(key): row for row in qs.values(key).annotate(**aggregates).order_by()}


def _empty_parts() -> dict:
    return {name: (ZERO if name in ("plot_area", "income", "subsidy") else 0) for name in PARTS}


def _by_county_of(qs: QuerySet, **aggregates) -> dict[int, dict]:
    """:func:`_by_county` with every value None made 0."""
    return {county: {name: value or 0 for name, value in row.items()}
            for county, row in _by_county(qs, **aggregates).items()}


# Each piece sums one app's tables (and the core's) per county: ``(year, ids) -> {county: {part: value}}``.
# They are kept apart (:func:`_county_parts`), so a saved production line sums the bases again,
# not every app's rows.

def _core_counts(year: int, ids: list[int]) -> dict[int, dict]:
    """Schools, students, returns approved."""
    from workstudy.participation import schools_of_year

    found: dict[int, dict] = {}
    for county, row in _by_county_of(scoping.in_counties(schools_of_year(year), ids), schools=Count("pk")).items():
        found.setdefault(county, {}).update(row)
    # Every school with a return of the year takes part in it (workstudy.participation): the
    # year's returns are the participating schools' returns, with no subquery of the schools.
    for county, row in _by_county_of(scoping.in_counties(Submission.objects.filter(year_id=year), ids),
                                     students=Sum("student_count"),
                                     approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED))).items():
        found.setdefault(county, {}).update(row)
    return found


def _base_parts(year: int, ids: list[int]) -> dict[int, dict]:
    """Plots, schools with a base, and the bases' income and subsidy by the summary's formula."""
    from aggregates.models import SchoolYearFigures
    from aggregates.selectors import _PARTS, _combined
    from labor_bases.selectors import _county_year

    rows = scoping.in_counties(SchoolYearFigures.objects.filter(year_id=year), ids)
    found = {county: {"plot_area": row["area"] or ZERO, "schools_with_base": row["with_base"] or 0}
             for county, row in _by_county(rows, area=Sum("plot_area"),
                                           with_base=Count("pk", filter=Q(plots__gt=0))).items()}
    sums = {name: Sum(name) for name in _PARTS}
    for county, row in _by_county(rows, **sums, accounts=Sum("accounts")).items():
        if row["accounts"] or row["production_value"]:
            figures = _county_year(_combined(row))
            found.setdefault(county, {}).update(income=figures["profit"], subsidy=figures["remitted_to_school"])
    return found


def _insurance_counts(year: int, ids: list[int]) -> dict[int, dict]:
    """学平险 insured students, liability policies (county-wide, schools with their own), paid claims."""
    from insurance.models import InsurancePolicy, PolicyType, StudentAccidentCoverage
    from insurance.selectors import _paid_claims

    found: dict[int, dict] = {}
    # StudentAccidentCoverage.insured_total, summed field by field.
    for county, row in _by_county_of(scoping.in_counties(StudentAccidentCoverage.objects.filter(year_id=year), ids),
                                     a=Sum("insured_parent_paid"), b=Sum("poor_free_by_insurer"),
                                     c=Sum("poor_advanced_by_school")).items():
        found.setdefault(county, {})["insured_students"] = row["a"] + row["b"] + row["c"]
    for county, row in _by_county_of(
        scoping.in_counties(InsurancePolicy.objects.filter(year_id=year, policy_type=PolicyType.LIABILITY), ids),
        liability_wide=Count("pk", filter=Q(school__isnull=True)),
        liability_own=Count("school_id", distinct=True, filter=Q(school__isnull=False)),
    ).items():
        found.setdefault(county, {}).update(row)
    for county, row in _by_county_of(_paid_claims(ids).filter(paid_date__year=year), claims=Count("pk")).items():
        found.setdefault(county, {}).update(row)
    return found


def _labor_education_counts(year: int, ids: list[int]) -> dict[int, dict]:
    from labor_education.models import LaborEducation

    return _by_county_of(scoping.in_counties(LaborEducation.objects.filter(year_id=year), ids),
                         labor_education=Count("school_id", distinct=True))


def _money_of(app: str, year: int, ids: list[int]) -> dict[int, dict]:
    """Income (profit) and subsidy per county of the enterprises or the service centres, by the
    annual summary's formulas (their ``figures_by_year``)."""
    from reports import sources

    by_county = sources.call(app, "figures_by_year", [year], counties=ids, by_county=True)
    if by_county is sources.MISSING:
        return {}
    return {county: {"income": by_year[year]["profit"], "subsidy": by_year[year]["remitted_to_education"]}
            for county, by_year in by_county.items()}


def _enterprise_money(year: int, ids: list[int]) -> dict[int, dict]:
    return _money_of("enterprises", year, ids)


def _centre_money(year: int, ids: list[int]) -> dict[int, dict]:
    return _money_of("logistics", year, ids)


# (the stamp of the data a piece sums, besides the core's: an app's, or the returns'), the piece.
_PIECES = (
    (freshness.RETURNS, _core_counts),
    ("labor_bases", _base_parts),
    ("insurance", _insurance_counts),
    ("labor_education", _labor_education_counts),
    ("enterprises", _enterprise_money),
    ("logistics", _centre_money),
)


def counties_of(region: Region) -> list[Region]:
    """The counties of ``region`` (itself for a county), in the tree's order."""
    if region.is_county:
        return [region]
    return list(region.subtree().filter(level=Region.Level.COUNTY).order_by("path"))


def _county_parts(year: int, ids: list[int]) -> dict[int, dict]:
    """Every county's parts: each app's piece kept until that app's data (or the core's)
    changes (one query to know for all of them; a province's 100 counties take a tenth of a
    second or more to sum)."""
    parts = {pk: _empty_parts() for pk in ids}
    if not ids:
        return parts
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]
    now = None if freshness.in_transaction() else freshness.stamps()
    liability: dict[int, dict] = {}
    for app, piece in _PIECES:
        found = freshness.cached(f"rollup:{piece.__name__}:{year}:{digest}", lambda piece=piece: piece(year, ids),
                                 apps=[app], now=now)
        for county, values in found.items():
            if county not in parts:
                continue
            for name, value in values.items():
                if name in PARTS:
                    parts[county][name] += value
                else:
                    liability.setdefault(county, {})[name] = value
    for county, row in liability.items():
        # A county-wide policy covers every school of the county.
        schools = parts[county]["schools"]
        parts[county]["liability_schools"] = schools if row.get("liability_wide") else min(row.get("liability_own", 0), schools)
    return parts


def compare(region: Region, year) -> Comparison:
    """Every county of ``region``'s subtree compared in ``year`` (a ReportingYear or its number),
    with ``region``'s total row. Read-only; the caller decides who may see ``region``
    (:func:`rollup.views.region_for`)."""
    year = getattr(year, "pk", year)
    counties = counties_of(region)
    ids = [c.pk for c in counties]
    parts = _county_parts(year, ids)
    rows = [Row(county, parts[county.pk]) for county in counties]
    total_parts = _empty_parts()
    for row in rows:
        for name in PARTS:
            total_parts[name] += row.parts[name]
    return Comparison(region=region, year=year, rows=rows, total=Row(region, total_parts, is_total=True))


# -- ranks ---------------------------------------------------------------------------------


def positions(comparison: Comparison, metric_key: str) -> dict[int, int | None]:
    """``{county id: position}`` for one metric: 1 is best; ties share the better position and
    the next position skips (1, 2, 2, 4); a county without a value (no students, no schools) is
    not ranked (None)."""
    metric = BY_KEY[metric_key]
    values = {r.region.pk: r.values[metric_key] for r in comparison.rows}
    ranked = [v for v in values.values() if v is not None]
    return {
        pk: None if v is None else 1 + sum(1 for other in ranked if (other - v) * metric.better > 0)
        for pk, v in values.items()
    }


def _city_comparison(county: Region, year) -> Comparison:
    return compare(county.parent if county.parent_id else county, year)


def rank(county: Region, year, metric_key: str, *, comparison: Comparison | None = None) -> tuple[int | None, int]:
    """``(position, count)`` of ``county`` among the counties of its city for ``metric_key`` in
    ``year`` (see :func:`positions` for ties; position None when the county has no value).
    ``count`` is the number of the city's counties."""
    comparison = comparison or _city_comparison(county, year)
    return positions(comparison, metric_key).get(county.pk), len(comparison.rows)


# The metrics the county summary's sentence names, in this order.
SENTENCE_METRICS = ("income_per_school", "base_area")


def rank_sentence(county: Region, year) -> str:
    """The county's place among its city's counties, in one Chinese sentence, e.g.
    "在鹰潭市3个县（市、区）中，校均勤工俭学收入居第2位，每千名学生劳动基地面积居第3位。"
    ('' when none of :data:`SENTENCE_METRICS` can be ranked, or the county had no neighbour with
    schools that year)."""
    comparison = _city_comparison(county, year)
    # Among the counties with schools in the year: a county whose schools joined later is not
    # one of the counties the county stood among that year.
    taking_part = {row.region.pk for row in comparison.rows if row.parts["schools"]}
    if county.pk not in taking_part or len(taking_part) < 2:
        return ""
    clauses = []
    for key in SENTENCE_METRICS:
        ranks = positions(comparison, key)
        position = ranks.get(county.pk)
        if position is None:
            continue
        tied = sum(1 for p in ranks.values() if p == position) > 1
        clause = _("%(metric)s并列第%(n)s位") if tied else _("%(metric)s居第%(n)s位")
        clauses.append(clause % {"metric": BY_KEY[key].label, "n": position})
    if not clauses:
        return ""
    return _("在%(city)s%(count)s个县（市、区）中，%(ranks)s。") % {
        "city": comparison.region.name, "count": len(taking_part), "ranks": "，".join(clauses)}
