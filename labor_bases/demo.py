"""Demo data for the labor-practice bases, 2021-2024, with the county's own figures.

2024 county land by type: 粮田 210, 果园 260, 雷竹 20, 茶园 30, 湿地松 260, 荒山 310,
鱼塘 20 = 1110 亩 over 23 of the 27 schools ("基本实现校校有劳动基地"). 樟坪中心学校's
12 亩 茶园 gives 120 千克 一级嫩茶 at 300 元 (36000) and 240 千克 二级茶 at 40 元 (9600);
cost 24000, profit 21600 ("约2万余元"). 耳口中心学校 declares 96 亩 but its plots add up
to 76 (the area-sum warning). Idempotent: rows are keyed by natural keys and updated.
"""

from __future__ import annotations

from decimal import Decimal

from workstudy.models import ReportingYear

from .models import BaseYearArea, BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity

D = Decimal
YEARS = (2021, 2022, 2023, 2024)

# School code -> (base name, location, established, declared total or None = the 2024 plot sum)
BASES = {
    "GX001": ("樟坪中心学校茶园基地", "樟坪畲族乡樟坪村", 2008, None),
    "GX002": ("周坊中学种养循环基地", "周坊镇周坊村", 2005, None),
    "GX003": ("鸿塘中学桔园", "鸿塘镇鸿塘村", 2006, None),
    "GX004": ("塔桥中小学雪梨园", "塔桥园艺场三分场", 2007, None),
    "GX005": ("职业中学实训果园", "雄石街道城郊", 2012, None),
    "GX007": ("农技校六岭实习农场", "雄石街道六岭", 1965, None),
    "GX011": ("泗沥中学劳动基地", "泗沥镇", 2009, None),
    "GX012": ("河潭中心小学种植园", "河潭镇", 2014, None),
    "GX013": ("耳口中心学校山地基地", "耳口乡", 2010, D("96")),
    "GX014": ("塘湾中学劳动基地", "塘湾镇", 2011, None),
    "GX015": ("志光中心小学果园", "志光镇", 2013, None),
    "GX016": ("流口中学林粮基地", "流口镇", 2010, None),
    "GX017": ("罗河中心小学果园", "罗河镇", 2015, None),
    "GX018": ("金屯中学桔园", "金屯镇", 2012, None),
    "GX019": ("文坊中心学校山地基地", "文坊镇", 2009, None),
    "GX020": ("冷水中心学校山地基地", "冷水镇", 2009, None),
    "GX021": ("白田中心小学果园", "白田乡", 2016, None),
    "GX022": ("彭湾中心学校劳动基地", "彭湾乡", 2012, None),
    "GX023": ("滨江中学种养基地", "滨江镇", 2011, None),
    "GX024": ("天禄中心小学稻田", "天禄镇", 2015, None),
    "GX025": ("雷溪中心小学果园", "雷溪镇", 2016, None),
    "GX026": ("上清中学竹林基地", "上清镇", 2008, None),
    "GX027": ("双圳中心小学林地", "双圳林场", 2013, None),
}

# 2024 plots: code -> [(land_type, crop, area)]
PLOTS_2024 = {
    "GX001": [("tea", "茶", 12)],
    "GX002": [("grain", "水稻", 60), ("fish_pond", "草鱼、鲢鱼", 11)],
    "GX003": [("orchard", "桔", 45)],
    "GX004": [("orchard", "雪梨", 40)],
    "GX005": [("orchard", "脐橙", 25)],
    "GX007": [("grain", "水稻", 40), ("orchard", "桃、梨", 35), ("slash_pine", "湿地松", 60), ("fish_pond", "草鱼", 4)],
    "GX011": [("grain", "水稻", 25), ("barren_hill", "", 25)],
    "GX012": [("grain", "水稻", 10)],
    "GX013": [("tea", "茶", 8), ("lei_bamboo", "雷竹", 8), ("barren_hill", "", 60)],
    "GX014": [("grain", "水稻", 20), ("barren_hill", "", 25)],
    "GX015": [("orchard", "桔", 25)],
    "GX016": [("grain", "水稻", 15), ("slash_pine", "湿地松", 40)],
    "GX017": [("orchard", "桃", 20)],
    "GX018": [("orchard", "桔", 30)],
    "GX019": [("tea", "茶", 6), ("slash_pine", "湿地松", 40), ("barren_hill", "", 50)],
    "GX020": [("tea", "茶", 4), ("slash_pine", "湿地松", 40), ("barren_hill", "", 50)],
    "GX021": [("orchard", "桔", 20)],
    "GX022": [("grain", "水稻", 8), ("barren_hill", "", 30)],
    "GX023": [("grain", "水稻", 20), ("fish_pond", "草鱼", 5)],
    "GX024": [("grain", "水稻", 12)],
    "GX025": [("orchard", "桔", 20)],
    "GX026": [("lei_bamboo", "雷竹", 12), ("slash_pine", "湿地松", 50), ("barren_hill", "", 40)],
    "GX027": [("slash_pine", "湿地松", 30), ("barren_hill", "", 30)],
}

# Earlier years differ a little: (code, year) -> {crop or land_type: area}
CHANGES = {
    ("GX001", 2021): {"tea": 10},
    ("GX003", 2021): {"orchard": 40},
    ("GX003", 2022): {"orchard": 40},
    ("GX005", 2021): {"orchard": 15},
    ("GX005", 2022): {"orchard": 15},
    ("GX005", 2023): {"orchard": 15},  # 2024: +10 亩 new orchard (a >50% change, explained)
    ("GX013", 2023): {"tea": 20, "barren_hill": 48},
    ("GX013", 2022): {"tea": 20, "barren_hill": 48},
    ("GX013", 2021): {"tea": 18, "barren_hill": 50},
    ("GX026", 2021): {"lei_bamboo": 8, "barren_hill": 44},
    ("GX007", 2021): {"orchard": 30},
}

# Yield (per 亩) and price by land type and crop, for the generic schools.
YIELDS = {
    "grain": ("稻谷", "", D("450"), "kg", D("2.70")),
    "fish_pond": ("鲜鱼", "", D("350"), "kg", D("12.00")),
    "lei_bamboo": ("雷竹笋", "", D("600"), "kg", D("6.00")),
    "slash_pine": ("松脂", "", D("40"), "kg", D("9.00")),
    "tea": ("茶叶", "", D("25"), "kg", D("160.00")),
}
FRUIT = {"桔": (D("1500"), D("3.00")), "雪梨": (D("1200"), D("4.00")), "脐橙": (D("1400"), D("4.50")),
         "桃": (D("1000"), D("5.00")), "桃、梨": (D("1100"), D("4.50"))}
PRICE_DRIFT = {2021: D("0.92"), 2022: D("0.95"), 2023: D("0.98"), 2024: D("1.00")}


def _plots(code: str, year: int):
    changes = CHANGES.get((code, year), {})
    for land_type, crop, area in PLOTS_2024[code]:
        area = changes.get(land_type, area)
        if area:
            yield land_type, crop, D(area)


def _lines(code: str, year: int, plots):
    """(product, grade, quantity, unit, unit_price) for one school and year."""
    drift = PRICE_DRIFT[year]
    if code == "GX001":
        # 120 kg 一级嫩茶 at 300 元 and 240 kg 二级茶 at 40 元 (same every year).
        return [("茶叶", "一级嫩茶", D("120"), "kg", D("300")), ("茶叶", "二级茶", D("240"), "kg", D("40"))]
    lines = []
    for land_type, crop, area in plots:
        if land_type == "barren_hill":
            continue
        if land_type == "orchard":
            per_mu, price = FRUIT.get(crop, (D("1000"), D("4.00")))
            product = crop.split("、")[0] if crop else "水果"
            lines.append((product, "", (per_mu * area).quantize(D("1")), "kg", (price * drift).quantize(D("0.01"))))
        else:
            product, grade, per_mu, unit, price = YIELDS[land_type]
            lines.append((product, grade, (per_mu * area).quantize(D("1")), unit, (price * drift).quantize(D("0.01"))))
    if code == "GX003":
        # Seedlings sold each year; in 2024 a typing slip of 80 元 instead of 8 元 per 株 is kept on
        # purpose (the price-outlier warning on a submitted return).
        lines.append(("桔苗", "嫁接苗", D("200"), "plant", D("80.00") if year == 2024 else (D("8") * drift).quantize(D("0.01"))))
    return lines


def _finance(code: str, revenue: Decimal) -> dict:
    if code == "GX001":
        return dict(seedling_cost=D("2000"), fertilizer_cost=D("6000"), labor_cost=D("12000"), equipment_cost=D("4000"),
                    other_cost=D("0"), other_income=D("0"), remitted_to_school=D("10000"))
    cost = (revenue * D("0.55")).quantize(D("1"))
    parts = {
        "seedling_cost": (cost * D("0.15")).quantize(D("1")),
        "fertilizer_cost": (cost * D("0.30")).quantize(D("1")),
        "labor_cost": (cost * D("0.40")).quantize(D("1")),
        "equipment_cost": (cost * D("0.10")).quantize(D("1")),
    }
    parts["other_cost"] = cost - sum(parts.values())
    remitted = ((revenue - cost) * D("0.5")).quantize(D("1"))
    return dict(other_income=D("0"), remitted_to_school=max(remitted, D("0")), **parts)


def _activities(code: str, school, year: int) -> list[tuple[str, int, int]]:
    if code == "GX001":
        return [("采茶", 160, 6), ("参观茶叶焙制流程", 100, 1)]
    if code == "GX002":
        return [("插秧与收割", 600, 4), ("鱼塘喂养观察", 300, 2)]
    from workstudy.models import Submission

    counted = Submission.objects.filter(school=school, year_id=year).values_list("student_count", flat=True).first()
    students = max(counted or 0, 50)
    first = {"GX003": "桔园修剪与采摘", "GX004": "雪梨套袋与采摘", "GX007": "农场生产实习"}.get(code, "基地田间劳动")
    return [(first, min(students, 400), 3)]


def _upsert(model, defaults, **lookup):
    """update_or_create that saves only when something changed (a second run leaves versions alone)."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **defaults)
    changed = [k for k, v in defaults.items() if getattr(obj, k) != v]
    if changed:
        for k in changed:
            setattr(obj, k, defaults[k])
        obj.save()
    return obj


def load(*, schools, users):
    for year in YEARS:
        if not ReportingYear.objects.filter(pk=year).exists():
            continue
        for code, (name, location, established, declared) in BASES.items():
            school = schools[code]
            plots = list(_plots(code, year))
            if declared is None:
                declared = sum((D(a) for _t, _c, a in PLOTS_2024[code]), D("0"))
            base = _upsert(
                LaborBase, dict(location=location, established_year=established, active=True),
                school=school, name=name,
            )
            # The declared area belongs to the year (one row per base and year).
            _upsert(BaseYearArea, dict(declared_total_mu=declared), base=base, year_id=year)
            keep = []
            for land_type, crop, area in plots:
                parcel = _upsert(LandParcel, dict(area_mu=area), base=base, year_id=year, land_type=land_type, crop=crop)
                keep.append(parcel.pk)
            LandParcel.objects.filter(base=base, year_id=year).exclude(pk__in=keep).delete()
            keep = []
            for product, grade, quantity, unit, price in _lines(code, year, plots):
                line = _upsert(
                    ProductionLine, dict(quantity=quantity, unit_price=price),
                    base=base, year_id=year, product=product, grade=grade, unit=unit,
                )
                keep.append(line.pk)
            for stale in ProductionLine.objects.filter(base=base, year_id=year).exclude(pk__in=keep):
                stale.delete()
            # 2024 for the demo principal's school: plots and production entered, accounts still to fill in.
            if not (code == "GX001" and year == 2024):
                revenue = BaseYearFinance.production_value_of(base.pk, year)
                _upsert(BaseYearFinance, _finance(code, revenue), base=base, year_id=year)
            keep = []
            for activity, participants, days in _activities(code, school, year):
                row = _upsert(
                    StudentPracticeActivity, dict(base=base, participants=participants, days=days),
                    school=school, year_id=year, activity=activity,
                )
                keep.append(row.pk)
            StudentPracticeActivity.objects.filter(school=school, year_id=year).exclude(pk__in=keep).delete()
    # The >50% area change of 职业中学 in 2024 comes with its explanation.
    from workstudy.models import Submission

    Submission.objects.filter(school=schools["GX005"], year_id=2024, explanation="").update(
        explanation="2024年新开垦实训果园10亩，基地面积由15亩增至25亩。"
    )
