"""Validation rules of 后勤社会化 (codes LOG-xx).

Errors are enforced in the models' ``clean()`` (forms, API and Excel import alike);
warnings are found in saved data by the ``year_check`` functions below, each in a
fixed number of queries.

Site candidates vs programme candidates (LOG-04) is a WARNING, not an error: the sites
are entered one by one after the programme, so the sum only matches once all are in.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from workstudy.rules import ERROR, WARNING, finding_url, rule, year_check

MODULE = "logistics"

ONE_BED_EACH = rule(
    "LOG-01", ERROR, _("中考食宿一人一床"),
    _("%(where)s床位 %(beds)s 张少于食宿考生 %(candidates)s 人，须保证一人一床。"), module=MODULE,
)
HOST_FACILITIES = rule(
    "LOG-02", ERROR, _("考点学校须有学生公寓和学生食堂"),
    _("%(school)s没有%(missing)s，不能作为中考食宿考点。"), module=MODULE,
)
SITE_SUM = rule(
    "LOG-04", WARNING, _("各考点考生合计等于食宿考生总数"),
    _("%(year)s 年各考点食宿考生合计 %(sites)s 人，与总数 %(total)s 人不一致。"), module=MODULE,
)
URBAN_SITES = rule(
    "LOG-05", WARNING, _("考点为两至三所城区学校"),
    _("%(year)s 年中考食宿考点 %(count)s 个，其中城区学校 %(urban)s 个；通常设在两至三所城区学校。"), module=MODULE,
)
FEE_TIMES_CANDIDATES = rule(
    "LOG-06", WARNING, _("收入 = 每生收费 × 考生人数"),
    _("%(year)s 年中考食宿收入 %(revenue)s 元，与每生收费 %(fee)s 元 × %(candidates)s 人 = %(expected)s 元相差超过 1 元。"),
    module=MODULE,
)
SHOP_CATEGORIES = rule(
    "LOG-07", ERROR, _("店面经营类别"),
    _("请至少选择一个经营类别（无法识别：%(value)s）。"), module=MODULE,
)
SHOP_OF_CENTRE = rule(
    "LOG-08", ERROR, _("店面属于该服务中心"),
    _("店面“%(shop)s”不属于所选的服务中心。"), module=MODULE,
)
SHOP_SELLS_CATEGORY = rule(
    "LOG-09", ERROR, _("店面经营该类商品"),
    _("店面“%(shop)s”不经营%(category)s，请核对商品类别或店面。"), module=MODULE,
)
SHOP_OPEN_IN_YEAR = rule(
    "LOG-10", ERROR, _("店面已开业"),
    _("店面“%(shop)s”于 %(opened)s 年开业，%(year)s 年还没有销售。"), module=MODULE,
)
OPERATOR_REQUIRED = rule(
    "LOG-11", ERROR, _("承包、托管须填经营方"),
    _("经营方式为“%(mode)s”时，请填写经营方（承包人或托管单位）。"), module=MODULE,
)
YEAR_ORDER = rule(
    "LOG-12", ERROR, _("年份不早于中心创办年份"),
    _("%(what)s %(value)s 年早于服务中心创办年份 %(founded)s 年。"), module=MODULE,
)
REMITTED_LE_REVENUE = rule(
    "LOG-13", WARNING, _("上缴教育经费不超过收入"),
    _("%(centre)s %(year)s 年上缴/补贴教育经费 %(remitted)s 元，超过销售收入 %(revenue)s 元。"), module=MODULE,
)
PROGRAM_COUNTY = rule(
    "LOG-15", ERROR, _("中考食宿保障由本县（市、区）的服务中心承办"),
    _("承办单位“%(operator)s”属于%(operator_county)s，而这条中考食宿保障属于%(county)s，请选择%(county)s的服务中心。"),
    module=MODULE,
)
SERVICE_FACILITY = rule(
    "LOG-14", WARNING, _("后勤项目与学校设施一致"),
    _("%(school_name)s填报了%(kind)s，但学校基本信息中登记为没有%(facility)s，请核对。"), module=MODULE,
)


def _money(value) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01')):,}"


def _exam_url(year: int) -> str:
    return finding_url("logistics:exam", query=f"year={year}")


@year_check(SITE_SUM)
def _site_sum(year: int, school_id: int | None):
    if school_id is not None:
        return []
    from .models import ExamLodgingProgram

    found = []
    programs = ExamLodgingProgram.objects.filter(year_id=year).select_related("county").annotate(
        site_candidates=Coalesce(Sum("sites__candidates"), 0), site_count=Count("sites")
    )
    for program in programs:
        if program.site_count and program.site_candidates != program.candidates_lodged:
            found.append(SITE_SUM.finding(
                obj=program, url=_exam_url(year), year=year, sites=program.site_candidates,
                total=program.candidates_lodged,
            ))
    return found


@year_check(URBAN_SITES)
def _urban_sites(year: int, school_id: int | None):
    if school_id is not None:
        return []
    from .models import ExamLodgingProgram

    found = []
    programs = ExamLodgingProgram.objects.filter(year_id=year).select_related("county").annotate(
        site_count=Count("sites"), urban=Count("sites", filter=Q(sites__host_school__area_class="urban"))
    )
    for program in programs:
        if program.site_count and (program.site_count > 3 or program.urban == 0):
            found.append(URBAN_SITES.finding(
                obj=program, url=_exam_url(year), year=year, count=program.site_count, urban=program.urban,
            ))
    return found


@year_check(FEE_TIMES_CANDIDATES)
def _fee_times_candidates(year: int, school_id: int | None):
    if school_id is not None:
        return []
    from .models import ExamLodgingProgram

    found = []
    expected = ExpressionWrapper(
        F("fee_per_candidate") * F("candidates_lodged"), output_field=DecimalField(max_digits=20, decimal_places=2)
    )
    for program in ExamLodgingProgram.objects.filter(year_id=year).select_related("county").annotate(expected=expected):
        exp = Decimal(program.expected).quantize(Decimal("0.01"))
        if abs(program.revenue - exp) > 1:
            found.append(FEE_TIMES_CANDIDATES.finding(
                obj=program, url=_exam_url(year), year=year, revenue=_money(program.revenue),
                fee=_money(program.fee_per_candidate), candidates=program.candidates_lodged, expected=_money(exp),
            ))
    return found


@year_check(REMITTED_LE_REVENUE)
def _remitted_le_revenue(year: int, school_id: int | None):
    if school_id is not None:
        return []
    from .models import CentreYearFigures, SalesLine

    revenue = dict(
        SalesLine.objects.filter(year_id=year).values("centre_id").annotate(total=Sum("amount")).values_list(
            "centre_id", "total"
        )
    )
    found = []
    for figures in CentreYearFigures.objects.filter(year_id=year).select_related("centre"):
        total = revenue.get(figures.centre_id) or Decimal("0")
        if figures.remitted_to_education > total:
            found.append(REMITTED_LE_REVENUE.finding(
                obj=figures, url=finding_url("logistics:centre", query=f"year={year}"), centre=figures.centre.name,
                year=year, remitted=_money(figures.remitted_to_education), revenue=_money(total),
            ))
    return found


@year_check(SERVICE_FACILITY)
def _service_facility(year: int, school_id: int | None):
    from .models import SchoolService, ServiceKind

    qs = SchoolService.objects.filter(year_id=year).filter(
        Q(kind=ServiceKind.CANTEEN, school__has_canteen=False) | Q(kind=ServiceKind.DORMITORY, school__has_dormitory=False)
    ).select_related("school")
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    found = []
    for service in qs:
        facility = _("学生食堂") if service.kind == ServiceKind.CANTEEN else _("学生公寓")
        found.append(SERVICE_FACILITY.finding(
            school=service.school, obj=service,
            url=finding_url("logistics:service_edit", args=[service.pk]),
            school_name=service.school.name, kind=service.get_kind_display(), facility=facility,
        ))
    return found
