"""The county's dated facts (大事记), gathered from where each is entered, and the rule on their order.

The summary prints eight dated facts (its blanks P6-P14). Seven are entered where they
belong (the printing works' 改制 among the enterprises' events, the centre's founding and its
first unified 中考 lodging on the centre, its warehouse investment among its investments, the
province's notice among the policy documents, the city's paying for 财产险 in the funding
rules, the broker's mandate on the broker); the eighth, the year the county first insured
every school (P10), in :class:`reports.models.DatedFact`. :func:`collect` reads them all from
the summary's figures, so the 大事记 page, the order rule and the document agree.

RP-01: the story the summary tells must be possible. The county cannot have been first (率先)
after the province required it, the city cannot pay for an insurance before there was one, the
centre cannot invest before it exists, and nothing the summary tells as done may fall after
the summary's own year.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workstudy.rules import WARNING, Finding, rule

from . import texts
from .models import DatedFact

ORDER = rule(
    "RP-01", WARNING, gettext_lazy("大事记的先后顺序须合理"),
    gettext_lazy("%(later)s（%(later_when)s）早于%(earlier)s（%(earlier_when)s），先后顺序不可能，请核对大事记中的日期。"),
    module="reports",
)
AFTER_YEAR = rule(
    "RP-02", WARNING, gettext_lazy("大事记不能晚于总结年度"),
    gettext_lazy("%(what)s（%(when)s）晚于本总结的年度（%(year)s年），总结不能把它写成已经发生的事，请核对日期。"),
    module="reports",
)


@dataclass(frozen=True)
class Fact:
    key: str  # the figure's key in the summary
    blank: str  # the label of the summary's blank (P6...)
    label: str
    year: int | None
    month: int | None = None
    url: str = ""  # where it is entered

    @property
    def when(self) -> str:
        if self.year is None:
            return ""
        return f"{self.year}年{self.month}月" if self.month else f"{self.year}年"

    @property
    def sort_key(self) -> tuple:
        return (self.year or 0, self.month or 0)


# (earlier, later): the later fact may not come before the earlier one.
ORDER_PAIRS = (
    ("first_insurance_year", "liability_document"),  # 率先 ... then the province required it
    ("first_insurance_year", "city_pays_property_from"),
    ("first_insurance_year", "broker_from"),
    ("centre_founded", "centre_investment"),
    ("centre_founded", "exam_first_year"),
)


def dated_facts(county=None) -> dict[str, DatedFact]:
    """The :class:`DatedFact` rows by kind: ``county``'s own (a Region or its id), else the shared
    one (:mod:`reports.texts`); with no county, the shared ones. (A locked year's summary is kept
    as computed at its lock, :class:`reports.models.FrozenSummary`, so a later correction never
    reaches it.)"""
    return texts.by_key(texts.own_or_shared(DatedFact.objects.all(), county), county, lambda row: row.kind)


def collect(summary) -> list[Fact]:
    """The dated facts the summary prints, in date order (undated ones last)."""
    f = summary.figures

    def year_of(key):
        fig = f.get(key)
        return None if fig is None else fig.value

    facts = []
    reform = year_of("reform_date")
    facts.append(Fact("reform_date", "P6", _("印刷厂改制"), reform.year if reform else None,
                      reform.month if reform else None, _url(f, "reform_date")))
    facts.append(Fact("centre_founded", "P7", _("后勤服务中心创办"), year_of("centre_founded"),
                      url=_url(f, "centre_founded")))
    facts.append(Fact("centre_investment", "P8", _("服务中心投资建设仓库及店面"), year_of("centre_investment"),
                      url=_url(f, "centre_investment")))
    facts.append(Fact("exam_first_year", "P9", _("中考考生食宿统一管理开始"), year_of("exam_first_year"),
                      url=_url(f, "exam_first_year")))
    first = summary.data.get("first_insurance")
    facts.append(Fact("first_insurance_year", "P10", str(DatedFact.Kind.FIRST_INSURANCE.label),
                      first["year"] if first else None, first["month"] if first else None,
                      reverse_lazy("reports:facts")))
    doc = summary.data.get("liability_document")
    facts.append(Fact("liability_document", "P12", _("省教育厅要求全面实施校(园)方责任保险"),
                      doc["date"].year if doc else None, doc["date"].month if doc else None,
                      reverse_lazy("reports:documents")))
    facts.append(Fact("city_pays_property_from", "P13", _("学校财产险由市政府出资"), year_of("city_pays_property_from"),
                      url=_url(f, "city_pays_property_from")))
    facts.append(Fact("broker_from", "P14", _("学校保险全权委托保险经纪公司"), year_of("broker_from"),
                      url=_url(f, "broker_from")))
    return sorted(facts, key=lambda fact: (fact.year is None, fact.sort_key, fact.blank))


def _url(figures, key) -> str:
    fig = figures.get(key)
    return fig.url if fig is not None else ""


def _before(a: Fact, b: Fact) -> bool:
    """Whether ``b`` is certainly earlier than ``a`` (same year without both months: not certain)."""
    if a.year is None or b.year is None:
        return False
    if b.year != a.year:
        return b.year < a.year
    return a.month is not None and b.month is not None and b.month < a.month


def check(facts: list[Fact], year: int) -> list[Finding]:
    """RP-01 and RP-02 findings for these facts."""
    by_key = {fact.key: fact for fact in facts}
    found = []
    for earlier_key, later_key in ORDER_PAIRS:
        earlier, later = by_key.get(earlier_key), by_key.get(later_key)
        if earlier and later and _before(earlier, later):
            found.append(ORDER.finding(url=earlier.url, later=later.label, later_when=later.when,
                                       earlier=earlier.label, earlier_when=earlier.when))
    for fact in facts:
        if fact.year is not None and fact.year > year:
            found.append(AFTER_YEAR.finding(url=fact.url, what=fact.label, when=fact.when, year=year))
    return found
