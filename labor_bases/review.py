"""A school's labor-base figures of one year for the review screen (compared there with the
year before): area by land type, production value, revenue, cost, profit, student practice.
Read through the selectors the overview and the summary use, so each figure has one formula."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from .models import LandType, StudentPracticeActivity
from .selectors import rows_url, school_table


def school_figures(year: int, school_id: int) -> list[dict]:
    """``[dict(key, label, value, unit, url)]``; a value is None where nothing was entered (4 queries)."""
    table = school_table(year, [school_id])[school_id]
    finance = table["finance"] or {}
    out = [
        {"key": f"area.{value}", "label": _("%(type)s面积") % {"type": label}, "value": table["land"].get(value),
         "unit": _("亩"), "format": "mu", "url": rows_url("plots", year, school=school_id, land_type=value)}
        for value, label in LandType.choices if value in table["land"]
    ]
    out.append({"key": "area", "label": _("基地面积（各地块合计）"), "value": table["total_mu"] if table["land"] else None,
                "unit": _("亩"), "format": "mu", "url": rows_url("plots", year, school=school_id)})
    for key, label, kind in (
        ("production_value", _("产值合计"), "lines"), ("revenue", _("总收入"), "finance"),
        ("cost", _("总成本"), "finance"), ("profit", _("利润"), "finance"),
    ):
        out.append({"key": key, "label": label, "value": finance.get(key), "unit": _("元"), "format": "yuan",
                    "url": rows_url(kind, year, school=school_id)})
    practice = StudentPracticeActivity.objects.filter(year_id=year, school_id=school_id).aggregate(
        n=Count("pk"), people=Sum("participants"), days=Sum("days"))
    out.append({"key": "participants", "label": _("学生参加实践"), "value": practice["people"],
                "unit": _("人次"), "url": rows_url("activities", year, school=school_id)})
    return out
