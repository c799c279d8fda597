"""Validation rules of the official statistical return's own figures (codes SR-xx).

Errors only, enforced in :meth:`statreturn.models.EnterpriseReturn.clean` (pages and Excel
import alike): a row needs the enterprise's yearly figures of the same year (its revenue,
profit, tax and 补贴教育经费 live there), the owners' equity is assets minus liabilities, and
the uses of 补贴教育经费 do not add up to more than was handed over.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from workstudy.rules import ERROR, rule

MODULE = "statreturn"

ONE_PER_YEAR = rule(
    "SR-01",
    ERROR,
    _("每个企业每年一条统计报表数据"),
    _("%(name)s %(year)s 年的统计报表数据已经填写过，请修改已有的那一条。"),
    module=MODULE,
)
NEEDS_YEAR_FIGURES = rule(
    "SR-02",
    ERROR,
    _("先填企业年度数据"),
    _("%(name)s %(year)s 年还没有企业年度数据（销售收入、成本、税金、补贴教育经费），请先在“校办企业 · 年度数据”中填写。"),
    module=MODULE,
)
EQUITY_BALANCES = rule(
    "SR-03",
    ERROR,
    _("所有者权益 = 资产总额 − 负债总额"),
    _(
        "所有者权益应等于资产总额减负债总额（%(assets)s − %(liabilities)s = %(expected)s 元），现在填的是 %(equity)s 元。"
        "不填则自动计算。"
    ),
    module=MODULE,
)
USES_WITHIN_SUBSIDY = rule(
    "SR-04",
    ERROR,
    _("补贴教育经费的用途合计不超过补贴教育经费"),
    _("补贴教育经费的各项用途合计 %(uses)s 元，超过了 %(name)s %(year)s 年补贴教育经费 %(subsidy)s 元，请核对。"),
    module=MODULE,
)
