"""Permission-matrix cases of the labor-education app: school B's record is a 404 for
principal A; auditors read and never write."""

from tests.labor_education.factories import LaborEducationFactory
from tests.matrix import ANON, AUDITOR, EVERYONE, LOGIN, PRINCIPAL_A, PRINCIPAL_B, STAFF, WRITERS, Case

SCHOOL_B_WRITE_PAGE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}
SCHOOL_B_WRITE_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 404, PRINCIPAL_B: 302, AUDITOR: 403}
# Principal B already has a record for the year: a second one is refused on the form (200).
CREATE_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 302, PRINCIPAL_B: 200, AUDITOR: 403}


def build(w):
    w.le_record_b = LaborEducationFactory(school=w.school_b, year=w.year, students_taking_part=350)


def _pk(w):
    return {"pk": w.le_record_b.pk}


def _create_post(w):
    return {"school": w.school_a.pk, "year": w.year.pk, "class_periods_per_week": "1", "out_of_class_hours_per_week": "2",
            "labor_week_held": "on", "labor_week_days": 5, "students_taking_part": 100, "note": ""}


def _edit_post(w):
    return {"class_periods_per_week": "2", "out_of_class_hours_per_week": "3", "labor_week_held": "on",
            "labor_week_days": 4, "students_taking_part": 320, "note": "", "row_version": w.le_record_b.version}


CASES = [
    Case("labor_education:index", EVERYONE),
    Case("labor_education:index", EVERYONE, query="year=2024"),
    Case("labor_education:create", WRITERS, query="year=2024"),
    Case("labor_education:create", CREATE_POST, method="post", data=_create_post),
    Case("labor_education:edit", SCHOOL_B_WRITE_PAGE, kwargs=_pk),
    Case("labor_education:edit", SCHOOL_B_WRITE_POST, kwargs=_pk, method="post", data=_edit_post),
    Case("labor_education:delete", SCHOOL_B_WRITE_PAGE, kwargs=_pk),
    Case("labor_education:delete", SCHOOL_B_WRITE_POST, kwargs=_pk, method="post", data=lambda w: {}),
]
