"""Validation rules of the labor-practice bases (LB-xx).

Errors are enforced in the models' ``clean()`` (forms, API and Excel import alike);
warnings are found per year by the ``year_check`` functions below, each in a fixed
number of queries, and shown on the review screen and in the summary's appendix.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal
from statistics import median

from django.utils.translation import gettext_lazy as _

from workstudy.rules import (
    ERROR,
    SWING_LIMIT,
    WARNING,
    finding_url,
    rule,
    school_changes,
    school_reads,
    year_check,
)

M = "labor_bases"

AREA_POSITIVE = rule(
    "LB-01", ERROR, _("面积必须大于 0"), _("面积必须大于 0 亩（现在填的是 %(value)s 亩）。"), module=M,
)
AREA_SUM = rule(
    "LB-03", WARNING, _("各地块面积之和应等于基地申报总面积"),
    _("“%(base)s”%(year)s 年各地块面积合计 %(total)s 亩，与基地申报总面积 %(declared)s 亩不一致（相差 %(diff)s 亩），"
      "请核对地块面积或修改申报总面积。"),
    module=M,
)
PRICE_OUTLIER = rule(
    "LB-04", WARNING, _("单价明显偏离上年或全县水平"),
    _("“%(base)s”的%(product)s单价 %(price)s 元/%(unit)s，是%(ref_label)s（%(ref)s 元）的 %(ratio)s 倍，请核对是否填错。"),
    module=M,
)
BIG_CHANGE = rule(
    "LB-05", WARNING, _("面积或收入较上年变化超过 50%"),
    _("基地%(what)s由上年 %(last)s 变为 %(now)s，变化 %(pct)s%%，超过 50%%，请核对并在上报时说明原因。"),
    module=M,
)
PROFIT_NEEDS_COST = rule(
    "LB-06", ERROR, _("有收入须填写成本才能上报"),
    _("“%(base)s”%(year)s 年有收入 %(revenue)s 元，但还没有填写任何成本，利润无法核实。请在“年度收支”中填写成本后再上报。"),
    module=M,
)
OTHER_NEEDS_NOTE = rule(
    "LB-07", ERROR, _("“其他”类型须写明"), _("土地类型选了“其他”，请写明是什么类型，例如：蔬菜大棚。"), module=M,
)
PARCEL_SAME_BASE = rule(
    "LB-08", ERROR, _("产品所在地块须属于同一基地和年度"), _("所选地块不属于这个基地或不是同一年度，请重新选择或不填。"),
    module=M,
)
ACTIVITY_BASE_SCHOOL = rule(
    "LB-09", ERROR, _("实践活动的基地须属于本校"), _("所选基地不属于这所学校，请重新选择或不填。"), module=M,
)
ONE_FINANCE = rule(
    "LB-10", ERROR, _("每个基地每年只填一份收支"), _("这个基地 %(year)s 年的收支已经填过了，请在原记录上修改。"), module=M,
)
ESTABLISHED_YEAR = rule(
    "LB-11", ERROR, _("建立年份须合理"), _("建立年份 %(value)s 不合理，请填写 1900 到 %(this_year)s 之间的年份。"), module=M,
)
REMITTED_LE_REVENUE = rule(
    "LB-12", WARNING, _("上缴学校不超过总收入"),
    _("“%(base)s”%(year)s 年上缴学校 %(remitted)s 元，超过了当年总收入 %(revenue)s 元，请核对。"), module=M,
)

ONE_AREA = rule(
    "LB-13", ERROR, _("每个基地每年只填一个申报总面积"),
    _("这个基地 %(year)s 年的申报总面积已经填过了，请在原记录上修改。"), module=M,
)

PRICE_RATIO_LIMIT = Decimal("5")
CHANGE_LIMIT = SWING_LIMIT


def _fmt(value) -> str:
    return f"{Decimal(value):,.2f}"


def _list_url(name: str, year: int, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": year, **params}.items() if v not in (None, ""))
    return finding_url(f"labor_bases:{name}", query=query)


@year_check(AREA_SUM)
def check_area_sum(year: int, school_id: int | None = None):
    """Bases whose plots this year do not add up to the declared total (1 query; the database
    sums and compares, so only the mismatches come back)."""
    from .selectors import area_mismatched_bases, only_schools

    bases = area_mismatched_bases(year).select_related("school")
    if school_id is not None:
        bases = bases.filter(school_id__in=only_schools(school_id))
    found = []
    for base in bases:
        total = base.total
        found.append(
            AREA_SUM.finding(
                school=base.school, obj=base, url=_list_url("plots", year, base=base.pk),
                base=base.name, year=year, total=_fmt(total), declared=_fmt(base.declared_total_mu),
                diff=_fmt(abs(total - base.declared_total_mu)),
            )
        )
    return found


# A line is looked at in Python only if the database finds its price beyond these bounds of
# its references' extremes (the smallest and largest last-year price, the median): a little
# wider than PRICE_RATIO_LIMIT, so no rounding in the database's arithmetic drops a line the
# exact test below would flag.
_WIDE_LIMIT = "4.999"


def _outlier_candidates(year: int, school_id: int | None) -> list[int]:
    """Ids of this year's lines whose price may be an outlier (1 query, the database compares
    every line with its base's last-year prices and the product's county median)."""
    from django.db import connection

    from aggregates.models import ProductPriceMedian

    from .models import LaborBase, ProductionLine
    from .selectors import only_schools

    quote = connection.ops.quote_name
    line, med, base = (quote(m._meta.db_table) for m in (ProductionLine, ProductPriceMedian, LaborBase))
    school = only_schools(school_id)
    if school is None:
        school, lines_of, previous_of = [], "", ""
    elif not school:
        return []
    else:
        marks = ", ".join(["%s"] * len(school))
        lines_of = f"JOIN {base} b ON b.id = l.base_id AND b.school_id IN ({marks})"
        previous_of = f"JOIN {base} pb ON pb.id = p.base_id AND pb.school_id IN ({marks})"
    sql = f"""
        SELECT l.id FROM {line} l {lines_of}
        LEFT JOIN (
            SELECT p.base_id, TRIM(p.product) AS product, TRIM(p.grade) AS grade, p.unit,
                   MIN(p.unit_price) AS lo, MAX(p.unit_price) AS hi
              FROM {line} p {previous_of}
             WHERE p.year_id = %s AND p.unit_price > 0
             GROUP BY p.base_id, TRIM(p.product), TRIM(p.grade), p.unit
        ) ly ON ly.base_id = l.base_id AND ly.product = TRIM(l.product) AND ly.grade = TRIM(l.grade)
                AND ly.unit = l.unit
        LEFT JOIN {med} m ON m.year_id = l.year_id AND m.product = TRIM(l.product) AND m.grade = TRIM(l.grade)
                AND m.unit = l.unit
        WHERE l.year_id = %s AND l.unit_price > 0 AND (
            (ly.lo IS NOT NULL AND (l.unit_price > {_WIDE_LIMIT} * ly.lo OR l.unit_price * {_WIDE_LIMIT} < ly.hi))
            OR (ly.lo IS NULL AND m.lines >= 3
                AND (l.unit_price > {_WIDE_LIMIT} * m.median OR l.unit_price * {_WIDE_LIMIT} < m.median))
        )
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*school, *school, year - 1, year])
        return [row[0] for row in cursor.fetchall()]


@year_check(PRICE_OUTLIER)
def check_price_outliers(year: int, school_id: int | None = None):
    """Unit prices > 5x (or < 1/5 of) the same base's last-year price, else the county median.

    The county median of each product (name, grade, unit) over this year's lines with a price
    is kept up to date as lines are saved (:class:`aggregates.models.ProductPriceMedian`). The
    database picks the lines whose price lies beyond 5x its references' extremes
    (:func:`_outlier_candidates`), for the whole county or one school alike; only those few
    are tested exactly here, on their base's last-year prices (median) or the county median.
    Then the names of the bases whose lines are flagged (5 queries). Every entry point stores
    product names stripped."""
    from aggregates.selectors import price_medians

    from .models import LaborBase, ProductionLine, Unit
    from .selectors import only_schools

    candidates = _outlier_candidates(year, school_id)
    if not candidates:
        return []
    fields = ("pk", "base_id", "product", "grade", "unit", "unit_price")
    this_year = [(pk, base_id, (product.strip(), grade.strip(), unit), product, grade, unit, price)
                 for pk, base_id, product, grade, unit, price
                 in ProductionLine.objects.filter(pk__in=candidates).values_list(*fields)]
    last_year: dict[tuple, list[Decimal]] = defaultdict(list)
    previous_lines = ProductionLine.objects.filter(year_id=year - 1, unit_price__gt=0,
                                                   base_id__in={line[1] for line in this_year})
    for base_id, product, grade, unit, price in previous_lines.values_list(*fields[1:]):
        last_year[(base_id, product.strip(), grade.strip(), unit)].append(price)
    county = price_medians(year, {line[2] for line in this_year})
    flagged = []
    last_year_label, county_label = _("上年同一产品单价"), _("全县同类产品单价中位数")  # not one per line
    for pk, base_id, key, product, grade, unit, price in this_year:
        previous = last_year.get((base_id, *key))
        if previous:
            ref, ref_label = Decimal(median(previous)), last_year_label
        else:
            peers, ref = county.get(key, (0, None))
            if peers < 3:
                continue
            ref_label = county_label
        ratio = price / ref
        if ratio > PRICE_RATIO_LIMIT or ratio < 1 / PRICE_RATIO_LIMIT:
            flagged.append((pk, base_id, product, grade, unit, price, ref, ref_label, ratio))
    if not flagged:
        return []
    bases = LaborBase.objects.filter(pk__in={f[1] for f in flagged}).select_related("school")
    if school_id is not None:
        bases = bases.filter(school_id__in=only_schools(school_id))
    bases = {base.pk: base for base in bases}
    units = dict(Unit.choices)
    found = []
    for pk, base_id, product, grade, unit, price, ref, ref_label, ratio in flagged:
        base = bases.get(base_id)
        if base is None:  # another school's line (school_id given)
            continue
        label = product + (f"（{grade}）" if grade else "")
        found.append(
            PRICE_OUTLIER.finding(
                school=base.school, obj=f"{base.name} · {label}",
                url=finding_url("labor_bases:line_edit", args=[pk]),
                base=base.name, product=label, price=_fmt(price), unit=units.get(unit, unit),
                ref_label=ref_label, ref=_fmt(ref), ratio=f"{ratio:.1f}",
            )
        )
    return found


def _pct(now: Decimal, last: Decimal) -> Decimal | None:
    if not last:
        return None
    return (now - last) / last


def _changes(year: int, school_id: int | None):
    """(school_id, what, unit, list kind, last, now, change) for moves over 50% (1 query: the
    database returns the schools that moved by roughly that much, the test here is exact)."""
    from . import selectors

    loose = CHANGE_LIMIT - Decimal("0.01")  # the database's rounding never hides a move
    moved = selectors.year_over_year(year, school_id, moved_more_than=loose)
    out = []
    for measure, what, unit, kind in (("area", _("总面积"), _("亩"), "plots"), ("revenue", _("总收入"), _("元"), "finance")):
        what, unit = str(what), str(unit)  # translated once, not once per school
        for sid, last, now in moved[measure]:
            change = _pct(now, last)
            if change is not None and abs(change) > CHANGE_LIMIT:
                out.append((sid, what, unit, kind, last, now, change))
    out.sort(key=lambda c: c[0])  # by school, area before revenue (as listed)
    return out


@year_check(BIG_CHANGE)
def check_big_change(year: int, school_id: int | None = None):
    """Schools whose total plot area or base revenue moved more than 50% from last year (3 queries)."""
    from workstudy.models import School

    changes = _changes(year, school_id)
    names = dict(School.objects.filter(pk__in={c[0] for c in changes}).values_list("pk", "name")) if changes else {}
    return [replace(finding, school_name=names.get(finding.school_id, ""))
            for finding in _big_change_findings(year, changes)]


def _big_change_findings(year: int, changes: list) -> list:
    """One LB-05 warning per change of :func:`_changes`, in its order."""
    return [
        BIG_CHANGE.finding(
            school=sid, url=_list_url(kind, year, school=sid),
            what=what, last=f"{_fmt(last)} {unit}", now=f"{_fmt(now)} {unit}", pct=f"{change * 100:+.1f}",
        )
        for sid, what, unit, kind, last, now, change in changes
    ]


@year_check(REMITTED_LE_REVENUE)
def check_remitted(year: int, school_id: int | None = None):
    from django.db.models import F

    from .models import BaseYearFinance
    from .selectors import only_schools

    qs = BaseYearFinance.objects.filter(year_id=year, remitted_to_school__gt=F("revenue")).select_related("base__school")
    if school_id is not None:
        qs = qs.filter(base__school_id__in=only_schools(school_id))
    return [
        REMITTED_LE_REVENUE.finding(
            school=f.base.school, obj=f, url=finding_url("labor_bases:finance_edit", args=[f.pk]),
            base=f.base.name, year=year, remitted=_fmt(f.remitted_to_school), revenue=_fmt(f.revenue),
        )
        for f in qs
    ]


@school_changes(M)
def changed_schools(year: int, before):
    """What the checks above read, school by school, and the schools whose warnings of ``year``
    may read otherwise than at ``before`` (this function's earlier state): those whose year or
    last year was saved since (:attr:`aggregates.models.SchoolYearFigures.token`, new at every
    refresh and when a base or the school is renamed) and, when a product's county median price
    moved, every school with a line of that product (LB-04 compares with it).

    The tokens and the medians are read in full once; after that the database's sums of their
    tokens by bucket (of schools; of median rows, :attr:`aggregates.models.ProductPriceMedian.token`)
    say which buckets to read again (2 queries when nothing changed, 3-5 otherwise). The changed
    schools are checked again together, in the queries of one school's check. Too many
    (:data:`RECHECK_AT_MOST`): None, every school is checked again."""
    from aggregates.selectors import change_tokens, median_token_sums, medians_by_bucket, token_sums

    from .selectors import schools_with_products

    years = (year - 1, year)
    sums, median_sums = token_sums(years), median_token_sums(year)
    if before is None:
        state = {"sums": sums, "tokens": _by_bucket(change_tokens(years)),
                 "median_sums": median_sums, "medians": medians_by_bucket(year)}
        return state, None
    moved = {bucket for (_year, bucket) in _moved(sums, before["sums"])}
    tokens, changed = _read_again(before["tokens"], moved, lambda: _by_bucket(change_tokens(years, moved)))
    schools = {key[0] for key in changed}
    moved = _moved(median_sums, before["median_sums"])
    medians, products = _read_again(before["medians"], moved, lambda: medians_by_bucket(year, moved))
    schools |= schools_with_products(year, products)
    state = {"sums": sums, "tokens": tokens, "median_sums": median_sums, "medians": medians}
    return state, (schools if len(schools) <= RECHECK_AT_MOST else None)


@school_reads(M)
def one_school_reads(year: int, school_id: int) -> frozenset:
    """What the checks above read for one school, as :func:`changed_schools` follows it for every
    school: its year's and last year's tokens, and its products' county medians' tokens."""
    from aggregates.selectors import school_tokens

    return school_tokens(year, school_id)


def _moved(sums: dict, before: dict) -> set:
    """The buckets whose sum of tokens (or count of rows) is not what it was."""
    return {bucket for bucket in sums.keys() | before.keys() if sums.get(bucket) != before.get(bucket)}


def _read_again(kept: dict, moved: set, read) -> tuple[dict, set]:
    """``kept`` (``{bucket: {key: value}}``) with the ``moved`` buckets read again (``read()``;
    not at all when none moved), and the keys whose value differs. ``kept`` itself is not changed."""
    if not moved:
        return kept, set()
    now, changed = read(), set()
    for bucket in moved:
        was, new = kept.get(bucket, {}), now.get(bucket, {})
        changed |= {key for key in was.keys() | new.keys() if was.get(key) != new.get(key)}
    return {**{b: rows for b, rows in kept.items() if b not in moved}, **now}, changed


# The changed schools are checked again in one go: the queries of one school's check, each
# reading those schools' rows only. More changed schools than this: every school is checked again.
# On the load test's county (330 schools) 150 schools together took 11 ms of CPU, every school 20
# ms (and 9 queries instead of 4); a process reading the summary every half minute on a deadline
# day sees 30-60 changed schools.
RECHECK_AT_MOST = 150


def _by_bucket(tokens: dict) -> dict[int, dict]:
    from aggregates.selectors import TOKEN_BUCKETS

    out: dict[int, dict] = defaultdict(dict)
    for key, token in tokens.items():
        out[key[0] % TOKEN_BUCKETS][key] = token
    return dict(out)


def submit_errors(submission) -> list[str]:
    """Blocking messages for a school's submission: a profit without any cost (LB-06),
    and a >50% change from last year without a written explanation (CORE-05)."""
    from workstudy.rules import BIG_SWING_EXPLAINED

    from . import selectors

    errors = []
    for row in selectors.finance_rows(submission.year_id, school_id=submission.school_id):
        if row["revenue"] > 0 and (row["cost"] or 0) <= 0:
            errors.append(
                PROFIT_NEEDS_COST.error(base=row["base_name"], year=submission.year_id, revenue=_fmt(row["revenue"])).messages[0]
            )
    if not (submission.explanation or "").strip():
        # Each swing needs its warning explained (on the review screen), or the return's general 变化说明.
        changes = _changes(submission.year_id, submission.school_id)
        explained = explained_keys(submission) if changes else set()
        for change, finding in zip(changes, _big_change_findings(submission.year_id, changes), strict=True):
            if finding.key not in explained:
                what, pct = change[1], change[6]
                errors.append(BIG_SWING_EXPLAINED.error(what=_("基地") + str(what), pct=f"{pct * 100:+.1f}").messages[0])
    return errors


def explained_keys(submission) -> set[str]:
    from workstudy.models import WarningNote

    return set(WarningNote.objects.filter(year_id=submission.year_id, school_id=submission.school_id)
               .values_list("key", flat=True))
