"""A school's 学平险 coverage and claims of each year for the review screen (2 queries)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import rows_url, school_sheets


def school_figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    """``{year: [dict(key, label, value, unit, url)]}`` for each of ``years`` (2 queries)."""
    sheets = school_sheets(years, school_id)
    return {year: _figures(year, school_id, sheets[year]) for year in years}


def _figures(year: int, school_id: int, sheet: dict) -> list[dict]:
    coverage = sheet["coverage"]
    coverage_url = rows_url("coverage", year, school=school_id)
    claims_url = rows_url("claims", year, school=school_id)
    return [
        {"key": "coverage.enrolled", "label": _("在校学生"), "value": coverage["enrolled"] if coverage else None,
         "unit": _("人"), "url": coverage_url},
        {"key": "coverage.insured", "label": _("学平险参保学生"),
         "value": coverage["insured_total"] if coverage else None, "unit": _("人"), "url": coverage_url},
        {"key": "claims", "label": _("理赔案件"), "value": sheet["claim_count"] or None, "unit": _("件"), "url": claims_url},
        {"key": "claims.paid", "label": _("已赔付金额"), "value": sheet["paid_total"] if sheet["paid_count"] else None,
         "unit": _("元"), "format": "yuan", "url": rows_url("claims", year, school=school_id, paid=True)},
    ]
