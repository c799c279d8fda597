"""A school's school-services figures of one year for the review screen (1 query)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from .models import SchoolService, ServiceKind
from .selectors import rows_url


def school_figures(year: int, school_id: int) -> list[dict]:
    counts = dict(SchoolService.objects.filter(year_id=year, school_id=school_id)
                  .values_list("kind").annotate(n=Count("pk")).order_by())
    out = [
        {"key": f"services.{kind}", "label": _("学校服务：%(kind)s") % {"kind": label}, "value": counts[kind],
         "unit": _("项"), "url": rows_url("school_services", year, school=school_id, kind=kind)}
        for kind, label in ServiceKind.choices if kind in counts
    ]
    out.append({"key": "services", "label": _("学校服务合计"), "value": sum(counts.values()) if counts else None,
                "unit": _("项"), "url": rows_url("school_services", year, school=school_id)})
    return out
