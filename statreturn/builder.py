"""The official return (勤工俭学（校办产业）综合统计报表) computed over a set of schools: the one
place its figures are computed.

:func:`build` takes a year and a queryset of schools (a region is only a filter on it) and
returns a :class:`StatReturn`: two sheets, 基本情况 and 收益及分配, each a list of
:class:`Line` (code, name, unit, value) with the rows each figure came from
(:class:`Source`, with the page that shows the row). A line with ``parts`` is the sum of
those lines (a line may have two breakdowns, e.g. by sector and by kind); the builder adds
the parts up, so a subtotal always equals the sum of its lines.

What is counted, for ``year``:

* a school 开展勤工俭学 when it has a labor base with accounts for the year
  (:class:`labor_bases.models.BaseYearFinance`) or sponsors an enterprise with yearly figures
  (:class:`enterprises.models.EnterpriseYearStat`);
* enterprises: those with yearly figures, sponsored by one of the schools (and, with
  ``bureau=True``, those run by the bureau's 勤工办, which belong to no school); their sector,
  assets, liabilities, output value, tax relief and the uses of 补贴教育经费 come from
  :class:`statreturn.models.EnterpriseReturn`; an enterprise without that row is counted
  under 行业未填 and its 补贴教育经费 under 未填用途;
* bases: the schools' labor bases with accounts for the year, all under 农林牧渔业; their
  总产值 is the products' value, revenue and profit the accounts', 补贴教育经费 what they
  handed to the school (上缴学校). Bases record no staff, assets or liabilities;
* profit only where a cost was entered (as the county summary: revenue without cost has no profit).

A fixed number of queries (four) whatever the number of schools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from enterprises.models import EnterpriseYearStat
from labor_bases.models import BaseYearFinance
from workstudy.models import SchoolKind

from .models import USE_FIELDS, ZERO, EnterpriseReturn, Sector

UNKNOWN = "unknown"  # an enterprise without its return row: sector not known
YUAN = object()  # the unit of money lines (shown as 元)
SECTORS = [value for value, _label in Sector.choices]
BASIC, INCOME, SOURCES = "基本情况", "收益及分配", "数据来源"


@dataclass
class Source:
    kind: str  # what sort of row (企业年度数据, 基地年度收支...)
    label: str  # which row
    value: Decimal | int  # what it adds to the figure
    url: str


@dataclass
class Line:
    code: str
    label: str
    unit: str
    level: int = 0  # 0: a heading figure, 1: one of its lines
    value: Decimal | int = 0
    sources: list[Source] = field(default_factory=list)
    parts: tuple[tuple[str, ...], ...] = ()  # each: codes of lines that add up to this one
    money: bool = False  # 元 (Decimal, 2 places); else a count (int)

    def add(self, source: Source) -> None:
        self.sources.append(source)
        self.value += source.value


@dataclass
class Sheet:
    title: str  # the form's own (Chinese) name, the .xlsx sheet's title
    label: str  # the same in the page's language
    lines: list[Line]


@dataclass
class StatReturn:
    year: int
    scope: str  # who the return covers, e.g. 全部可见学校（N 所）
    sheets: list[Sheet]

    def lines(self) -> list[Line]:
        return [line for sheet in self.sheets for line in sheet.lines]

    def line(self, code: str) -> Line | None:
        return next((line for line in self.lines() if line.code == code), None)


def sector_label(sector: str) -> str:
    return str(Sector(sector).label) if sector in SECTORS else _("行业未填")


def _url(name: str, **params) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


class _Builder:
    def __init__(self, year: int, schools: QuerySet, bureau: bool, enterprises: QuerySet | None = None):
        self.year = year
        self.schools = schools
        self.bureau = bureau
        self.enterprises = enterprises
        self.lines: dict[str, Line] = {}

    def new(self, code, label, unit, level=0, parts=()) -> Line:
        money = unit is YUAN
        line = Line(
            code=code,
            label=str(label),
            unit=str(_("元") if money else unit),
            level=level,
            parts=parts,
            value=ZERO if money else 0,
            money=money,
        )
        self.lines[code] = line
        return line

    # -- the rows ------------------------------------------------------------------------
    def read(self):
        schools = self.schools
        self.school_rows = list(schools.values("pk", "name", "kind").order_by("code"))
        sponsored = Q(enterprise__sponsor_school__in=schools.values("pk"))
        if self.bureau:
            own = Q(enterprise__sponsor_school__isnull=True)
            if self.enterprises is not None:  # the bureau's own enterprises of the reader's counties
                own &= Q(enterprise__in=self.enterprises.values("pk"))
            sponsored |= own
        self.stats = list(
            EnterpriseYearStat.objects.filter(sponsored, year_id=self.year)
            .values(
                "pk",
                "enterprise_id",
                "enterprise__name",
                "enterprise__sponsor_school_id",
                "revenue",
                "cost",
                "profit",
                "tax",
                "employees",
                "remitted_to_education",
            )
            .order_by("enterprise__name")
        )
        returns = EnterpriseReturn.objects.filter(year_id=self.year, enterprise_id__in=[s["enterprise_id"] for s in self.stats])
        self.returns = {row.enterprise_id: row for row in returns}
        self.finances = list(
            BaseYearFinance.objects.filter(year_id=self.year, base__school__in=schools.values("pk"))
            .values(
                "pk",
                "base_id",
                "base__name",
                "base__school_id",
                "base__school__name",
                "production_value",
                "revenue",
                "cost",
                "profit",
                "remitted_to_school",
            )
            .order_by("base__school__code", "base__name")
        )

    def stat_source(self, stat, value, what=None) -> Source:
        return Source(
            str(what or _("企业年度数据")),
            _("%(name)s %(year)s 年") % {"name": stat["enterprise__name"], "year": self.year},
            value,
            _url("enterprises:figures", year=self.year, enterprise=stat["enterprise_id"]),
        )

    def return_source(self, row: EnterpriseReturn, name: str, value) -> Source:
        return Source(
            str(_("企业统计报表数据")),
            _("%(name)s %(year)s 年") % {"name": name, "year": self.year},
            value,
            _url("statreturn:figures", year=self.year, enterprise=row.enterprise_id),
        )

    def base_source(self, finance, value) -> Source:
        return Source(
            str(_("基地年度收支")),
            f"{finance['base__school__name']} · {finance['base__name']}",
            value,
            _url("labor_bases:finance", year=self.year, school=finance["base__school_id"], base=finance["base_id"]),
        )

    def sector_of(self, stat) -> str:
        row = self.returns.get(stat["enterprise_id"])
        return row.sector if row is not None else UNKNOWN

    # -- 基本情况 ------------------------------------------------------------------------
    def basic(self) -> list[Line]:
        kinds = list(SchoolKind.choices)
        school_codes = tuple(f"A{n:02d}" for n in range(2, 2 + len(kinds)))
        schools = self.new("A01", _("开展勤工俭学的学校"), _("所"), parts=(school_codes,))
        by_kind = {value: self.new(code, label, _("所"), 1) for code, (value, label) in zip(school_codes, kinds, strict=True)}
        active: dict[int, Source] = {}
        for finance in self.finances:
            active.setdefault(finance["base__school_id"], self.base_source(finance, 1))
        for stat in self.stats:
            school_id = stat["enterprise__sponsor_school_id"]
            if school_id is not None:
                active.setdefault(school_id, self.stat_source(stat, 1))
        for school in self.school_rows:
            source = active.get(school["pk"])
            if source is not None and school["kind"] in by_kind:
                by_kind[school["kind"]].add(Source(source.kind, f"{school['name']}（{source.label}）", 1, source.url))

        sector_codes = {"agriculture": "A11", "industry": "A12", "tertiary": "A13", UNKNOWN: "A14"}
        units = self.new("A10", _("企业和基地"), _("个"), parts=(tuple(sector_codes.values()), ("A15", "A16")))
        unit_lines = {s: self.new(code, sector_label(s), _("个"), 1) for s, code in sector_codes.items()}
        enterprises_line = self.new("A15", _("其中：校办企业"), _("个"), 1)
        bases_line = self.new("A16", _("其中：勤工俭学基地"), _("个"), 1)
        for stat in self.stats:
            source = self.stat_source(stat, 1)
            unit_lines[self.sector_of(stat)].add(source)
            enterprises_line.add(source)
        for finance in self.finances:
            source = self.base_source(finance, 1)
            unit_lines["agriculture"].add(source)
            bases_line.add(source)

        staff_codes = {"agriculture": "A21", "industry": "A22", "tertiary": "A23", UNKNOWN: "A24"}
        staff = self.new("A20", _("职工人数"), _("人"), parts=(tuple(staff_codes.values()),))
        staff_lines = {s: self.new(code, sector_label(s), _("人"), 1) for s, code in staff_codes.items()}
        for stat in self.stats:
            staff_lines[self.sector_of(stat)].add(self.stat_source(stat, stat["employees"] or 0))

        money_lines = []
        for first, label, attr in (
            (30, _("资产总额"), "assets"),
            (40, _("负债总额"), "liabilities"),
            (50, _("所有者权益"), "equity"),
        ):
            codes = {s: f"A{first + 1 + i}" for i, s in enumerate(SECTORS)}
            total = self.new(f"A{first}", label, YUAN, parts=(tuple(codes.values()),))
            lines = {s: self.new(code, sector_label(s), YUAN, 1) for s, code in codes.items()}
            for stat in self.stats:
                row = self.returns.get(stat["enterprise_id"])
                if row is not None:
                    lines[row.sector].add(self.return_source(row, stat["enterprise__name"], getattr(row, attr) or ZERO))
            money_lines += [total, *lines.values()]
        result = [
            schools,
            *by_kind.values(),
            units,
            *unit_lines.values(),
            enterprises_line,
            bases_line,
            staff,
            *staff_lines.values(),
            *money_lines,
        ]
        return result

    # -- 收益及分配 ----------------------------------------------------------------------
    def by_sector(
        self, first: int, label, *, stat_value=None, return_value=None, base_value=None, unknown: bool = True
    ) -> list[Line]:
        sectors = [*SECTORS, UNKNOWN] if unknown else SECTORS
        codes = {s: f"B{first + 1 + i:02d}" for i, s in enumerate(sectors)}
        total = self.new(f"B{first:02d}", label, YUAN, parts=(tuple(codes.values()),))
        lines = {s: self.new(code, sector_label(s), YUAN, 1) for s, code in codes.items()}
        for stat in self.stats:
            if stat_value is not None:
                value = stat_value(stat)
                if value is not None:
                    lines[self.sector_of(stat)].add(self.stat_source(stat, value))
            row = self.returns.get(stat["enterprise_id"])
            if return_value is not None and row is not None:
                lines[row.sector].add(self.return_source(row, stat["enterprise__name"], return_value(row)))
        if base_value is not None:
            for finance in self.finances:
                lines["agriculture"].add(self.base_source(finance, base_value(finance)))
        return [total, *lines.values()]

    def income(self) -> list[Line]:
        def money(value):
            return value if value is not None else ZERO

        result = [
            *self.by_sector(
                1,
                _("总产值"),
                return_value=lambda r: r.output_value,
                base_value=lambda f: money(f["production_value"]),
                unknown=False,
            ),
            *self.by_sector(
                10, _("营业收入"), stat_value=lambda s: money(s["revenue"]), base_value=lambda f: money(f["revenue"])
            ),
            # Profit only against a known cost (a row without cost has none).
            *self.by_sector(
                20,
                _("利润"),
                stat_value=lambda s: None if s["cost"] is None else money(s["profit"]),
                base_value=lambda f: money(f["profit"]),
            ),
            *self.by_sector(30, _("缴纳税金"), stat_value=lambda s: money(s["tax"])),
            *self.by_sector(40, _("减免税金"), return_value=lambda r: r.tax_relief, unknown=False),
        ]
        use_labels = (_("用于基地建设"), _("用于改善办学条件"), _("用于集体福利"), _("用于个人福利"), _("用于其他"))
        use_codes = tuple(f"B{n}" for n in range(53, 53 + len(USE_FIELDS)))
        subsidy = self.new("B50", _("补贴教育经费"), YUAN, parts=(("B51", "B52"), (*use_codes, "B58")))
        from_enterprises = self.new("B51", _("其中：校办企业补贴教育经费"), YUAN, 1)
        from_bases = self.new("B52", _("其中：基地上缴学校"), YUAN, 1)
        uses = {name: self.new(code, label, YUAN, 1) for name, code, label in zip(USE_FIELDS, use_codes, use_labels, strict=True)}
        unspecified = self.new("B58", _("未填用途"), YUAN, 1)
        for stat in self.stats:
            remitted = money(stat["remitted_to_education"])
            from_enterprises.add(self.stat_source(stat, remitted))
            row = self.returns.get(stat["enterprise_id"])
            spent = ZERO
            if row is not None:
                for name in USE_FIELDS:
                    value = getattr(row, name) or ZERO
                    uses[name].add(self.return_source(row, stat["enterprise__name"], value))
                    spent += value
            if remitted - spent:
                unspecified.add(self.stat_source(stat, remitted - spent, _("企业年度数据（补贴教育经费减已填用途）")))
        for finance in self.finances:
            handed = money(finance["remitted_to_school"])
            from_bases.add(self.base_source(finance, handed))
            if handed:
                unspecified.add(self.base_source(finance, handed))
        balance = self.new("B60", _("年末结余"), YUAN)
        for stat in self.stats:
            row = self.returns.get(stat["enterprise_id"])
            if row is not None:
                balance.add(self.return_source(row, stat["enterprise__name"], row.year_end_balance))
        subsidy.value = from_enterprises.value + from_bases.value
        return [*result, subsidy, from_enterprises, from_bases, *uses.values(), unspecified, balance]

    def total_up(self) -> None:
        """Every heading figure is the sum of its first breakdown's lines."""
        for line in self.lines.values():
            if line.parts:
                line.value = sum((self.lines[code].value for code in line.parts[0]), ZERO if line.money else 0)
                if not line.sources:
                    line.sources = [s for code in line.parts[0] for s in self.lines[code].sources]

    def build(self, scope: str) -> StatReturn:
        self.read()
        basic, income = self.basic(), self.income()
        self.total_up()
        return StatReturn(
            year=self.year,
            scope=scope,
            sheets=[Sheet(BASIC, _("基本情况"), basic), Sheet(INCOME, _("收益及分配"), income)],
        )


def build(year, schools: QuerySet, *, bureau: bool = True, enterprises: QuerySet | None = None,
          scope: str = "") -> StatReturn:
    """The return of ``year`` over ``schools`` (a queryset of :class:`~workstudy.models.School`);
    ``bureau``: count the enterprises run by the bureau's 勤工办 (which belong to no school)."""
    year = getattr(year, "pk", year)
    return _Builder(int(year), schools, bureau, enterprises).build(scope)


def parts_consistent(result: StatReturn) -> list[str]:
    """Lines whose value is not the sum of one of their breakdowns (empty: all add up)."""
    by_code = {line.code: line for line in result.lines()}
    wrong = []
    for line in by_code.values():
        for codes in line.parts:
            total = sum((by_code[code].value for code in codes), 0)
            if total != line.value:
                wrong.append(f"{line.code}: {line.value} != {' + '.join(codes)} = {total}")
    return wrong
