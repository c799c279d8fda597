"""Demo data of the summary: the county's narrative (numbers left to the data), the policy
documents it cites, and the period "2021年以来". Idempotent.

All of it is the demo county's (贵溪市, :func:`workstudy.demo.demo_county`), not shared by the
deployment: the demo's other counties, 余江区 and 月湖区, print their own (empty) texts."""

from __future__ import annotations

import datetime
from decimal import Decimal

from workstudy.demo import demo_county
from workstudy.models import ReportingYear, School

from .models import DatedFact, ExampleSchool, NarrativeBlock, PolicyDocument, Section, StatedFigure, SummarySettings

PERIOD_START = 2021

# The county insured every school's property and 校方责任 in 2006, two years before the
# province required it (赣教勤字〔2008〕3号). The other dated facts are entered where they belong
# (enterprise events, the centre, the funding rules, the broker); in the demo, in order:
# centre founded 2003, 改制 2005年6月, first unified 中考 lodging 2005, 率先 2006, warehouse
# 2007, province notice 2008, city pays 财产险 from 2009, broker from 2010.
FIRST_INSURANCE = (2006, None, "2006年全市中小学财产保险和校(园)方责任保险统保方案（演示数据）")

# The summary's 典型: 樟坪中心学校 and 周坊中学 described, 鸿塘中学 and 塔桥中小学 mentioned.
EXAMPLES = [
    ("GX001", ExampleSchool.Mode.FULL, ""),
    ("GX002", ExampleSchool.Mode.FULL, ""),
    ("GX003", ExampleSchool.Mode.BRIEF, "桔园"),
    ("GX004", ExampleSchool.Mode.BRIEF, "雪梨种植"),
]

# The county's handwritten summary says 约890亩 while its land types add up to 1,110 亩 (the demo's
# 2024 plots).
STATED = [(2024, StatedFigure.Key.LAND_TOTAL, "890", "原年度工作总结（手工稿）")]

DOCUMENTS = [
    # title, issuer, doc_no, date, kind, topic
    ("关于推进贵溪市学校后勤社会化工作的意见", "贵溪市教育局", "贵教字〔2016〕12号", datetime.date(2016, 3, 10),
     PolicyDocument.Kind.OPINION, PolicyDocument.Topic.LOGISTICS),
    ("贵溪市学校后勤社会化工作的实施方案", "贵溪市教育局", "贵教字〔2016〕13号", datetime.date(2016, 3, 10),
     PolicyDocument.Kind.PLAN, PolicyDocument.Topic.LOGISTICS),
    ("关于全面实施校(园)方责任保险工作的通知", "江西省教育厅", "赣教勤字〔2008〕3号", datetime.date(2008, 4, 15),
     PolicyDocument.Kind.NOTICE, PolicyDocument.Topic.LIABILITY),
]

NARRATIVE = {
    Section.INTRO: (
        "我局设立负责勤工俭学工作的职能股室——勤工办。勤工办具体负责对校办企业的引导，组织和指导学校劳动实践基地建设和"
        "后勤社会化工作的开展，负责管理学校风险转移工作和教育引资工作。\n"
        "{year}年，在市委、市政府的正确领导下，我市勤工俭学工作继续实现学校后勤工作局面由“学校补后勤”到“后勤补学校”的转变，"
        "达到了创收育人的目的，切实维护了学校安全和稳定。"
    ),
    Section.ENTERPRISES: (
        "改革是老校办企业走出困境的出路，竞争是激活企业活力的有效手段。原贵溪教育印刷厂是上世纪80年代创建的集体企业，"
        "曾为解决教育系统职工子女就业问题作出过贡献。随着市场经济的发展，这种吃大锅饭的老企业在产品质量、服务质量和管理水平上"
        "都无法抵抗市场的冲击，生存维艰，成为教育局的一大“包袱”。\n"
        "我局在市委、市政府的支持下，依据相关政策，对印刷厂进行了彻底的改革，引入竞争机制。这样一来我们不仅甩掉了包袱，"
        "而且还赢得了市场。企业实现了由原来旱涝保收吃大锅饭到以服务换取效益、以市场获得生存的角色转换。"
    ),
    Section.BASES: (
        "贵溪属丘陵地貌，土地资源丰富，温度湿度适宜农业种植、养殖业生产，学校劳动实践基地的建设也有着悠久的历史，"
        "上世纪60年代就创办了六岭农业中学（今市农技校前身）。我市始终把学校劳动实践基地作为全面推进素质教育的有效载体，"
        "坚持教育与生产劳动相结合，坚持教育为“三农”服务，为当地经济建设和社会发展服务。\n"
        "各校结合自身实际，因地制宜，开展了各具特色的劳动实践基地生产建设工作，收到可观的经济收入和良好的社会效益。"
    ),
    Section.LOGISTICS: (
        "推动学校后勤社会化工作，不仅是国务院及各级教育主管部门的要求，更是学校提高后勤服务质量和实现自身发展的需要。"
        "我们成立了贵溪市学校后勤社会化工作领导小组，组织相关单位及人员深入市场调查研究，最终形成了以行政推动加市场运作的模式，"
        "在开拓市场、开发校园经济方面做了一些有益的尝试和探索。\n"
        "以前中考期间各校自行组织考生住宾馆、旅社，学生“打地铺”是常事，膳食无卫生保障，考生安全得不到保证。"
        "统一管理以后，充分利用了学校现有资源和管理上的优势，不仅降低了服务成本，减轻了学生及家长经济负担，而且保证了学生安全。"
        "许多农村校长说：“这一方法真好，我们省心又省钱！”"
    ),
    Section.INSURANCE: (
        "学生的一次疾病可能拖垮一个家庭，校园的一次事故就可能毁掉一所学校。针对学校和家长风险抵御能力普遍较弱的现状，"
        "我市在积极探索风险特别是校方风险分散转移工作进程中走在全省前列。\n"
        "一是加强宣传和发动。我们充分利用宣传单、致家长信等形式广泛宣传学生安全保险的意义，使广大家长明白"
        "“平时积聚一点水，难时方有太平洋”“聚千家财，救一方难”等道理，并坚持自愿原则，不搞强买强卖。"
    ),
    Section.SHORTCOMINGS: (
        "我市勤工俭学工作在各级政府大力支持和主管部门的正确领导下取得一定成效，但离上级要求或与兄弟县市相比仍有不少差距："
        "校办企业底子薄弱，科技含量低，市场占有率还不高；教育市场还不够规范，部分学校领导对上级精神理解不够，"
        "自行其事的现象仍然存在；用于发展校园经济的资金不足，靠后勤补给后勤发展，在很大程度上阻碍了勤工俭学工作更快更高的发展。"
    ),
    Section.DIRECTIONS: (
        "根据这些情况，首先，我们坚决摆正育人、创收的位置，始终把服务育人放在第一，在此基础上再考虑创收；"
        "其次，进一步规范勤工俭学行为，做到合法经营；第三，做好对社会、家庭和学生的宣传引导工作，坚持自愿的原则，"
        "不搞强买强卖，不踩红线；第四，不断创新，确保后勤服务质量和管理水平再有新的提高，"
        "创建令学校满意、师生满意和社会满意的勤工俭学工作，从而促进我市教育工作和谐健康发展。"
    ),
}


def _put(model, county, defaults, **lookup):
    """The demo county's row of ``lookup``; the same row of an earlier load, when the demo's texts
    were shared by the deployment, becomes the county's."""
    if not model.objects.filter(county=county, **lookup).exists():
        model.objects.filter(county__isnull=True, **lookup).update(county=county)
    model.objects.update_or_create(county=county, **lookup, defaults=defaults)


def load(*, schools, users):
    county = demo_county()
    year, month, note = FIRST_INSURANCE
    _put(DatedFact, county, {"year": year, "month": month, "note": note}, kind=DatedFact.Kind.FIRST_INSURANCE)
    by_code = {school.code: school for school in School.objects.filter(code__in=[c for c, _m, _f in EXAMPLES])}
    for year in ReportingYear.objects.values_list("year", flat=True):
        for order, (code, mode, feature) in enumerate(EXAMPLES, start=1):
            if code in by_code:
                ExampleSchool.objects.update_or_create(
                    year_id=year, school=by_code[code], defaults={"mode": mode, "order": order, "feature": feature})
    for year, key, value, source in STATED:
        if ReportingYear.objects.filter(pk=year).exists():
            _put(StatedFigure, county, {"value": Decimal(value)}, year_id=year, key=key, source=source)
    for title, issuer, doc_no, date, kind, topic in DOCUMENTS:
        _put(PolicyDocument, county, {"doc_no": doc_no, "date": date, "kind": kind, "topic": topic},
             issuer=issuer, title=title)
    for year in ReportingYear.objects.filter(year__gte=PERIOD_START).values_list("year", flat=True):
        _put(SummarySettings, county, {"period_start": PERIOD_START}, year_id=year)
        for section, text in NARRATIVE.items():
            _put(NarrativeBlock, county, {"text": text.format(year=year), "heading": "", "approved": year < 2024},
                 year_id=year, section=section)
