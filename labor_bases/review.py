"""A school's labor-base figures of each year for the review screen (compared there with the
year before): area by land type, production value, revenue, cost, profit, student practice.
The same figures as the school's years side by side (:func:`selectors.school_years`), plus its
area by land type, so each has one definition."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import LandType
from .selectors import rows_url, school_land_by_year, school_years


def school_figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    """``{year: [dict(key, label, value, unit, url)]}``; a value is None where nothing was
    entered (6 queries, whatever the number of years)."""
    land, figures = school_land_by_year(school_id, years), school_years(school_id, years)
    return {year: _figures(year, school_id, land.get(year, {}), figures[year]) for year in years}


def _figures(year: int, school_id: int, land: dict, figures: dict) -> list[dict]:
    entered = figures["has_accounts"] or bool(figures["production_value"])  # lines or accounts this year
    out = [
        {"key": f"area.{value}", "label": _("%(type)s面积") % {"type": label}, "value": land[value],
         "unit": _("亩"), "format": "mu", "url": rows_url("plots", year, school=school_id, land_type=value)}
        for value, label in LandType.choices if value in land
    ]
    out.append({"key": "area", "label": _("基地面积（各地块合计）"), "value": figures["total_mu"] if land else None,
                "unit": _("亩"), "format": "mu", "url": rows_url("plots", year, school=school_id)})
    for key, label, kind in (
        ("production_value", _("产值合计"), "lines"), ("revenue", _("总收入"), "finance"),
        ("cost", _("总成本"), "finance"), ("profit", _("利润"), "finance"),
    ):
        out.append({"key": key, "label": label, "value": figures[key] if entered else None, "unit": _("元"),
                    "format": "yuan", "url": rows_url(kind, year, school=school_id)})
    out.append({"key": "participants", "label": _("学生参加实践"), "value": figures["participants"] or None,
                "unit": _("人次"), "url": rows_url("activities", year, school=school_id)})
    return out
