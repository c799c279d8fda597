"""A school's school-services figures of each year for the review screen (1 query)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import SchoolService, ServiceKind
from .selectors import rows_url


def school_figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    """``{year: [dict(key, label, value, unit, url)]}`` for each of ``years`` (1 query)."""
    counts: dict[int, dict[str, int]] = {year: {} for year in years}
    for year, kind, n in (SchoolService.objects.filter(year_id__in=list(years), school_id=school_id)
                          .values_list("year_id", "kind").annotate(n=Count("pk")).order_by()):
        counts[year][kind] = n
    return {year: _figures(year, school_id, counts[year]) for year in years}


def _figures(year: int, school_id: int, counts: dict[str, int]) -> list[dict]:
    out = [
        {"key": f"services.{kind}", "label": _("学校服务：%(kind)s") % {"kind": label}, "value": counts[kind],
         "unit": _("项"), "url": rows_url("school_services", year, school=school_id, kind=kind)}
        for kind, label in ServiceKind.choices if kind in counts
    ]
    out.append({"key": "services", "label": _("学校服务合计"), "value": sum(counts.values()) if counts else None,
                "unit": _("项"), "url": rows_url("school_services", year, school=school_id)})
    return out
