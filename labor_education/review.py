"""A school's labor education of each year for the review screen (1 query): the weekly class
periods and out-of-class hours, the 劳动周's days, the students taking part and the bases used,
each linked to the school's record."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import LaborEducation


def school_url(year: int, school_id: int) -> str:
    return reverse("labor_education:index") + f"?year={year}&school={school_id}"


def school_figures(years: list[int], school_id: int) -> dict[int, list[dict]]:
    """``{year: [dict(key, label, value, unit, url)]}`` for each of ``years`` (1 query)."""
    records = {record.year_id: record for record in
               LaborEducation.objects.filter(year_id__in=list(years), school_id=school_id)
               .annotate(n_bases=Count("bases_used"))}
    return {year: _figures(year, school_id, records.get(year)) for year in years}


def _figures(year: int, school_id: int, record) -> list[dict]:
    url = school_url(year, school_id)

    def value(attr):
        return getattr(record, attr) if record else None

    return [
        {"key": "class_periods", "label": _("劳动教育课（课时/周）"), "value": value("class_periods_per_week"),
         "unit": _("课时"), "url": url},
        {"key": "out_of_class_hours", "label": _("课外劳动（小时/周）"), "value": value("out_of_class_hours_per_week"),
         "unit": _("小时"), "url": url},
        {"key": "labor_week_days", "label": _("劳动周天数"), "value": value("labor_week_days"), "unit": _("天"),
         "url": url},
        {"key": "students", "label": _("参与学生"), "value": value("students_taking_part"), "unit": _("人"),
         "url": url},
        {"key": "bases_used", "label": _("使用的劳动实践基地"), "value": value("n_bases"), "unit": _("个"),
         "url": url},
    ]
