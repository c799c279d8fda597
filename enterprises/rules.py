"""Validation rules of the school-run enterprises (ENT-xx).

Errors are enforced in the models' ``clean()`` (so forms, API and Excel import obey
them); warnings are found in saved data by the ``year_check`` functions below.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from workstudy.rules import ERROR, SWING_LIMIT, WARNING, finding_url, rule, year_check

M = "enterprises"

COST_REQUIRED = rule(
    "ENT-01", ERROR, _("利润 = 收入 − 成本，须填写成本"),
    _("请填写成本（元）。利润由系统按“销售收入 − 成本”计算，没有成本就算不出利润。"), module=M,
)
NO_FIGURES_AFTER_CLOSING = rule(
    "ENT-03", ERROR, _("停办后不能再有年度数据"),
    _("%(name)s已于 %(closed_year)s 年停办，不能有 %(year)s 年的年度数据。"), module=M,
)
SUBSIDY_LE_REVENUE = rule(
    "ENT-04", WARNING, _("补贴教育经费一般不超过当年收入"),
    _("%(name)s %(year)s 年补贴教育经费 %(remitted)s 元，超过了当年销售收入 %(revenue)s 元，请核实。"), module=M,
)
REVENUE_SWING = rule(
    "ENT-05", WARNING, _("收入较上年变化超过 50%"),
    _("%(name)s %(year)s 年销售收入 %(revenue)s 元，较上年 %(previous)s 元变化 %(pct)s%%，超过 50%%，请核实或在备注中说明原因。"),
    module=M,
)
CLOSED_YEAR_REQUIRED = rule(
    "ENT-06", ERROR, _("停办的企业须填写停办年份"),
    _("状态为“停办”时，请填写停办年份。"), module=M,
)
CLOSED_YEAR_ONLY_WHEN_CLOSED = rule(
    "ENT-07", ERROR, _("只有停办的企业才填写停办年份"),
    _("企业状态为“%(status)s”，不应填写停办年份 %(closed_year)s。如已停办，请把状态改为“停办”。"), module=M,
)
CLOSED_AFTER_FOUNDED = rule(
    "ENT-08", ERROR, _("停办年份不早于创办年份"),
    _("停办年份 %(closed_year)s 早于创办年份 %(founded_year)s，请核对。"), module=M,
)
EVENT_AFTER_FOUNDING = rule(
    "ENT-09", ERROR, _("大事记不早于企业创办"),
    _("事项时间 %(date)s 早于企业创办年份 %(founded_year)s 年，请核对。"), module=M,
)
CENTRE_FIGURES_IN_LOGISTICS = rule(
    "ENT-10", ERROR, _("后勤服务中心的收支在后勤社会化模块填报"),
    _("%(name)s的年度收支在“后勤社会化”模块填报，这里不再重复填写，以免总收益重复计算。"), module=M,
)


def _money(value) -> str:
    return f"{Decimal(value):,.2f}"


def _detail_url(enterprise_id: int, year: int) -> str:
    return finding_url("enterprises:detail", kwargs={"pk": enterprise_id}, query=f"year={year}")


@year_check(SUBSIDY_LE_REVENUE)
def subsidy_over_revenue(year: int, school_id: int | None):
    # Enterprise figures are bureau data: they are not part of any school's return.
    if school_id is not None:
        return []
    from .models import EnterpriseYearStat

    rows = (
        EnterpriseYearStat.objects.filter(year_id=year, remitted_to_education__gt=F("revenue"))
        .values("enterprise_id", "enterprise__name", "revenue", "remitted_to_education")
        .order_by("enterprise__name")
    )
    return [
        SUBSIDY_LE_REVENUE.finding(
            obj=row["enterprise__name"], url=_detail_url(row["enterprise_id"], year),
            name=row["enterprise__name"], year=year,
            remitted=_money(row["remitted_to_education"]), revenue=_money(row["revenue"]),
        )
        for row in rows
    ]


@year_check(REVENUE_SWING)
def revenue_swing(year: int, school_id: int | None):
    if school_id is not None:
        return []
    from .models import EnterpriseYearStat

    by_enterprise: dict[int, dict[int, dict]] = {}
    for row in EnterpriseYearStat.objects.filter(year_id__in=(year - 1, year)).values(
        "enterprise_id", "enterprise__name", "year_id", "revenue"
    ):
        by_enterprise.setdefault(row["enterprise_id"], {})[row["year_id"]] = row
    found = []
    for enterprise_id, years in sorted(by_enterprise.items(), key=lambda item: next(iter(item[1].values()))["enterprise__name"]):
        now, before = years.get(year), years.get(year - 1)
        if now is None or before is None or not before["revenue"]:
            continue
        change = (now["revenue"] - before["revenue"]) / before["revenue"] * 100
        if abs(change) > SWING_LIMIT * 100:
            found.append(
                REVENUE_SWING.finding(
                    obj=now["enterprise__name"], url=_detail_url(enterprise_id, year),
                    name=now["enterprise__name"], year=year, revenue=_money(now["revenue"]),
                    previous=_money(before["revenue"]), pct=f"{change:+.1f}",
                )
            )
    return found
