"""Demo data of 后勤社会化 for the demo county 贵溪市 (idempotent: update_or_create on natural keys).

The bureau's 贵溪市腾飞学校后勤服务中心 (founded 2003) runs three urban storefronts selling
文化办公用品, 体育器材 and 运动服装, delivers with one 皮卡, built its own warehouse and
storefront in 2007 for 128,000 元 (the summary's 十余万元), and since 2005 runs board and
lodging for 中考 candidates at 2-3 urban schools with dormitories and canteens (GX008-GX010),
one bed each, closed management.
"""

from __future__ import annotations

from decimal import Decimal

from workstudy.demo import place_in_county

from .models import (
    CapitalInvestment,
    CentreYearFigures,
    ExamLodgingProgram,
    ExamSite,
    InvestmentKind,
    SalesLine,
    SchoolService,
    ServiceCentre,
    Shop,
)

YEARS = (2021, 2022, 2023, 2024)
CENTRE_NAME = "贵溪市腾飞学校后勤服务中心"

SHOPS = [
    # name, address, categories, opened
    ("腾飞文体用品店（雄石店）", "雄石街道建设路 18 号", "stationery,sports_equipment", 2012),
    ("腾飞体育器材店（东门店）", "东门街道东门路 66 号", "sports_equipment,sportswear", 2013),
    ("腾飞运动服装店（花园店）", "花园街道花园路 9 号", "stationery,sportswear", 2016),
]

# year -> {(shop index, category, customer): amount 元}
_BASE_SALES = {
    (0, "stationery", "school"): 182000, (0, "stationery", "society"): 46000,
    (0, "sports_equipment", "school"): 64000, (0, "sports_equipment", "society"): 12000,
    (1, "sports_equipment", "school"): 98000, (1, "sports_equipment", "society"): 21000,
    (1, "sportswear", "school"): 76000, (1, "sportswear", "society"): 33000,
    (2, "stationery", "school"): 58000, (2, "stationery", "society"): 27000,
    (2, "sportswear", "school"): 121000, (2, "sportswear", "society"): 39000,
}
GROWTH = {2021: Decimal("0.88"), 2022: Decimal("0.93"), 2023: Decimal("1.00"), 2024: Decimal("1.06")}

FIGURES = {
    # year: deliveries, cost, remitted
    2021: (312, Decimal("598000.00"), Decimal("60000.00")),
    2022: (336, Decimal("631000.00"), Decimal("65000.00")),
    2023: (358, Decimal("676000.00"), Decimal("70000.00")),
    2024: (371, Decimal("712000.00"), Decimal("80000.00")),
}

# year: sites {school code: (candidates, beds)}, meals, fee, cost, before, after, incidents
EXAM = {
    2021: ({"GX008": (360, 380), "GX009": (300, 320)}, 3960, Decimal("260.00"), Decimal("148000.00"),
           Decimal("680.00"), Decimal("260.00")),
    2022: ({"GX008": (340, 360), "GX009": (290, 300), "GX010": (150, 160)}, 4680, Decimal("260.00"),
           Decimal("171000.00"), Decimal("700.00"), Decimal("260.00")),
    2023: ({"GX008": (350, 370), "GX009": (300, 310), "GX010": (190, 200)}, 5040, Decimal("270.00"),
           Decimal("189000.00"), Decimal("720.00"), Decimal("270.00")),
    2024: ({"GX008": (380, 400), "GX010": (330, 340)}, 4260, Decimal("280.00"), Decimal("168000.00"),
           Decimal("750.00"), Decimal("280.00")),
}

# School services: code -> list of (kind, name, mode, operator)
SERVICES = {
    "GX001": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX002": [("canteen", "", "contracted", "周坊镇王记餐饮"), ("shop", "", "contracted", "个体户 周某"),
              ("dormitory", "", "self_run", "")],
    "GX003": [("canteen", "", "self_run", ""), ("shop", "", "entrusted", CENTRE_NAME), ("dormitory", "", "self_run", "")],
    "GX004": [("canteen", "", "self_run", "")],
    "GX005": [("canteen", "", "entrusted", "贵溪市优膳餐饮管理有限公司"), ("shop", "", "entrusted", CENTRE_NAME),
              ("dormitory", "", "self_run", "")],
    "GX006": [("canteen", "", "self_run", ""), ("shop", "", "entrusted", CENTRE_NAME)],
    "GX007": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX008": [("canteen", "第一食堂", "self_run", ""), ("canteen", "第二食堂", "contracted", "贵溪市优膳餐饮管理有限公司"),
              ("shop", "", "entrusted", CENTRE_NAME), ("dormitory", "", "self_run", "")],
    "GX009": [("canteen", "", "contracted", "东门餐饮服务部"), ("shop", "", "entrusted", CENTRE_NAME),
              ("dormitory", "", "self_run", "")],
    "GX010": [("canteen", "", "self_run", ""), ("shop", "", "entrusted", CENTRE_NAME), ("dormitory", "", "self_run", "")],
    "GX011": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX012": [("canteen", "", "contracted", "河潭镇李记快餐")],
    "GX013": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX014": [("canteen", "", "self_run", ""), ("shop", "", "contracted", "个体户 陈某"), ("dormitory", "", "self_run", "")],
    "GX016": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX018": [("canteen", "", "contracted", "金屯镇农家饭庄"), ("dormitory", "", "self_run", "")],
    "GX019": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX020": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX022": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
    "GX023": [("canteen", "", "self_run", ""), ("shop", "", "entrusted", CENTRE_NAME), ("dormitory", "", "self_run", "")],
    "GX024": [("canteen", "", "self_run", "")],
    "GX025": [("canteen", "", "contracted", "雷溪镇好味餐饮")],
    "GX026": [("canteen", "", "self_run", ""), ("dormitory", "", "self_run", "")],
}
# The demo principal's school (GX001) has its 2024 rows still to fill in.
SKIP_2024 = {"GX001"}


def _upsert(model, keys: dict, values: dict):
    """update_or_create that only saves (and bumps version/history) when something changed."""
    obj = model.objects.filter(**keys).first()
    if obj is None:
        obj = model(**keys, **values)
        place_in_county(obj)
        obj.save()
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj


def load(*, schools, users):
    centre = _upsert(ServiceCentre, {"name": CENTRE_NAME}, {
        "founded_year": 2003, "exam_lodging_from_year": 2005,
        "note": "勤工办创办，行政推动加市场运作；局里配备皮卡汽车一辆，送货上门。",
    })
    shops = [
        _upsert(Shop, {"centre": centre, "name": name}, {
            "address": address, "categories": categories, "opened_year": opened, "active": True,
        })
        for name, address, categories, opened in SHOPS
    ]
    _upsert(CapitalInvestment, {"centre": centre, "year": 2007, "kind": InvestmentKind.WAREHOUSE_STORE}, {
        "amount": Decimal("128000.00"), "note": "自建仓库及店面（十余万元）",
    })
    for year in YEARS:
        deliveries, cost, remitted = FIGURES[year]
        _upsert(CentreYearFigures, {"centre": centre, "year_id": year}, {
            "vehicles": 1, "deliveries": deliveries, "cost": cost, "remitted_to_education": remitted,
            "note": "皮卡汽车 1 辆，送货上门",
        })
        for (shop_index, category, customer), base in _BASE_SALES.items():
            amount = (Decimal(base) * GROWTH[year]).quantize(Decimal("1")).quantize(Decimal("0.01"))
            _upsert(SalesLine, {
                "centre": centre, "year_id": year, "shop": shops[shop_index], "category": category,
                "customer_kind": customer,
            }, {"amount": amount})
        _load_exam(year, centre, schools)
        _load_services(year, schools)


def _load_exam(year, centre, schools):
    sites, meals, fee, cost, before, after = EXAM[year]
    candidates = sum(c for c, _b in sites.values())
    beds = sum(b for _c, b in sites.values())
    program = _upsert(ExamLodgingProgram, {"year_id": year, "county_id": centre.county_id}, {
        "operator": centre, "candidates_lodged": candidates, "beds": beds, "meals": meals,
        "fee_per_candidate": fee, "revenue": (fee * candidates).quantize(Decimal("0.01")), "cost": cost,
        "closed_management": True, "incidents": 0, "family_cost_before": before, "family_cost_after": after,
        "note": "考点设在有学生公寓和学生食堂的城区学校，一人一床，统一作息、计划用餐，封闭管理。",
    })
    for code, (site_candidates, site_beds) in sites.items():
        _upsert(ExamSite, {"program": program, "host_school": schools[code]}, {
            "candidates": site_candidates, "beds": site_beds,
        })
    # Idempotence when a year's site list changes: drop hosts no longer listed.
    ExamSite.objects.filter(program=program).exclude(host_school__in=[schools[c] for c in sites]).delete()


def _load_services(year, schools):
    for code, rows in SERVICES.items():
        if year == 2024 and code in SKIP_2024:
            continue
        school = schools.get(code)
        if school is None:
            continue
        for kind, name, mode, operator in rows:
            _upsert(SchoolService, {"school": school, "year_id": year, "kind": kind, "name": name}, {
                "mode": mode, "operator": operator,
            })


__all__ = ["load"]
