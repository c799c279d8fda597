"""Insurance validation rules (INS-xx): claim limits and dates, coverage counts, funding.

ERROR rules are enforced in the models' ``clean()``; WARNING rules have a
``year_check`` that runs in a fixed number of queries for any number of schools.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from workstudy.rules import ERROR, WARNING, finding_url, rule, year_check

M = "insurance"

RULE_PAID_LE_ASSESSED_LE_REQUESTED = rule(
    "INS-01",
    ERROR,
    _("赔付 ≤ 核定 ≤ 申请"),
    _("%(what)s %(amount)s 元不能超过%(other)s %(limit)s 元（赔付金额 ≤ 核定金额 ≤ 申请金额）。"),
    module=M,
)
RULE_PER_PERSON = rule(
    "INS-02",
    ERROR,
    _("不超过每人赔偿限额"),
    _("赔付金额 %(amount)s 元超过了保单每人赔偿限额 %(limit)s 元 × %(persons)s 人次。"),
    module=M,
)
RULE_PER_ACCIDENT = rule(
    "INS-03",
    ERROR,
    _("不超过每次事故赔偿限额"),
    _("赔付金额 %(amount)s 元超过了保单每次事故赔偿限额 %(limit)s 元。"),
    module=M,
)
RULE_AGGREGATE = rule(
    "INS-04",
    ERROR,
    _("保单累计赔付不超过累计限额"),
    _("保单 %(policy)s 累计赔付将达到 %(total)s 元，超过累计赔偿限额 %(limit)s 元。"),
    module=M,
)
RULE_SUM_INSURED = rule(
    "INS-05",
    ERROR,
    _("财产险赔付不超过保险金额"),
    _("财产险保单 %(policy)s 累计赔付将达到 %(total)s 元，超过保险金额 %(limit)s 元。"),
    module=M,
)
RULE_INCIDENT_IN_COVERAGE = rule(
    "INS-06",
    ERROR,
    _("出险日期在保险期间内"),
    _("出险日期 %(date)s 不在保单 %(policy)s 的保险期间（%(start)s 至 %(end)s）内。"),
    module=M,
)
RULE_DATE_ORDER = rule(
    "INS-07",
    ERROR,
    _("出险 ≤ 报案 ≤ 赔付日期"),
    _("%(later)s（%(later_date)s）不能早于%(earlier)s（%(earlier_date)s）。"),
    module=M,
)
RULE_COUNTS = rule(
    "INS-08",
    ERROR,
    _("人数、人次为非负整数"),
    _("人数和人次必须是不小于 0 的整数。"),
    module=M,
)
RULE_PERSONS_KIND = rule(
    "INS-09",
    ERROR,
    _("人员伤害案件至少 1 人次"),
    _("出险对象是%(kind)s的案件，受伤人次至少为 1。"),
    module=M,
)
RULE_PROPERTY_NO_PERSONS = rule(
    "INS-10",
    ERROR,
    _("财产损失案件人次为 0"),
    _("财产险案件是纯财产损失，受伤人次应填 0（现为 %(persons)s）。"),
    module=M,
)
RULE_POOR_COVERED = rule(
    "INS-11",
    ERROR,
    _("免费及垫付的贫困生不超过贫困生总数"),
    _("保险公司免费投保 %(free)s 人 + 学校垫付 %(advanced)s 人，超过了本校年度基本情况中的贫困家庭学生数 %(poor)s 人。"),
    module=M,
)
RULE_INSURED_LE_ENROLLED = rule(
    "INS-12",
    ERROR,
    _("投保人数不超过在校学生数"),
    _("学平险投保人数合计 %(insured)s 人，超过了本校年度基本情况中的学生人数 %(enrolled)s 人。"),
    module=M,
)
RULE_COUNTS_ENTERED = rule(
    "INS-13",
    ERROR,
    _("学平险按本校年度学生人数核对"),
    _("请先在“年度基本情况”中填写本校 %(year)s 年的学生人数和贫困家庭学生人数，学平险的投保人数按这些人数核对。"),
    module=M,
)
# INS-14 (贫困生不超过在校学生数) is now the counts form's own rule (workstudy), where the
# students and poor students are entered once.
RULE_FUNDING_SUM = rule(
    "INS-15",
    WARNING,
    _("保费来源合计等于保费"),
    _("保单 %(policy)s 各经费来源合计 %(funded)s 元，与保费合计 %(premium)s 元不一致。"),
    module=M,
)
RULE_SOURCE_ALLOWED = rule(
    "INS-16",
    ERROR,
    _("经费来源须符合经费保障规则"),
    _("%(year)s 年度%(type)s的保费不能由“%(source)s”承担。按经费保障规则，允许的来源是：%(allowed)s。"),
    module=M,
)
RULE_LIABILITY_NOT_PARENTS = rule(
    "INS-17",
    ERROR,
    _("校(园)方责任险不得向家长收费"),
    _("校(园)方责任险保费由教育局和学校两级勤工俭学经费承担，严禁向学生或家长收取。"),
    module=M,
)
RULE_VOLUNTARY = rule(
    "INS-18",
    ERROR,
    _("学平险不得强制投保"),
    _("学平险坚持自愿原则，不搞强买强卖，不能设为强制投保。"),
    module=M,
)
RULE_VOLUNTARY_CONSENT = rule(
    "INS-19",
    ERROR,
    _("学平险须有家长自愿投保记录"),
    _("有学生投保学平险时，须留存家长自愿投保的告知/确认材料并勾选此项。"),
    module=M,
)
RULE_ACTIVE_POLICY = rule(
    "INS-20",
    ERROR,
    _("理赔须有覆盖出险日期的有效保单"),
    _(
        "%(school)s 在出险日期 %(date)s 没有有效的“%(type)s”保单（本校保单或全市统保保单），不能登记理赔。"
        "请核实出险日期和险种，或联系勤工办确认投保情况。"
    ),
    module=M,
)
RULE_REJECT_REASON = rule(
    "INS-21",
    ERROR,
    _("拒赔须写明原因"),
    _("拒赔时请写明原因，学校将看到这段说明。"),
    module=M,
)
RULE_PAID_COMPLETE = rule(
    "INS-22",
    ERROR,
    _("已赔付案件须有赔付金额和日期"),
    _("“已赔付”的案件必须填写实际赔付金额和赔付日期。"),
    module=M,
)
RULE_DOCUMENTS = rule(
    "INS-23",
    ERROR,
    _("材料齐全才能进入审核"),
    _("理赔材料还缺：%(missing)s。收齐后才能标记为“材料齐全”。"),
    module=M,
)
RULE_COVERAGE_PERIOD = rule(
    "INS-24",
    ERROR,
    _("保险止期不早于起期"),
    _("保险止期 %(end)s 早于起期 %(start)s。"),
    module=M,
)
RULE_ADVANCE_AMOUNT = rule(
    "INS-25",
    ERROR,
    _("垫付人数与垫付金额一致"),
    _("学校垫付的贫困生 %(persons)s 人与垫付金额 %(amount)s 元不一致：有垫付人数就要填写金额，没有则金额为 0。"),
    module=M,
)
RULE_YEARS_ORDER = rule(
    "INS-26",
    ERROR,
    _("截止年度不早于起始年度"),
    _("截止年度 %(end)s 早于起始年度 %(start)s。"),
    module=M,
)
RULE_CLAIM_TRANSITION = rule(
    "INS-27",
    ERROR,
    _("理赔状态按流程变更"),
    _("案件当前状态为“%(current)s”，不能变更为“%(target)s”。页面可能已过期，请刷新。"),
    module=M,
)


@year_check(RULE_FUNDING_SUM)
def check_funding_sum(year: int, school_id: int | None):
    """Policies whose funding rows do not add up to the premium (one query)."""
    from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
    from django.db.models.functions import Coalesce

    from .models import InsurancePolicy, PremiumFunding

    funded = PremiumFunding.objects.filter(policy_id=OuterRef("pk")).values("policy_id").annotate(t=Sum("amount")).values("t")
    qs = (
        InsurancePolicy.objects.filter(year_id=year)
        .select_related("school")
        .annotate(
            funded=Coalesce(
                Subquery(funded, output_field=DecimalField(max_digits=14, decimal_places=2)),
                Value(Decimal("0.00")),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
    )
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    found = []
    for policy in qs:
        policy.funded = Decimal(policy.funded).quantize(Decimal("0.01"))
        if policy.funded != policy.premium_total:
            found.append(
                RULE_FUNDING_SUM.finding(
                    school=policy.school,
                    obj=policy,
                    url=finding_url("insurance:policy_detail", args=[policy.pk]),
                    policy=policy.policy_no,
                    funded=policy.funded,
                    premium=policy.premium_total,
                )
            )
    return found
