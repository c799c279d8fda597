"""Demo data: the county's five enterprises (五家下挂企业), their figures 2021-2024 and the
2005-06 reform of 教育印刷厂. Idempotent: rows are matched on natural keys and saved
only when something changed (so running twice adds no history either).

Figures are invented but plausible for a county; names of auction buyers and tender
winners are made up and marked as demo data.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from workstudy.demo import place_in_county
from workstudy.models import ReportingYear

from .models import (
    Enterprise,
    EnterpriseForm,
    EnterpriseKind,
    EnterpriseStatus,
    EnterpriseYearStat,
    EventKind,
    Ownership,
    ReformEvent,
)

TENGFEI = "贵溪市腾飞学校后勤服务中心"
PRINTING = "教育印刷厂"

ENTERPRISES = [
    dict(
        name="市职中校服厂", kind=EnterpriseKind.UNIFORM, sponsor="GX005", sponsor_label="",
        ownership=Ownership.COLLECTIVE, industry="服装制造（学生校服）", founded_year=1992, founded_text="",
        status=EnterpriseStatus.OPERATING, form=EnterpriseForm.FACTORY,
        note="贵溪市职业中学主办，服装专业学生在厂实习。",
    ),
    dict(
        name="实小校具厂", kind=EnterpriseKind.FURNITURE, sponsor="GX006", sponsor_label="",
        ownership=Ownership.COLLECTIVE, industry="木制课桌椅等校具制造", founded_year=1988, founded_text="",
        status=EnterpriseStatus.OPERATING, form=EnterpriseForm.FACTORY, note="贵溪市实验小学主办。",
    ),
    dict(
        name="宏达乳胶漆厂", kind=EnterpriseKind.PAINT, sponsor=None, sponsor_label="勤工办",
        ownership=Ownership.CONTRACTED, industry="建筑涂料（乳胶漆）制造", founded_year=1996, founded_text="",
        status=EnterpriseStatus.OPERATING, form=EnterpriseForm.FACTORY, note="勤工办下挂企业，承包经营。",
    ),
    dict(
        name=TENGFEI, kind=EnterpriseKind.SERVICE_CENTRE, sponsor=None, sponsor_label="勤工办",
        ownership=Ownership.DIRECT, industry="文化办公用品、体育器材、运动服装零售及学校后勤服务",
        founded_year=None, founded_text="由勤工办创办（创办年份见后勤社会化模块）",
        status=EnterpriseStatus.OPERATING, form=EnterpriseForm.SERVICE_CENTRE,
        note="店面、车辆、销售及中考食宿保障在“后勤社会化”模块统计。",
    ),
    dict(
        name=PRINTING, kind=EnterpriseKind.PRINTING, sponsor=None, sponsor_label="勤工办",
        ownership=Ownership.REFORMED, industry="印刷（学生作业本）", founded_year=None, founded_text="上世纪80年代",
        status=EnterpriseStatus.REFORMED, form=EnterpriseForm.TENDERED_RIGHT,
        note="原为集体企业，曾安置教育系统职工子女就业。2005年6月在市委、市政府支持下改制："
        "固定资产公开拍卖、职工工龄一次性买断、作业本生产权向社会公开招标。",
    ),
]

# name -> year -> (revenue, cost, tax, employees, remitted_to_education, work_study_placements)
FIGURES = {
    "市职中校服厂": {
        2021: ("2860000", "2512000", "85800", 46, "150000", 60),
        2022: ("3020000", "2650000", "90600", 48, "160000", 64),
        2023: ("3180000", "2780000", "95400", 48, "170000", 70),
        2024: ("3350000", "2920000", "100500", 50, "180000", 72),
    },
    "实小校具厂": {
        2021: ("1180000", "1046000", "35400", 22, "60000", 0),
        2022: ("1250000", "1100000", "37500", 22, "65000", 0),
        2023: ("1320000", "1158000", "39600", 23, "70000", 0),
        2024: ("1410000", "1232000", "42300", 24, "75000", 0),
    },
    "宏达乳胶漆厂": {
        2021: ("860000", "790000", "25800", 15, "30000", 8),
        2022: ("920000", "835000", "27600", 15, "35000", 8),
        2023: ("780000", "742000", "23400", 14, "20000", 6),
        # A new county school-building programme: the big swing shows as warning ENT-05.
        2024: ("1260000", "1120000", "37800", 18, "45000", 10),
    },
    PRINTING: {
        # After the reform: the tendered 作业本 production right pays a yearly fee.
        2021: ("320000", "26000", "0", 2, "260000", 0),
        2022: ("320000", "24500", "0", 2, "265000", 0),
        2023: ("330000", "25800", "0", 2, "270000", 0),
        2024: ("330000", "26200", "0", 2, "275000", 0),
    },
}

REFORM_MONTH = datetime.date(2005, 6, 1)
EVENTS = [
    dict(
        enterprise=PRINTING, date=REFORM_MONTH, kind=EventKind.REFORM, staff_affected=174, amount=None,
        counterparty="",
        note="经市委、市政府支持实施改制，从“旱涝保收吃大锅饭”转向“以服务换取效益、以市场获得生存”。",
    ),
    dict(
        enterprise=PRINTING, date=REFORM_MONTH, kind=EventKind.AUCTION, staff_affected=None, amount="2360000",
        counterparty="贵溪市鑫华印务有限公司（演示数据）", note="固定资产（厂房、印刷设备）公开拍卖，拍卖所得。",
    ),
    dict(
        enterprise=PRINTING, date=REFORM_MONTH, kind=EventKind.BUYOUT, staff_affected=174, amount="3132000",
        counterparty="", note="全体 174 名职工工龄一次性买断，支付总额（人均约 1.8 万元）。",
    ),
    dict(
        enterprise=PRINTING, date=REFORM_MONTH, kind=EventKind.TENDER, staff_affected=None, amount="1500000",
        counterparty="江西鹰潭文华印刷有限公司（演示数据）", note="作业本生产权向社会公开招标，五年经营权中标价。",
    ),
]


def _upsert(model, lookup: dict, values: dict):
    """update_or_create that saves only when a value changed (no empty history rows)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        place_in_county(obj)
        obj.full_clean()
        obj.save()
        return obj
    changed = False
    for field, value in values.items():
        if getattr(obj, field) != value:
            setattr(obj, field, value)
            changed = True
    if changed:
        obj.full_clean()
        obj.save()
    return obj


def load(*, schools, users=None):
    enterprises = {}
    for spec in ENTERPRISES:
        spec = dict(spec)
        code = spec.pop("sponsor")
        name = spec.pop("name")
        spec["sponsor_school"] = schools[code] if code else None
        enterprises[name] = _upsert(Enterprise, {"name": name}, spec)
    years = set(ReportingYear.objects.values_list("year", flat=True))
    for name, by_year in FIGURES.items():
        for year, (revenue, cost, tax, employees, remitted, placements) in by_year.items():
            if year not in years:
                continue
            _upsert(
                EnterpriseYearStat,
                {"enterprise": enterprises[name], "year_id": year},
                dict(
                    revenue=Decimal(revenue), cost=Decimal(cost), tax=Decimal(tax), employees=employees,
                    remitted_to_education=Decimal(remitted), work_study_placements=placements,
                ),
            )
    for spec in EVENTS:
        spec = dict(spec)
        enterprise = enterprises[spec.pop("enterprise")]
        lookup = {"enterprise": enterprise, "date": spec.pop("date"), "kind": spec.pop("kind")}
        if spec["amount"] is not None:
            spec["amount"] = Decimal(spec["amount"])
        _upsert(ReformEvent, lookup, spec)
    return enterprises
