"""Demo insurance data for 贵溪市, 2021-2024 (idempotent: natural keys, same values each run).

The county's arrangements: the broker 北京联合经纪有限公司江西分公司 entrusted from 2021 with
free service; 财产险 paid by the city from 2021; 校(园)方责任险 split between the bureau's
and the schools' 勤工俭学经费; 学平险 bought voluntarily by parents, poor students covered
free by the insurer or advanced by the school. Claims: a few property losses (0 人次) and
many student injuries a year, mostly paid, some rejected or still in progress.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from workstudy.demo import place_in_county
from workstudy.models import Submission

from .models import (
    REQUIRED_DOCUMENTS,
    Claim,
    ClaimantKind,
    ClaimDocument,
    ClaimStatus,
    FundingRule,
    FundingSource,
    IncidentKind,
    InsurancePolicy,
    Insurer,
    PolicyType,
    PremiumFunding,
    StudentAccidentCoverage,
)

YEARS = (2021, 2022, 2023, 2024)
BROKER = "北京联合经纪有限公司江西分公司"
PICC = "中国人民财产保险股份有限公司贵溪支公司"
CPIC = "中国太平洋财产保险股份有限公司鹰潭中心支公司"
STUDENT_RATE = Decimal("50.00")
LIABILITY_RATE = Decimal("5.00")
CENT = Decimal("0.01")

SURNAMES = (
    "张王李刘陈杨黄吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = "子涵欣怡梓萱宇轩浩然一诺雨桐佳怡俊杰思远明轩语嫣晨曦若曦博文天佑诗琪嘉怡雅静志强建国秀英丽华"

STUDENT_CASES = [
    (IncidentKind.SPORTS, "操场", "体育课跑步时摔倒，左手腕骨折"),
    (IncidentKind.SPORTS, "篮球场", "课外活动打篮球时相撞，门牙折断"),
    (IncidentKind.ACTIVITY, "教学楼楼梯", "课间下楼时踩空摔伤，右脚踝扭伤"),
    (IncidentKind.ACTIVITY, "教室", "课间追逐打闹撞到课桌，额头裂伤缝合"),
    (IncidentKind.ACTIVITY, "学生食堂", "就餐时被热汤烫伤手臂"),
    (IncidentKind.TRAFFIC, "上学途中", "骑自行车上学途中与电动车相撞，腿部擦伤"),
    (IncidentKind.ILLNESS, "学生宿舍", "夜间突发阑尾炎，住院手术治疗"),
    (IncidentKind.ACTIVITY, "劳动实践基地", "采茶劳动时被竹枝划伤眼角"),
    (IncidentKind.SPORTS, "田径场", "运动会跳远落地时膝盖受伤"),
]
LIABILITY_CASES = [
    (IncidentKind.ACTIVITY, "教学楼走廊", "走廊护栏松动，学生倚靠时跌落受伤"),
    (IncidentKind.ACTIVITY, "学生宿舍", "宿舍床铺护栏断裂，学生夜间跌落骨折"),
    (IncidentKind.SPORTS, "体育器材室", "篮球架固定不牢倾倒，砸伤学生肩部"),
    (IncidentKind.ACTIVITY, "学生食堂", "食堂地面湿滑未设警示，学生滑倒骨折"),
]
PROPERTY_CASES = [
    (IncidentKind.DISASTER, "教学楼", "暴雨致教学楼屋顶漏水，多媒体设备损毁"),
    (IncidentKind.DISASTER, "计算机教室", "雷击造成计算机教室设备损坏"),
    (IncidentKind.FIRE, "学生食堂", "食堂电路老化起火，厨房设备烧毁"),
    (IncidentKind.THEFT, "实验室", "实验室被盗，丢失投影仪和电脑"),
    (IncidentKind.DISASTER, "围墙", "山洪冲毁学校围墙约30米"),
]


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in values.items():
        setattr(obj, name, value)
    place_in_county(obj)
    obj.full_clean()
    obj.save()
    return obj


def load(*, schools, users):
    rng = random.Random(20240601)
    broker = _upsert(
        Insurer,
        {"name": BROKER},
        {
            "role": Insurer.Role.BROKER,
            "entrusted_from_year": 2010,
            "service_fee": Decimal("0.00"),
            "contact": "江西省南昌市",
        },
    )
    picc = _upsert(Insurer, {"name": PICC}, {"role": Insurer.Role.INSURER, "entrusted_from_year": None})
    cpic = _upsert(Insurer, {"name": CPIC}, {"role": Insurer.Role.INSURER, "entrusted_from_year": None})
    _upsert(
        FundingRule,
        {"insurance_type": PolicyType.PROPERTY},
        {
            "from_year": 2009,
            "to_year": None,
            "allowed_sources": [FundingSource.CITY.value],
            "note": "学校财产险由市政府出资",
        },
    )
    _upsert(
        FundingRule,
        {"insurance_type": PolicyType.LIABILITY, "from_year": 2021},
        {
            "to_year": None,
            "bureau_share_pct": Decimal("50.00"),
            "allowed_sources": [FundingSource.BUREAU_WORKSTUDY.value, FundingSource.SCHOOL_WORKSTUDY.value],
            "note": "教育局、学校两级勤工俭学经费承担（赣教勤字文件要求全面实施）",
        },
    )
    _upsert(
        FundingRule,
        {"insurance_type": PolicyType.STUDENT, "from_year": 2021},
        {
            "to_year": None,
            "allowed_sources": [FundingSource.PARENT.value, FundingSource.INSURER_FREE.value, FundingSource.SCHOOL_ADVANCE.value],
            "note": "家长自愿购买；贫困家庭学生由保险公司免费投保或学校公用经费垫付",
        },
    )
    students = {(s.school_id, s.year_id): s for s in Submission.objects.filter(year_id__in=YEARS)}
    for year in YEARS:
        coverages = _load_coverage(year, schools, students, rng)
        policies = _load_policies(year, schools, students, coverages, broker, picc, cpic)
        _load_claims(year, schools, policies, rng)


def _load_coverage(year, schools, students, rng):
    rows = {}
    for code, school in schools.items():
        if code == "GX001" and year == 2024:
            continue  # left for the demo principal to fill in
        # The school's yearly counts (its submission) are what the coverage is checked against.
        sub = students[(school.pk, year)]
        enrolled, poor = sub.student_count, sub.poor_student_count
        free = round(poor * rng.uniform(0.5, 0.7))
        advanced = poor - free if rng.random() < 0.7 else max(poor - free - 2, 0)
        parent = round((enrolled - poor) * rng.uniform(0.72, 0.9))
        rows[code] = _upsert(
            StudentAccidentCoverage,
            {"school": school, "year_id": year},
            {
                "insured_parent_paid": parent,
                "poor_free_by_insurer": free,
                "poor_advanced_by_school": advanced,
                "advance_amount": _money(STUDENT_RATE * advanced),
                "voluntary_consent_recorded": True,
            },
        )
    return rows


def _load_policies(year, schools, students, coverages, broker, picc, cpic):
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    from workstudy.demo import BASE_COUNTS

    # The policy insures every student; a school that has not entered its counts yet
    # (the demo principal's, 2024) is insured on the bureau's own figure.
    all_students = sum(
        (students[(s.pk, year)].student_count if (s.pk, year) in students else None) or BASE_COUNTS[code][1]
        for code, s in schools.items()
    )
    policies = {}
    # 学校财产险: county-wide, paid by the city.
    premium = _money(Decimal("96000") + 2000 * (year - 2021))
    prop = _upsert(
        InsurancePolicy,
        {"policy_no": f"PCX{year}360681000001"},
        {
            "year_id": year,
            "policy_type": PolicyType.PROPERTY,
            "insurer": picc,
            "broker": broker,
            "school": None,
            "coverage_start": start,
            "coverage_end": end,
            "sum_insured": _money(120_000_000 + 5_000_000 * (year - 2021)),
            "per_accident_limit": _money(2_000_000),
            "per_person_limit": None,
            "aggregate_limit": None,
            "premium_rate": None,
            "insured_count": None,
            "premium_total": premium,
            "compulsory": False,
            "note": "全市中小学校舍及设备统一投保",
        },
    )
    _upsert(PremiumFunding, {"policy": prop, "source": FundingSource.CITY}, {"amount": premium, "persons": 0})
    policies[PolicyType.PROPERTY] = prop
    # 校(园)方责任险: county-wide, bureau and schools' work-study funds half each.
    premium = _money(LIABILITY_RATE * all_students)
    liab = _upsert(
        InsurancePolicy,
        {"policy_no": f"ZRX{year}360681000001"},
        {
            "year_id": year,
            "policy_type": PolicyType.LIABILITY,
            "insurer": picc,
            "broker": broker,
            "school": None,
            "coverage_start": start,
            "coverage_end": end,
            "sum_insured": None,
            "per_accident_limit": _money(3_000_000),
            "per_person_limit": _money(300_000),
            "aggregate_limit": _money(10_000_000),
            "premium_rate": LIABILITY_RATE,
            "insured_count": all_students,
            "premium_total": premium,
            "compulsory": False,
            "note": "全市在校学生",
        },
    )
    bureau_share = _money(premium / 2)
    _upsert(PremiumFunding, {"policy": liab, "source": FundingSource.BUREAU_WORKSTUDY}, {"amount": bureau_share, "persons": 0})
    _upsert(
        PremiumFunding,
        {"policy": liab, "source": FundingSource.SCHOOL_WORKSTUDY},
        {"amount": premium - bureau_share, "persons": 0},
    )
    policies[PolicyType.LIABILITY] = liab
    # 学平险: county-wide group policy through the broker; parents pay, poor students free or advanced.
    parent = sum(c.insured_parent_paid for c in coverages.values())
    free = sum(c.poor_free_by_insurer for c in coverages.values())
    advanced = sum(c.poor_advanced_by_school for c in coverages.values())
    advance_amount = sum((c.advance_amount for c in coverages.values()), start=Decimal("0.00"))
    parent_amount = _money(STUDENT_RATE * parent)
    stud = _upsert(
        InsurancePolicy,
        {"policy_no": f"XPX{year}360681000001"},
        {
            "year_id": year,
            "policy_type": PolicyType.STUDENT,
            "insurer": cpic,
            "broker": broker,
            "school": None,
            "coverage_start": start,
            "coverage_end": end,
            "sum_insured": None,
            "per_accident_limit": None,
            "per_person_limit": _money(20_000),
            "aggregate_limit": None,
            "premium_rate": STUDENT_RATE,
            "insured_count": parent + free + advanced,
            "premium_total": parent_amount + advance_amount,
            "compulsory": False,
            "note": "家长自愿投保，学校不代收、不强制",
        },
    )
    _upsert(PremiumFunding, {"policy": stud, "source": FundingSource.PARENT}, {"amount": parent_amount, "persons": parent})
    _upsert(PremiumFunding, {"policy": stud, "source": FundingSource.INSURER_FREE}, {"amount": Decimal("0.00"), "persons": free})
    _upsert(
        PremiumFunding, {"policy": stud, "source": FundingSource.SCHOOL_ADVANCE}, {"amount": advance_amount, "persons": advanced}
    )
    policies[PolicyType.STUDENT] = stud
    # The vocational school insures its interns on its own (校方责任险, its own work-study funds).
    vocational = schools.get("GX005")
    if vocational is not None:
        interns = 300 + 20 * (year - 2021)
        premium = _money(Decimal("10.00") * interns)
        own = _upsert(
            InsurancePolicy,
            {"policy_no": f"ZRX{year}360681GX0051"},
            {
                "year_id": year,
                "policy_type": PolicyType.LIABILITY,
                "insurer": picc,
                "broker": broker,
                "school": vocational,
                "coverage_start": start,
                "coverage_end": end,
                "sum_insured": None,
                "per_accident_limit": _money(1_000_000),
                "per_person_limit": _money(200_000),
                "aggregate_limit": _money(2_000_000),
                "premium_rate": Decimal("10.00"),
                "insured_count": interns,
                "premium_total": premium,
                "compulsory": False,
                "note": "实习学生校方责任险",
            },
        )
        _upsert(PremiumFunding, {"policy": own, "source": FundingSource.SCHOOL_WORKSTUDY}, {"amount": premium, "persons": 0})
    return policies


def _person(rng, year):
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    birth = dt.date(year - rng.randint(7, 17), rng.randint(1, 12), rng.randint(1, 28))
    number = f"360681{birth:%Y%m%d}{rng.randint(100, 999)}{rng.randint(0, 9)}"
    return name, number


def _load_claims(year, schools, policies, rng):
    codes = sorted(schools)
    plan = [PolicyType.PROPERTY] * 3 + [PolicyType.LIABILITY] * 7 + [PolicyType.STUDENT] * 22
    last_day = dt.date(year, 12, 20)
    for seq, policy_type in enumerate(plan, start=1):
        claim_no = f"LP{year}-{seq:04d}"
        school = schools[rng.choice(codes)]
        if seq == 11 and "GX001" in schools:
            school = schools["GX001"]  # the demo principal's school has a claim every year
        policy = policies[policy_type]
        incident = dt.date(year, 1, 5) + dt.timedelta(days=rng.randint(0, 320))
        reported = incident + dt.timedelta(days=rng.randint(0, 2))
        if policy_type == PolicyType.PROPERTY:
            kind, place, cause = rng.choice(PROPERTY_CASES)
            claimant, persons, name, number = ClaimantKind.SCHOOL, 0, "", ""
            requested = _money(rng.randint(8, 90) * 1000 + rng.randint(0, 99) * 10)
        else:
            kind, place, cause = rng.choice(LIABILITY_CASES if policy_type == PolicyType.LIABILITY else STUDENT_CASES)
            claimant = ClaimantKind.STUDENT
            persons = 2 if rng.random() < 0.1 else 1
            name, number = _person(rng, year)
            top = 40_000 if policy_type == PolicyType.LIABILITY else 12_000
            requested = _money(rng.randint(600, top) + rng.randint(0, 99) / 100)
        # Outcome: mostly paid; some rejected; late-2024 ones still in progress.
        roll = rng.random()
        if year == 2024 and incident > dt.date(2024, 10, 1):
            status = rng.choice([ClaimStatus.REPORTED, ClaimStatus.DOCS_COMPLETE, ClaimStatus.REVIEWING])
        elif roll < 0.1:
            status = ClaimStatus.REJECTED
        else:
            status = ClaimStatus.PAID
        values = {
            "school": school,
            "policy": policy,
            "year_id": year,
            "claimant_kind": claimant,
            "injured_name": name,
            "injured_id_number": number,
            "incident_date": incident,
            "place": place,
            "incident_kind": kind,
            "cause": cause,
            "persons": persons,
            "requested_amount": requested,
            "reported_date": reported,
            "status": status,
            "assessed_amount": None,
            "paid_amount": None,
            "reject_reason": "",
            "documents_date": None,
            "review_date": None,
            "paid_date": None,
            "rejected_date": None,
        }
        day = reported
        if status != ClaimStatus.REPORTED:
            day = min(day + dt.timedelta(days=rng.randint(5, 20)), last_day)
            values["documents_date"] = day
        if status in (ClaimStatus.REVIEWING, ClaimStatus.PAID) or (status == ClaimStatus.REJECTED and rng.random() < 0.6):
            day = min(day + dt.timedelta(days=rng.randint(3, 12)), last_day)
            values["review_date"] = day
        if status in (ClaimStatus.REVIEWING, ClaimStatus.PAID):
            values["assessed_amount"] = _money(requested * Decimal(rng.choice(["1", "0.95", "0.9", "0.85", "0.8"])))
        if status == ClaimStatus.PAID:
            paid = values["assessed_amount"]
            if policy.per_person_limit is not None:
                paid = min(paid, policy.per_person_limit * max(persons, 1))
            values["assessed_amount"] = paid
            values["paid_amount"] = paid
            day = day + dt.timedelta(days=rng.randint(7, 30))
            # Claims of the last weeks of a year are paid the next January (booked in the paid year).
            values["paid_date"] = day if year < 2024 else min(day, last_day)
        if status == ClaimStatus.REJECTED:
            day = min(day + dt.timedelta(days=rng.randint(3, 15)), last_day)
            values["rejected_date"] = day
            values["reject_reason"] = rng.choice(
                [
                    "经查勘，事故发生在放学离校后的校外场所，不属于保险责任范围。",
                    "就医费用已由城乡居民医疗保险全额报销，无可赔付的自付费用。",
                    "逾期未提交医疗费发票原件，经多次催告仍未补齐。",
                ]
            )
        claim = _upsert(Claim, {"claim_no": claim_no}, values)
        required = REQUIRED_DOCUMENTS[claimant]
        for index, doc_type in enumerate(required):
            received = status != ClaimStatus.REPORTED or index < 2
            _upsert(ClaimDocument, {"claim": claim, "doc_type": doc_type}, {"received": received, "note": ""})
