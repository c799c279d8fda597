"""Reads of 劳动教育 for pages and the summary."""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from workstudy.scoping import in_counties

from .models import LaborEducation
from .rules import MIN_CLASS_PERIODS, MIN_OUT_OF_CLASS_HOURS


def coverage(year, school_ids=None, counties=None) -> dict[str, int]:
    """How far the schools of ``year`` (optionally only ``school_ids``, or ``counties``' schools) meet the outline, in one query:

    ``schools``: schools with a record; ``class_ok``: labor class ≥ 1 period a week;
    ``hours_ok``: labor outside class ≥ 2 hours a week; ``labor_week``: a 劳动周 held;
    ``all_ok``: all three; ``students``: Σ students taking part (人).
    """
    qs = in_counties(LaborEducation.objects.filter(year_id=getattr(year, "pk", year)), counties)
    if school_ids is not None:
        qs = qs.filter(school_id__in=list(school_ids))
    class_ok = Q(class_periods_per_week__gte=MIN_CLASS_PERIODS)
    hours_ok = Q(out_of_class_hours_per_week__gte=MIN_OUT_OF_CLASS_HOURS)
    week = Q(labor_week_held=True)
    return qs.aggregate(
        schools=Count("school_id", distinct=True),
        class_ok=Count("pk", filter=class_ok),
        hours_ok=Count("pk", filter=hours_ok),
        labor_week=Count("pk", filter=week),
        all_ok=Count("pk", filter=class_ok & hours_ok & week),
        students=Coalesce(Sum("students_taking_part"), 0),
    )
