"""Demo data of 劳动教育 for the demo county 贵溪市, 2024 (idempotent).

Most schools meet the outline (1-2 periods a week, 2-3 hours outside class, a 劳动周 of
5 days) and use their labor-practice base; a few show each warning: 罗河中心小学 holds its
labor class every other week, 白田中心小学 has 1.5 hours outside class, 双圳中心小学 held no
劳动周. 樟坪中心学校 (the demo principal's school) is still to fill in its record.
"""

from __future__ import annotations

from decimal import Decimal

from labor_bases.models import LaborBase
from workstudy.models import Submission

from .models import LaborEducation

YEAR = 2024
TO_FILL_IN = {"GX001"}
# code: (class periods, hours outside class, 劳动周 days (0: none)); others take DEFAULT.
SPECIAL = {
    "GX005": (Decimal("2"), Decimal("3"), 5),
    "GX007": (Decimal("2"), Decimal("3"), 5),
    "GX017": (Decimal("0.5"), Decimal("2"), 5),
    "GX021": (Decimal("1"), Decimal("1.5"), 3),
    "GX027": (Decimal("1"), Decimal("2"), 0),
}
DEFAULT = (Decimal("1"), Decimal("2.5"), 5)


def load(*, schools, users):
    students = dict(Submission.objects.filter(year_id=YEAR).values_list("school__code", "student_count"))
    for code, school in sorted(schools.items()):
        enrolled = students.get(code)
        if code in TO_FILL_IN or not enrolled:
            continue
        periods, hours, days = SPECIAL.get(code, DEFAULT)
        values = {
            "class_periods_per_week": periods, "out_of_class_hours_per_week": hours,
            "labor_week_held": days > 0, "labor_week_days": days,
            "students_taking_part": round(enrolled * 0.9),
        }
        record = LaborEducation.objects.filter(school=school, year_id=YEAR).first()
        if record is None:
            record = LaborEducation.objects.create(school=school, year_id=YEAR, **values)
        elif any(getattr(record, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(record, name, value)
            record.save()
        bases = LaborBase.objects.filter(school=school, active=True)
        if set(record.bases_used.all()) != set(bases):
            record.bases_used.set(bases)


__all__ = ["load"]
