"""The summary's formulas: the ONE place every number of the annual summary is computed.

Inputs come only from the data apps' selectors (:mod:`reports.sources`), the per-school
yearly sums kept as the labor bases' data is saved (:mod:`aggregates.selectors`, read instead
of every production line) and this app's own models. :func:`compute` returns a
:class:`Summary`: every figure with its value, unit, formula, the label of the
summary's blank it fills (P1-P14, shown in the list of gaps) and links to the rows behind
it; the tables; and the list of gaps (figures that could not be computed). A summary with
gaps prints the gap list, never "XX".

Formulas:

* total income of a year = enterprises' profit + labour bases' profit + service centre and
  exam lodging net income (revenue - cost);
* 总收益年均 (P2) = Σ total income over the period / number of years in the period; the
  period runs from the staff-chosen start year (P1, SummarySettings) to the report year;
* 补贴教育经费 (P3) = Σ remitted to education (enterprises, centre) and to schools (bases)
  over the period, cumulative or yearly average as the settings say;
* claims (P4, P5, P11) from ``insurance.selectors.claims_summary`` over the period;
* 万元 = 元 / 10000, 2 decimals, by :func:`reports.wording.to_wan` only; Decimal throughout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings as django_settings
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from workstudy import locks
from workstudy.lazystr import LazyStr
from workstudy.models import Region, ReportingYear, School, Submission, SubmissionStatus
from workstudy.notes import split_accepted
from workstudy.scoping import in_counties

from . import milestones as county_facts
from . import sources, texts
from .models import DatedFact, ExampleSchool, NarrativeBlock, PolicyDocument, Section, StatedFigure, SummarySettings
from .sources import MISSING
from .wording import (
    ZERO,
    approx_yuan,
    cn_int,
    dec,
    enumerate_items,
    flat,
    num,
    ordinal_count,
    pct_change,
    plot_name,
    to_wan,
    unique,
    unnumbered,
    wan,
    yuan,
)
from .wording import count as counted
from .wording import prose as as_printed

logger = logging.getLogger(__name__)

# Enterprise events that make up a 改制 (the summary prints the earliest one's year and month).
REFORM_KINDS = ("reform", "auction", "buyout", "tender")

APP_TITLES = {
    "enterprises": "校办企业",
    "labor_bases": "劳动实践基地",
    "logistics": "后勤服务中心",
    "insurance": "保险与理赔",
    "labor_education": "劳动教育",
}


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Figure:
    key: str
    label: str
    value: Any
    unit: str = ""
    text: str = ""  # how the document prints it
    blank: str = ""  # the label of the summary's blank it fills (P1..P14), shown in the gaps
    formula: str = ""
    links: list[Link] = field(default_factory=list)

    @property
    def missing(self) -> bool:
        return self.value is None

    @property
    def url(self) -> str:
        return self.links[0].url if self.links else ""


@dataclass
class Gap:
    blank: str
    label: str
    reason: str


@dataclass
class Summary:
    year: int
    county: str
    bureau: str
    data_version: int
    year_locked: bool
    period_start: int
    period_years: list[int]
    subsidy_mode: str
    figures: dict[str, Figure] = field(default_factory=dict)
    gaps: list[Gap] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    narratives: dict[str, NarrativeBlock | None] = field(default_factory=dict)
    # Computed once per Summary (a province's takes tenths of a second) and kept with it in the cache.
    _fingerprint: str = field(default="", repr=False, compare=False)
    _charts: dict | None = field(default=None, repr=False, compare=False)
    # A frozen summary of the whole deployment keeps each county's summary of the same moment.
    by_county: dict[int, Summary] = field(default_factory=dict, repr=False, compare=False)

    def fig(self, key: str) -> Figure | None:
        return self.figures.get(key)

    @property
    def complete(self) -> bool:
        return not self.gaps

    def fingerprint(self) -> str:
        """SHA-256 of everything the document prints (figures, tables, narrative)."""
        if not self._fingerprint:
            self._fingerprint = self._compute_fingerprint()
        return self._fingerprint

    def charts(self) -> dict[str, str]:
        """The SVG charts of this summary (pygal), made once."""
        if self._charts is None:
            from . import charts

            self._charts = charts.all_charts(self)
        return self._charts

    def _compute_fingerprint(self) -> str:
        payload = {
            "year": self.year, "data_version": self.data_version, "period": self.period_years,
            "subsidy_mode": self.subsidy_mode,
            "figures": {k: (f.value, f.text) for k, f in sorted(self.figures.items())},
            "gaps": [asdict(g) for g in self.gaps],
            "data": self.data,
            "narratives": {
                key: (block.heading, block.text, block.approved) if block else None
                for key, block in sorted(self.narratives.items())
            },
        }
        raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=_json_default)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _json_default(value):
    # Links to list pages are lazy and left out: they follow from the data, and resolving them
    # would load the whole URL configuration in a process that only renders the PDF.
    if isinstance(value, (LazyStr, Promise)):
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if is_dataclass(value):
        return asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return str(value)


def bureau_of(county) -> str:
    """The issuer the summary prints: the deployment's bureau (settings), or another county's
    education bureau named after the county."""
    return county.bureau_name() if county is not None else django_settings.PORTAL_BUREAU_NAME


def settings_for(year: int, county=None) -> SummarySettings:
    """The year's settings of ``county`` (a Region, its id or None), else the shared ones
    (:mod:`reports.texts`); an unsaved default if staff never set them: period = that year only."""
    rows = texts.own_or_shared(SummarySettings.objects.filter(year_id=year), county)
    found = texts.by_key(rows, county, lambda conf: conf.year_id).get(year)
    return found or SummarySettings(year_id=year, period_start=year)


class _Builder:
    def __init__(self, year: int, county=None):
        self.year = year
        # One county's summary: every selector is asked for that county's rows only.
        self.county = county
        self.counties = None if county is None else [county.pk]
        self.summary: Summary | None = None
        self.stamps = None

    def call(self, app: str, name: str, *args, **kwargs):
        """:func:`reports.sources.call`, narrowed to the summary's county when it has one."""
        if self.counties is not None:
            kwargs["counties"] = self.counties
        return sources.call_kept(app, name, *args, now=self.stamps, **kwargs)

    # -- helpers -----------------------------------------------------------------
    def add(self, figure: Figure, *, reason: str = "") -> Figure:
        self.summary.figures[figure.key] = figure
        if figure.value is None and figure.blank:
            self.summary.gaps.append(Gap(figure.blank, figure.label, reason or _("缺少数据")))
        return figure

    def link(self, app: str, kind: str, label: str, year: int | None | bool = True, **filters) -> list[Link]:
        # Lazy: resolved only when the HTML prints it ('' when the app has no such page).
        return [Link(label, sources.rows_url(app, kind, self.year if year is True else year, **filters))]

    def base_sums(self, name: str, *args):
        """The labor bases' county sums from the per-school yearly aggregates
        (:mod:`aggregates.selectors`, the same values as the app's selector of that name),
        or MISSING when the labor-base app is not installed."""
        if sources.selectors("labor_bases") is None:
            return MISSING
        from aggregates import selectors as aggregated

        kwargs = {} if self.counties is None else {"counties": self.counties}
        return sources.kept("labor_bases", f"aggregates.{name}", args, kwargs,
                            lambda: getattr(aggregated, name)(*args, **kwargs), now=self.stamps)

    @staticmethod
    def missing_app(app: str) -> str:
        return _("“%(app)s”模块尚未提供数据") % {"app": APP_TITLES[app]}

    def staff_texts(self) -> dict:
        """The staff-written rows the summary prints (:mod:`reports.texts`: the county's own, else
        the shared ones): its settings, narrative, example schools, policy documents, dated facts
        and stated figures, read together and kept until one of them (or the core) changes, so
        a summary computed again after a production line is saved does not read them again."""
        from workstudy import freshness

        county, year = self.texts_county, self.year

        def read() -> dict:
            return {
                "settings": settings_for(year, county),
                "narratives": texts.by_key(texts.own_or_shared(NarrativeBlock.objects.filter(year_id=year), county),
                                           county, lambda block: block.section),
                "examples": list(in_counties(ExampleSchool.objects.filter(year_id=year), self.counties)
                                 .order_by("order", "id")),
                "documents": texts.choose(texts.own_or_shared(PolicyDocument.objects.all(), county), county,
                                          lambda doc: doc.topic),
                "facts": county_facts.dated_facts(county),
                "stated": texts.choose(texts.own_or_shared(StatedFigure.objects.filter(year_id=year), county)
                                       .order_by("key", "source"), county, lambda row: row.key),
            }

        key = f"reports:texts:{year}:{county}:{self.counties}"
        return freshness.cached(key, read, apps=["reports"], now=self.stamps, what="the summary's staff texts")

    # -- the summary ---------------------------------------------------------------
    def build(self) -> Summary:
        from workstudy import freshness

        # Read before any data: a part kept under these stamps was read after them.
        self.stamps = None if freshness.in_transaction() else freshness.stamps()
        years = ReportingYear.objects if self.county else ReportingYear.objects.annotate(**texts.sole_county_annotations())
        self.year_obj = year_obj = years.get(pk=self.year)
        # Whose staff-written rows (narrative, settings, documents, facts, stated figures) it prints.
        self.texts_county = texts.texts_county(self.county, year_obj)
        self.texts = self.staff_texts()
        conf = self.texts["settings"]
        start = min(conf.period_start, self.year)
        period = list(range(start, self.year + 1))
        self.summary = s = Summary(
            year=self.year, county=self.county.name if self.county else django_settings.PORTAL_COUNTY_NAME,
            bureau=bureau_of(self.county),
            data_version=year_obj.data_version, year_locked=locks.is_locked(year_obj, self.county), period_start=start,
            period_years=period, subsidy_mode=conf.subsidy_mode,
        )
        s.data["base_coverage_threshold"] = conf.base_coverage_threshold
        s.narratives = {key: self.texts["narratives"].get(key) for key in Section.values}
        self.add(Figure("period_start", _("统计起始年度（××年以来）"), start, "年", f"{start}", "P1",
                        _("总结设置中的统计起始年度")))
        self.enterprises()
        self.finance(period)
        self.claims(period)
        self.bases()
        self.labor_education()
        self.logistics()
        self.insurance()
        self.documents()
        self.milestones()
        self.standing()
        self.quality()
        self.stated()
        return s

    def enterprises(self):
        s = self.summary
        active = self.call("enterprises", "active_enterprises", self.year)
        events = self.call("enterprises", "reform_events", kinds=REFORM_KINDS)
        figures = self.call("enterprises", "figures", self.year)
        s.data["enterprises"] = [] if active is MISSING else list(active)
        for row in s.data["enterprises"]:
            row["url"] = sources.rows_url("enterprises", "enterprise", self.year, enterprise=row["id"])
        s.data["enterprise_figures"] = None if figures is MISSING else figures
        s.data["enterprise_table"] = None if figures is MISSING else _top_rows(figures["rows"], figures["totals"])
        count = None if active is MISSING else len(active)
        self.add(Figure(
            "enterprise_count", _("下挂校办企业"), count, "家", f"{cn_int(count)}家" if count is not None else "",
            "", _("本年度在营（含改制后存续）的校办企业家数"),
            self.link("enterprises", "enterprises", _("校办企业名单")),
        ), reason=self.missing_app("enterprises"))
        s.data["reform_events"] = [] if events is MISSING else list(events)
        for event in s.data["reform_events"]:
            # "实施改制：" already says 改制: an event named so prints only its details, all in one
            # pair of brackets ("工龄买断（涉及职工174名，三百余万元）").
            details = []
            if event.get("staff_affected"):
                details.append(_("涉及职工%(n)s名") % {"n": counted(event["staff_affected"])})
            if event.get("amount"):
                details.append(approx_yuan(event["amount"]))
            label = "" if event["label"] in ("改制", _("改制")) else event["label"]
            event["printed"] = f"{label}（{'，'.join(details)}）" if label and details else label or "，".join(details)
        reform_date = min((e["date"] for e in s.data["reform_events"] if e.get("date")), default=None)
        self.add(Figure(
            "reform_date", _("印刷厂改制时间"), reform_date, "",
            f"{reform_date.year}年{reform_date.month}月" if reform_date else "", "P6",
            _("校办企业大事记中最早的改制事项日期"), self.link("enterprises", "events", _("改制大事记"), year=None),
        ), reason=self.missing_app("enterprises") if events is MISSING else _("没有登记改制大事记"))

    def finance(self, period: list[int]):
        s = self.summary
        ent = self.call("enterprises", "figures_by_year", period)
        bases = self.base_sums("finance_by_year", period)
        logi = self.call("logistics", "figures_by_year", period)
        rows, missing_years = [], []
        for y in period:
            parts = {
                "enterprises": None if ent is MISSING else ent.get(y),
                "labor_bases": None if bases is MISSING else bases.get(y),
                "logistics": None if logi is MISSING else logi.get(y),
            }
            if all(p is None for p in parts.values()):
                missing_years.append(y)

            def val(part, key):
                return dec(part.get(key) or 0) if part else ZERO

            row = {"year": y}
            for name, part in parts.items():
                row[name] = {k: val(part, k) for k in ("revenue", "cost", "profit", "unmatched_revenue")}
                remit_key = "remitted_to_school" if name == "labor_bases" else "remitted_to_education"
                row[name]["remitted"] = val(part, remit_key)
            row["revenue"] = sum((row[n]["revenue"] for n in parts), ZERO)
            row["cost"] = sum((row[n]["cost"] for n in parts), ZERO)
            # Revenue without a known cost is not profit (see labor_bases.selectors._combine).
            row["unmatched_revenue"] = sum((row[n]["unmatched_revenue"] for n in parts), ZERO)
            row["total_income"] = sum((row[n]["profit"] for n in parts), ZERO)
            row["subsidy"] = sum((row[n]["remitted"] for n in parts), ZERO)
            rows.append(row)
        s.data["finance_rows"] = rows
        s.data["unmatched_years"] = [r for r in rows if r["unmatched_revenue"]]
        # The year's labour-base figures the text prints: the same computed figure as table 1's last row.
        s.data["base_finance"] = None if bases is MISSING else dict(bases[self.year], **rows[-1]["labor_bases"])
        absent = [a for a, v in (("enterprises", ent), ("labor_bases", bases), ("logistics", logi)) if v is MISSING]
        n = len(period)
        total = sum((r["total_income"] for r in rows), ZERO)
        subsidy_total = sum((r["subsidy"] for r in rows), ZERO)
        reason = ""
        if absent:
            reason = "；".join(self.missing_app(a) for a in absent)
        elif missing_years:
            reason = _("%(years)s 年没有任何收益数据") % {"years": "、".join(map(str, missing_years))}
        ok = not reason
        avg = total / n if ok else None
        links = (self.link("enterprises", "figures", _("校办企业年度数据")) + self.link("labor_bases", "finance", _("基地收支"))
                 + self.link("logistics", "centre", _("服务中心及中考食宿")))
        period_txt = f"{period[0]}-{period[-1]}"
        self.add(Figure(
            "avg_total_income", _("勤工俭学总收益年均"), to_wan(avg), "万元", wan(avg), "P2",
            _("（校办企业利润 + 劳动基地利润 + 服务中心及中考食宿净收益）之和 ÷ %(n)s 年（%(p)s）")
            % {"n": n, "p": period_txt}, links,
        ), reason=reason)
        self.add(Figure("total_income", _("期间勤工俭学总收益"), to_wan(total) if ok else None, "万元",
                        wan(total) if ok else "", "", _("%(p)s 各年总收益之和") % {"p": period_txt}, links))
        self.add(Figure("year_income", _("本年度勤工俭学总收益"), to_wan(rows[-1]["total_income"]) if ok else None,
                        "万元", wan(rows[-1]["total_income"]) if ok else "", "", _("本年度三项收益之和"), links))
        chosen = subsidy_total if s.subsidy_mode == SummarySettings.SubsidyMode.TOTAL else subsidy_total / n
        self.add(Figure(
            "subsidy", _("补贴教育经费"), to_wan(chosen) if ok else None, "万元", wan(chosen) if ok else "", "P3",
            (_("%(p)s 校办企业、服务中心上缴教育经费与基地交学校收益之和") if s.subsidy_mode == "total"
             else _("%(p)s 上缴教育经费之和 ÷ %(n)s 年")) % {"p": period_txt, "n": n}, links,
        ), reason=reason)
        s.data["subsidy_total_wan"] = to_wan(subsidy_total) if ok else None
        s.data["subsidy_avg_wan"] = to_wan(subsidy_total / n) if ok else None
        yoy = []
        for prev, cur in zip(rows, rows[1:], strict=False):
            yoy.append({
                "year": cur["year"],
                "income": cur["total_income"], "income_pct": pct_change(prev["total_income"], cur["total_income"]),
                "subsidy": cur["subsidy"], "subsidy_pct": pct_change(prev["subsidy"], cur["subsidy"]),
            })
        s.data["yoy"] = yoy

    def claims(self, period: list[int]):
        s = self.summary
        summary = self.call("insurance", "claims_summary", period[0], period[-1])
        by_type = self.call("insurance", "claims_by_type_year", period)
        reason = self.missing_app("insurance") if summary is MISSING else ""
        c = {} if summary is MISSING else summary
        links = self.link("insurance", "claims", _("已赔付理赔案件"), paid=True, paid_from=period[0],
                          paid_to=period[-1])
        self.add(Figure("claim_person_times", _("办理风险理赔人次"), c.get("person_times"), "人次",
                        counted(c.get("person_times")), "P4",
                        _("%(a)s-%(b)s 年已赔付、已结案理赔的受益人次之和") % {"a": period[0], "b": period[-1]}, links),
                 reason=reason)
        self.add(Figure("claim_count", _("理赔件数"), c.get("count"), "件", counted(c.get("count")), "",
                        _("同期已赔付、已结案的理赔件数"), links))
        paid = c.get("paid_total")
        self.add(Figure("claim_paid", _("理赔金额"), to_wan(paid), "万元", wan(paid), "P5",
                        _("同期已赔付金额之和 ÷ 10000"), links), reason=reason)
        rows = [] if by_type is MISSING else list(by_type)
        s.data["claims_by_type_year"] = rows
        per_year = {}
        for r in rows:
            item = per_year.setdefault(r["year"], {"count": 0, "person_times": 0, "paid_total": ZERO})
            item["count"] += r.get("count") or 0
            item["person_times"] += r.get("person_times") or 0
            item["paid_total"] += dec(r.get("paid_total") or 0)
        s.data["claims_per_year"] = per_year
        for entry in s.data.get("yoy", []):
            prev = per_year.get(entry["year"] - 1, {}).get("paid_total")
            cur = per_year.get(entry["year"], {}).get("paid_total")
            entry["claims_paid"] = cur
            entry["claims_pct"] = pct_change(prev, cur)

    def bases(self):
        s = self.summary
        land = self.call("labor_bases", "land_by_type", self.year)
        overview = self.base_sums("base_overview", self.year)
        prev = self.base_sums("base_overview", self.year - 1)
        chosen = self.texts["examples"]
        full = [c.school_id for c in chosen if c.mode == ExampleSchool.Mode.FULL]
        brief = [c for c in chosen if c.mode == ExampleSchool.Mode.BRIEF]
        # Staff's choice; with none, the three schools with the highest profit on known cost.
        ranked = full if chosen else self.base_sums("top_profit_schools", self.year, 3)
        examples, mentions = self.examples(ranked, [c.school_id for c in brief])
        unmatched = self.base_sums("unmatched_schools", self.year)
        reason = self.missing_app("labor_bases") if land is MISSING else ""
        rows = [] if land is MISSING else list(land)
        for row in rows:
            row["url"] = sources.rows_url("labor_bases", "plots", self.year, land_type=row["land_type"])
        s.data["land"] = rows
        s.data["land_nonzero"] = [row for row in rows if row["area_mu"]]
        total = sum((dec(r["area_mu"]) for r in rows), ZERO) if rows else None
        self.add(Figure("land_total", _("劳动基地总面积"), total, "亩", num(total), "",
                        _("本年度各地块面积之和（按地类汇总）"), self.link("labor_bases", "plots", _("地块清单"))),
                 reason=reason)
        if land is not MISSING and not rows:
            s.gaps.append(Gap("", _("劳动基地地类面积"), _("本年度没有登记地块")))
        ov = {} if overview is MISSING else overview
        s.data["base_overview"] = ov
        s.data["unmatched_bases"] = [] if unmatched is MISSING else list(unmatched)
        schools_with, school_count = ov.get("schools_with_base"), ov.get("school_count")
        share = (dec(schools_with) / dec(school_count)) if schools_with is not None and school_count else None
        threshold = s.data["base_coverage_threshold"]
        if share is None:
            coverage_text = ""
        elif share >= threshold:
            coverage_text = _("基本实现校校有劳动基地")
        else:
            coverage_text = _("全市%(n)s所学校中有%(m)s所建有劳动基地") % {"n": counted(school_count), "m": counted(schools_with)}
        self.add(Figure("base_coverage", _("有劳动基地的学校"), schools_with, "所", coverage_text, "",
                        _("有地块的学校数 ÷ 学校总数，达到设置比例（%(t)s）时写“基本实现校校有劳动基地”")
                        % {"t": threshold}, self.link("labor_bases", "bases", _("劳动基地"))))
        prev_total = None if prev is MISSING or not prev else prev.get("total_mu")
        s.data["land_change"] = {"previous": prev_total, "current": total, "pct": pct_change(prev_total, total)}
        ex = [] if examples is MISSING else list(examples)
        flagged = self.example_findings([item["school_id"] for item in ex])
        for item in ex:
            item["url"] = sources.rows_url("labor_bases", "plots", self.year, school=item["school_id"])
            item["plots"] = sorted(item["plots"], key=lambda p: -p["area_mu"])  # largest first: 60亩粮田、11亩鱼塘
            _mark_unchecked(item, flagged.get(item["school_id"], []))
        s.data["examples"] = ex
        features = {c.school_id: c.feature for c in brief}
        s.data["mentions"] = [
            {"school_name": m["school_name"], "feature": features.get(m["school_id"]) or _feature(m["plots"]),
             "url": sources.rows_url("labor_bases", "plots", self.year, school=m["school_id"])}
            for m in ([] if mentions is MISSING else mentions)
        ]

    def examples(self, ranked, brief: list[int]) -> tuple:
        """The schools written up in full (``ranked``, or the highest profit when the ranking is
        MISSING) and those mentioned briefly, read together: a school is one or the other (one
        choice per school and year), and the county's summary reads them again after every
        change to a base."""
        if ranked is MISSING:
            return (self.call("labor_bases", "school_examples", self.year, limit=3),
                    self.call("labor_bases", "school_examples", self.year, school_ids=brief) if brief else [])
        both = self.call("labor_bases", "school_examples", self.year, school_ids=[*ranked, *brief])
        if both is MISSING:
            return MISSING, MISSING
        by_school = {item["school_id"]: item for item in both}
        return ([by_school[sid] for sid in ranked if sid in by_school],
                [by_school[sid] for sid in brief if sid in by_school])

    def example_findings(self, school_ids: list[int]) -> dict[int, list]:
        """The open warnings on these schools' base figures and yearly counts (the appendix lists them too)."""
        if not school_ids:
            return {}
        from workstudy import rules

        wanted = set(school_ids)
        out: dict[int, list] = {}
        # The modules whose figures an example prints: the bases and the school's yearly counts.
        found = [f for module in ("labor_bases", "workstudy") for f in rules.findings(self.year, module=module)
                 if f.school_id in wanted]  # the examples are the county's schools already
        for finding in split_accepted(self.year, found)[0]:  # an accepted explanation closes a warning
            out.setdefault(finding.school_id, []).append(finding)
        return out

    def labor_education(self):
        """How many schools recorded their labor education and met the 2020 outline's three
        requirements (the labor_education app's one count); nothing printed when none did."""
        coverage = self.call("labor_education", "coverage", self.year)
        self.summary.data["labor_education"] = None if coverage is MISSING or not coverage["schools"] else coverage

    def logistics(self):
        s = self.summary
        centre = self.call("logistics", "centre", self.year)
        lodging = self.call("logistics", "exam_lodging", self.year)
        services = self.call("logistics", "school_services", self.year)
        absent = self.missing_app("logistics")
        c = None if centre is MISSING else centre
        s.data["centre"] = c
        founded = c.get("founded_year") if c else None
        self.add(Figure("centre_founded", _("后勤服务中心创办年份"), founded, "年", str(founded or ""), "P7",
                        _("服务中心登记的创办年份"), self.link("logistics", "centre", _("服务中心"))),
                 reason=absent if centre is MISSING else _("没有登记服务中心"))
        investments = (c or {}).get("investments") or []
        first = min(investments, key=lambda i: i["year"]) if investments else None
        self.add(Figure("centre_investment", _("服务中心投资建设仓库及店面"), first and first["year"], "年",
                        f"{first['year']}年" if first else "", "P8",
                        _("服务中心最早一笔投资建设的年份与金额"), self.link("logistics", "investments", _("服务中心投资"))),
                 reason=absent if centre is MISSING else _("没有登记投资建设"))
        s.data["centre_investment"] = first and {**first, "words": approx_yuan(first["amount"]),
                                                 "what": _investment_what(first)}
        if c:
            c["categories"] = unique(cat for shop in c["shops"] for cat in shop["categories"])
        ex = None if lodging is MISSING else lodging
        s.data["exam_lodging"] = ex
        if lodging is MISSING or ex is not None:
            first_year = ex.get("first_year") if ex else None
            self.add(Figure("exam_first_year", _("中考食宿统一管理起始年"), first_year, "年", str(first_year or ""),
                            "P9", _("中考食宿保障最早一年"), self.link("logistics", "exam", _("中考食宿保障"))),
                     reason=absent if lodging is MISSING else _("中考食宿保障缺少起始年份"))
        s.data["services"] = [] if services is MISSING else list(services)

    def insurance(self):
        s = self.summary
        milestones = self.call("insurance", "milestones")
        premium = self.call("insurance", "premium_by_source", self.year)
        coverage = self.call("insurance", "coverage", self.year)
        policies = self.call("insurance", "policies", self.year)
        absent = self.missing_app("insurance")
        m = {} if milestones is MISSING else milestones
        s.data["milestones"] = m
        links = self.link("insurance", "policies", _("保单"))
        first = self.texts["facts"].get(DatedFact.Kind.FIRST_INSURANCE)
        s.data["first_insurance"] = first and {"year": first.year, "month": first.month}
        self.add(Figure("first_insurance_year", _("率先推行财产险和校(园)方责任险"), first and first.year, "年",
                        f"{first.year}年{first.month}月" if first and first.month else str(first.year) if first else "",
                        "P10", _("大事记中登记的年份"), [Link(_("大事记"), reverse_lazy("reports:facts"))]),
                 reason=_("大事记中尚未登记率先推行学校财产险和校(园)方责任险的年份"))
        for key, label, blank, attr in (
            ("city_pays_property_from", _("财产险由市政府出资起始年"), "P13", "property_paid_by_city_from_year"),
            ("broker_from", _("委托保险经纪公司起始年"), "P14", "broker_entrusted_from_year"),
        ):
            value = m.get(attr)
            self.add(Figure(key, label, value, "年", str(value or ""), blank, _("保险模块登记的年份"), links),
                     reason=absent if milestones is MISSING else _("保险模块尚未登记该年份"))
        since = m.get("first_property_liability_year") or s.period_start
        prop = self.call("insurance", "claims_summary", since, self.year)
        paid = None if prop is MISSING else prop.get("property_paid_total")
        self.add(Figure("property_claim_paid", _("学校财产损失理赔额"), to_wan(paid), "万元", wan(paid), "P11",
                        _("%(a)s-%(b)s 年财产险已赔付金额之和 ÷ 10000") % {"a": since, "b": self.year},
                        self.link("insurance", "claims", _("财产险理赔"), paid=True, policy_type="property",
                                  paid_from=since, paid_to=self.year)),
                 reason=absent if prop is MISSING else "")
        s.data["property_claims_since"] = since
        # No school reported its 学平险 coverage: the text prints no counts (not zeros), and table 6
        # the policy's own funding rows.
        s.data["coverage"] = None if coverage is MISSING or not coverage.get("school_count") else coverage
        s.data["premium_by_source"], s.data["premium_mismatch"] = _premium_rows(
            [] if premium is MISSING else list(premium), s.data["coverage"])
        s.data["policies"] = [] if policies is MISSING else list(policies)

    def documents(self):
        s = self.summary
        docs = self.texts["documents"]
        s.data["logistics_documents"] = [
            {"title": d.title, "issuer": d.issuer, "doc_no": d.doc_no, "date": d.date}
            for d in docs if d.topic == PolicyDocument.Topic.LOGISTICS
        ]
        liability = [d for d in docs if d.topic == PolicyDocument.Topic.LIABILITY and d.doc_no]
        doc = liability[0] if liability else None
        s.data["liability_document"] = doc and {"title": doc.title, "issuer": doc.issuer, "doc_no": doc.doc_no,
                                                "date": doc.date}
        self.add(Figure("liability_document", _("省厅校(园)方责任保险文件"), doc and doc.doc_no, "",
                        f"{doc.date.year}年{doc.issuer}以{doc.doc_no}文件" if doc else "", "P12",
                        _("政策文件中涉及校(园)方责任保险、有文号的最早一件")),
                 reason=_("政策文件中尚未登记校(园)方责任保险文件"))
        s.data["all_documents"] = [
            {"title": d.title, "issuer": d.issuer, "doc_no": d.doc_no, "date": d.date, "kind": d.get_kind_display()}
            for d in docs
        ]

    def milestones(self):
        """The dated facts in date order (the 大事记 page lists them) and the warnings on their order."""
        s = self.summary
        facts = county_facts.collect(s)
        s.data["milestones_list"] = facts
        self.milestone_findings = county_facts.check(facts, self.year)

    def standing(self):
        """Where the county stands among its city's counties (the 不足 section's first sentence),
        computed by the city's comparison; none for a whole deployment or a county alone in its city."""
        from django.apps import apps

        s = self.summary
        s.data["standing"] = ""
        if self.county is None or not apps.is_installed("rollup"):
            return
        from rollup.comparison import rank_sentence
        from workstudy import freshness

        # The counties with schools in the county's city (2 queries), kept under the core's stamp:
        # regions never move (workstudy.models.Region), and which of them have schools changes
        # with the schools, which are the core's.
        def peers() -> int:
            parent = self.county.parent
            return 0 if parent is None else parent.children.filter(schools__isnull=False).distinct().count()

        if freshness.cached(f"reports:standing-peers:{self.county.pk}", peers, apps=[], now=self.stamps,
                            what="the counties beside the summary's") > 1:
            s.data["standing"] = rank_sentence(self.county, self.year)

    def stated(self):
        """Figures an earlier document stated for this year, beside what the data gives (appendix)."""
        s = self.summary
        rows = []
        for stated in self.texts["stated"]:
            fig = s.figures.get(stated.key)
            computed = None if fig is None or fig.value is None else dec(fig.value)
            diff = None if computed is None else computed - stated.value
            show = _in_unit(fig.unit if fig else "")
            rows.append({
                "key": stated.key, "label": stated.get_key_display(), "source": stated.source,
                "stated": show(stated.value), "computed": computed, "diff": None if diff is None else show(diff),
                "pct": None if diff is None or not stated.value else pct_change(stated.value, computed),
            })
        s.data["stated_figures"] = rows

    def quality(self):
        from workstudy import rules

        s = self.summary
        found, pending = quality_lists(self.year, self.counties)
        found = sorted([*found, *self.milestone_findings],
                       key=lambda f: (f.rule.code, f.school_name, f.obj_label))
        found, accepted = split_accepted(self.year, found)
        s.data["accepted_findings"] = [{**finding_row(f), "explanation": note.explanation}
                                       for f, note in accepted[:APPENDIX_ROWS]]
        s.data["accepted_total"] = len(accepted)
        s.data["accepted_more"] = max(0, len(accepted) - APPENDIX_ROWS)
        s.data["findings_total"] = len(found)
        s.data["findings_by_rule"] = [
            {"code": rule.code, "title": str(rule.title), "count": count, "school_count": schools}
            for rule, count, schools in rules.count_by_rule(found)
        ]
        findings = [finding_row(f) for f in found[:APPENDIX_ROWS]]
        s.data["findings"] = findings
        s.data["findings_more"] = max(0, len(found) - APPENDIX_ROWS)
        by_status: dict[str, int] = {}
        for p in pending:
            by_status[p["status"]] = by_status.get(p["status"], 0) + 1
        s.data["pending_total"] = len(pending)
        s.data["pending_by_status"] = [{"status": label, "count": count} for label, count in by_status.items()]
        s.data["pending_submissions"] = pending[:APPENDIX_ROWS]
        s.data["pending_more"] = max(0, len(pending) - APPENDIX_ROWS)
        s.data["appendix_rows"] = APPENDIX_ROWS
        s.data["unapproved_narratives"] = unique(
            unnumbered(Section(key).label) for key, block in s.narratives.items()
            if block is not None and not block.approved
        )
        self.prose()
        self.unmatched()

    def unmatched(self):
        """Revenue not yet matched by a cost this year, and whose: said in the text and the appendix."""
        s = self.summary
        # "key": the quantity's key where the document prints it (the school's sheet prints the same).
        items = [{"kind": _("劳动实践基地"), "name": r["school_name"], "key": f"school.unmatched.{r['school_id']}",
                  "revenue": r["revenue"]} for r in s.data.get("unmatched_bases", [])]
        for row in (s.data.get("enterprise_figures") or {}).get("rows", []):
            if row["cost"] is None and row["revenue"]:
                items.append({"kind": _("校办企业"), "name": row["name"],
                              "key": f"enterprise.unmatched.{row['enterprise_id']}", "revenue": row["revenue"]})
        centre = s.data.get("centre")
        if centre and centre.get("cost") is None and centre.get("revenue"):
            items.append({"kind": _("后勤服务中心"), "name": centre["name"], "key": f"centre.unmatched.{centre['id']}",
                          "revenue": centre["revenue"]})
        year = s.data["finance_rows"][-1] if s.data.get("finance_rows") else {}
        s.data["unmatched"] = {
            "total": year.get("unmatched_revenue", ZERO), "items": items,
            "bases_total": year.get("labor_bases", {}).get("unmatched_revenue", ZERO),
        }

    def prose(self):
        """Where each narrative paragraph goes and how generated paragraphs are numbered.

        A section's first staff paragraph leads it; the later ones continue the data paragraph
        and follow it (the data first, then what staff say about it). Generated
        items continue the narrative's enumeration (一是 in the narrative -> 二是, 三是), and
        an enumeration of one item has no ordinal.
        """
        s = self.summary
        prose = {}
        for key, block in s.narratives.items():
            paragraphs = [as_printed(p) for p in (block.paragraphs if block else [])]
            if key in (Section.INTRO, Section.SHORTCOMINGS, Section.DIRECTIONS):
                prose[key] = {"lead": paragraphs, "follow": []}
            else:
                prose[key] = {"lead": paragraphs[:1], "follow": paragraphs[1:]}
        s.data["prose"] = prose
        logistics_items = [k for k, present in (("centre", s.data.get("centre")), ("exam", s.data.get("exam_lodging")))
                           if present]
        s.data["ordinals"] = {
            "logistics": enumerate_items(logistics_items, ordinal_count(prose[Section.LOGISTICS]["follow"])),
            "insurance": enumerate_items(("funding", "operation"), ordinal_count(prose[Section.INSURANCE]["follow"])),
        }


def _mark_unchecked(example: dict, findings: list) -> None:
    """An example never prints a figure with an open warning as fact: the line whose unit price
    is flagged says 待核实, and any other warning of the school is said after its figures."""
    from django.urls import reverse

    from labor_bases.rules import PRICE_OUTLIER

    by_url = {}
    for f in findings:
        if f.rule.code == PRICE_OUTLIER.code:
            by_url[str(f.url)] = f
    for line in example["lines"]:
        line["unchecked"] = bool(by_url) and reverse("labor_bases:line_edit", args=[line["id"]]) in by_url
    others = unique(str(f.rule.title) for f in findings if f.rule.code != PRICE_OUTLIER.code)
    example["unchecked_note"] = as_printed(_("该校尚有未处理的校验提醒：%(what)s（见附录一），相关数字有待核实") % {
        "what": "；".join(others)}) if others else ""
    example["unchecked"] = bool(others) or any(line["unchecked"] for line in example["lines"])


def _in_unit(unit: str):
    """How a figure in ``unit`` is printed: 万元 with 2 decimals, everything else as :func:`num`."""
    return (lambda v: f"{dec(v):,.2f}") if unit == "万元" else num


def _feature(plots: list[dict]) -> str:
    """A school's base in a word: its largest plot's crop, else its land type (桔园, 雪梨种植)."""
    if not plots:
        return ""
    largest = max(plots, key=lambda p: p["area_mu"])
    return plot_name(largest["label"], largest["crop"])


def _investment_what(investment: dict) -> str:
    """What an investment built, named once: its note when that names it more precisely
    ("自建仓库及店面" for 仓库及店面), else its label with the note's other words bracketed."""
    label, words = investment.get("label") or "", investment.get("words") or approx_yuan(investment.get("amount"))
    note = flat(investment.get("note") or "", label, words)
    if not note:
        return label
    if label and label in note:
        return note
    return f"{label}（{note}）"


# The 学平险 quantities the text prints and the premium table prints again, by funding source.
COVERAGE_OF_SOURCE = {
    "parent": ("insured_parent_paid", None),
    "insurer_free": ("poor_free_by_insurer", None),
    "school_advance": ("poor_advanced_by_school", "advance_amount"),
}


def _premium_rows(rows: list[dict], coverage: dict | None) -> tuple[list[dict], list[dict]]:
    """Table 6's rows with the 学平险 persons (and the advanced amount) taken from the one
    computed coverage figure the text prints, so one quantity has one value; where the funding
    rows entered on the policy say otherwise, the difference is listed for a note under the table."""
    if not coverage or not coverage.get("school_count"):
        return rows, []
    out, mismatch = [], []
    for row in rows:
        persons_key, amount_key = COVERAGE_OF_SOURCE.get(row["source"], (None, None))
        row = dict(row)
        if persons_key:
            if row["persons"] != coverage[persons_key]:
                mismatch.append({"label": row["label"], "what": _("人数"), "stated": counted(row["persons"]),
                                 "computed": counted(coverage[persons_key])})
            row["persons"], row["persons_key"] = coverage[persons_key], persons_key
        if amount_key:
            if row["amount"] != coverage[amount_key]:
                mismatch.append({"label": row["label"], "what": _("金额"), "stated": yuan(row["amount"]) + "元",
                                 "computed": yuan(coverage[amount_key]) + "元"})
            row["amount"], row["amount_key"] = coverage[amount_key], amount_key
        out.append(row)
    return out, mismatch


# Table 3 lists the enterprises with the largest revenue, this many, and one row for the rest.
TABLE_ROWS = 20
_SUMMED = ("revenue", "cost", "profit", "tax", "remitted_to_education")


def _top_rows(rows: list[dict], totals: dict) -> dict:
    """The first :data:`TABLE_ROWS` rows and, past them, one row summing the rest (totals minus
    the rows shown, so the table still adds up to the totals to the cent)."""
    shown, rest = rows[:TABLE_ROWS], rows[TABLE_ROWS:]
    if not rest:
        return {"rows": shown, "rest": None}
    summed = {key: totals[key] - sum((row[key] or ZERO for row in shown), ZERO) for key in _SUMMED}
    employees = [row["employees"] for row in rest if row["employees"] is not None]
    summed["employees"] = sum(employees) if employees else None
    summed["count"] = len(rest)
    return {"rows": shown, "rest": summed}


# The appendix lists this many open warnings and unapproved schools in full (a small county's
# all of them); past it, it counts them by rule / status and the complete lists are in the
# data-quality workbook (``quality_lists`` feeds both).
APPENDIX_ROWS = 30


def finding_row(f) -> dict:
    """A warning as the appendix prints it."""
    return {"code": f.rule.code, "title": str(f.rule.title), "message": f.message, "school": f.school_name,
            "school_id": f.school_id, "object": f.obj_label, "url": f.url}


def quality_lists(year: int, counties=None) -> tuple[list, list[dict]]:
    """Every validation warning still open for ``year`` (:class:`workstudy.rules.Finding`) and
    every submission not yet approved, sorted as the appendix shows them.

    ``counties`` (ids; None: every county): a school's warning counts when the school is of
    those counties, a bureau-level warning (no school) when it names a row of theirs (the
    labels of their bureau-level rows, :func:`bureau_labels`)."""
    from workstudy import rules

    findings = rules.findings(year)
    submissions = Submission.objects.filter(year_id=year, school__active=True)
    if counties is not None:
        schools = set(in_counties(School.objects.all(), counties).values_list("pk", flat=True))
        labels = bureau_labels(year, counties)
        findings = [f for f in findings
                    if (f.school_id in schools if f.school_id is not None else f.obj_label in labels)]
        submissions = in_counties(submissions, counties)
    findings = sorted(findings, key=lambda f: (f.rule.code, f.school_name, f.obj_label))
    status_labels = {value: str(label) for value, label in SubmissionStatus.choices}  # translated once
    pending = [
        {"school": name, "school_id": school_id, "code": code, "status": status_labels.get(status, status),
         "submission_id": pk}
        for pk, school_id, code, name, status in (
            submissions
            .exclude(status=SubmissionStatus.APPROVED)
            .order_by("school__code")
            .values_list("pk", "school_id", "school__code", "school__name", "status")
        )
    ]
    return findings, pending


def bureau_labels(year: int, counties) -> set[str]:
    """The labels by which the data apps' warnings without a school name the bureau-level rows
    of ``counties`` in ``year`` (each app's ``finding_labels`` selector, kept until that app's
    data changes)."""
    labels: set[str] = set()
    for app in sources.APPS:
        found = sources.call_kept(app, "finding_labels", year, counties=counties)
        if found is not MISSING:
            labels |= set(found)
    return labels


def county_of(county) -> Region | None:
    """``county`` (a Region, its id or None) as a Region of level county; LookupError otherwise."""
    if county is None:
        return None
    if not isinstance(county, Region):
        county = Region.objects.filter(pk=int(county)).first()
    if county is None or county.level != Region.Level.COUNTY:
        raise LookupError(f"not a county: {county!r}")
    return county


def compute_cached(year: int, county=None) -> Summary:
    """:func:`compute` (of ``county`` when given), reused while no data changed
    (:func:`workstudy.freshness.cached`), with its fingerprint and charts made once and kept with it."""
    from workstudy import freshness

    county = county_of(county)

    def build() -> Summary:
        summary = frozen(year, county) or compute(year, county)
        summary.fingerprint()
        summary.charts()
        return summary

    key = f"reports:summary:{int(year)}" + (f":county:{county.pk}" if county else "")
    return freshness.cached(key, build)


def counties_of_deployment() -> list[Region]:
    """The counties with schools: the ones a lock keeps a summary of."""
    return list(Region.objects.filter(level=Region.Level.COUNTY, pk__in=School.objects.values("county_id"))
                .order_by("path"))


# Raise when :class:`Summary` or the data it holds changes shape: frozen summaries of another
# format are then not used (their year's archived PDF stays the document of record).
FROZEN_FORMAT = 1


def _kept(year: int):
    """The FrozenSummary row of ``year`` and what it holds: the deployment's Summary (once the
    whole year was locked) or a dict of the counties' parts (counties locked before it), or
    None (no row, older format, unreadable)."""
    from .models import FrozenSummary

    row = FrozenSummary.objects.filter(year_id=year, format=FROZEN_FORMAT).only("payload").first()
    if row is None:
        return None, None
    try:
        kept = pickle.loads(bytes(row.payload))  # noqa: S301 - written by freeze() only, in our own database
    except Exception:  # noqa: BLE001 - an unreadable copy: compute afresh and say so in the log
        logger.exception("frozen summary of %s unreadable; computing it afresh", year)
        return row, None
    return row, kept if isinstance(kept, (Summary, dict)) else None


def _parts(kept) -> dict:
    parts = kept.by_county if isinstance(kept, Summary) else kept
    return {pk: part for pk, part in (parts or {}).items() if isinstance(part, Summary)}


def _part(year: int, county: Region) -> Summary:
    part = compute(year, county)
    part.fingerprint()
    part.charts()
    return part


def freeze(year: int, county=None, whole: bool = True) -> Summary:
    """Keep what a lock of ``year`` makes final, with charts: ``county``'s summary (every county's
    when None) and, once the whole year is locked (``whole``), the deployment's, which holds the
    counties' (:attr:`Summary.by_county`; a county locked earlier keeps the part of its own lock).
    Returns ``county``'s summary, or the deployment's."""
    from .models import FrozenSummary

    _row, kept = _kept(year)
    parts = _parts(kept)
    for each in ([county] if county is not None else counties_of_deployment()):
        parts[each.pk] = _part(year, each)
    if whole:
        summary = compute(year)
        summary.charts()
        summary.by_county = parts
        payload, fingerprint = summary, summary.fingerprint()
    else:
        payload, fingerprint = parts, ""
    FrozenSummary.objects.update_or_create(year_id=year, defaults={
        "format": FROZEN_FORMAT, "fingerprint": fingerprint, "payload": pickle.dumps(payload),
    })
    return parts[county.pk] if county is not None else payload


def thaw(year: int, county=None) -> None:
    """A reopened year's summary follows the data again: ``county``'s (every county's when None)
    and the deployment's; the other counties' parts stay as kept at their locks."""
    from .models import FrozenSummary

    row, kept = _kept(year)
    parts = _parts(kept) if county is not None else {}
    parts.pop(getattr(county, "pk", county), None)
    if not parts:
        FrozenSummary.objects.filter(year_id=year).delete()
        return
    row.fingerprint, row.payload = "", pickle.dumps(parts)
    row.save(update_fields=["fingerprint", "payload"])


def frozen(year: int, county=None) -> Summary | None:
    """The summary kept at the lock of ``year`` by ``county`` (the deployment's when None, kept
    once every county has locked), or None (open for it, older format, unreadable, none kept)."""
    year_obj = ReportingYear.objects.filter(pk=year).first()
    if year_obj is None or not locks.is_locked(year_obj, county):
        return None
    _row, kept = _kept(year)
    if county is None:
        return kept if isinstance(kept, Summary) and year_obj.is_locked else None
    return _parts(kept).get(getattr(county, "pk", county))


def compute(year: int, county=None) -> Summary:
    """Every figure, table and gap of the summary for ``year`` (fixed number of queries); with
    ``county`` (a county Region or its id), of that county's schools and bureau-level rows only.

    Built in the portal's language whatever the reader's: the document is Chinese, and one
    cached summary serves every reader."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return _Builder(int(year), county_of(county)).build()
