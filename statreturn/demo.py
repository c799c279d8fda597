"""Demo data of the official return for 贵溪市, 2024 (idempotent): the return figures of the
four enterprises with yearly figures (the service centre's are in 后勤社会化). Invented but
plausible: each enterprise's uses of 补贴教育经费 add up to what it handed over that year."""

from __future__ import annotations

from decimal import Decimal

from enterprises.models import Enterprise, EnterpriseYearStat

from .models import EnterpriseReturn, Sector

YEAR = 2024
# name: (sector, output value, assets, liabilities, tax relief, uses (基地建设, 改善办学条件, 集体福利,
# 个人福利, 其他), year-end balance)
FIGURES = {
    "市职中校服厂": (
        Sector.INDUSTRY,
        "3420000",
        "2860000",
        "940000",
        "12000",
        ("30000", "110000", "20000", "10000", "10000"),
        "86000",
    ),
    "实小校具厂": (Sector.INDUSTRY, "1450000", "1320000", "510000", "6000", ("0", "60000", "10000", "5000", "0"), "42000"),
    "宏达乳胶漆厂": (Sector.INDUSTRY, "1300000", "1680000", "1120000", "0", ("15000", "25000", "5000", "0", "0"), "38000"),
    # After the reform the 作业本 production right is let by tender: a yearly fee (第三产业).
    "教育印刷厂": (Sector.TERTIARY, "330000", "620000", "0", "0", ("50000", "200000", "15000", "0", "10000"), "22000"),
}


def load(*, schools=None, users=None):
    for name, (sector, output, assets, liabilities, relief, uses, balance) in FIGURES.items():
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None or not EnterpriseYearStat.objects.filter(enterprise=enterprise, year_id=YEAR).exists():
            continue
        values = dict(
            sector=sector,
            output_value=Decimal(output),
            assets=Decimal(assets),
            liabilities=Decimal(liabilities),
            tax_relief=Decimal(relief),
            use_base_building=Decimal(uses[0]),
            use_school_conditions=Decimal(uses[1]),
            use_collective_welfare=Decimal(uses[2]),
            use_personal_welfare=Decimal(uses[3]),
            use_other=Decimal(uses[4]),
            year_end_balance=Decimal(balance),
            equity=Decimal(assets) - Decimal(liabilities),
        )
        row = EnterpriseReturn.objects.filter(enterprise=enterprise, year_id=YEAR).first()
        if row is None:
            row = EnterpriseReturn(enterprise=enterprise, year_id=YEAR, **values)
        elif all(getattr(row, key) == value for key, value in values.items()):
            continue
        else:
            for key, value in values.items():
                setattr(row, key, value)
        row.full_clean()
        row.save()


__all__ = ["load"]
