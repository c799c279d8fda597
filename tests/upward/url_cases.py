"""Permission-matrix cases of the reports to the level above (the world's county is school B's)."""

from tests.matrix import ANON, AUDITOR, BUREAU_READ, LOGIN, PRINCIPAL_A, PRINCIPAL_B, STAFF, Case

REDIRECT_FOR_READERS = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 302}
# The county's director sends its report; the county's auditor and principals may not.
DIRECTOR_ACTS = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}


def _region(w):
    return {"year": w.year.year, "pk": w.school_b.county_id}


CASES = [
    Case("upward:index", REDIRECT_FOR_READERS),
    Case("upward:year", BUREAU_READ, kwargs=lambda w: {"year": w.year.year}),
    Case("upward:region", BUREAU_READ, kwargs=_region),
    Case("upward:action", DIRECTOR_ACTS, method="post", kwargs=lambda w: {**_region(w), "action": "submit"}),
    Case("upward:action", DIRECTOR_ACTS, method="post", kwargs=lambda w: {**_region(w), "action": "return"},
         data=lambda w: {"reason": "请核对"}),
]
