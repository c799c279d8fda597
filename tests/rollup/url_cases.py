"""Permission-matrix cases of the county comparison: the matrix's users all belong to one county,
and a county's users (staff, auditors) and principals are refused (403); city and province users
are tested in tests/rollup/test_pages.py."""

from tests.matrix import ANON, AUDITOR, LOGIN, PRINCIPAL_A, PRINCIPAL_B, STAFF, Case

REFUSED = {ANON: LOGIN, STAFF: 403, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}


def _year(w):
    return {"year": w.year.pk}


CASES = [
    Case("rollup:index", REFUSED),
    Case("rollup:compare", REFUSED, _year),
    Case("rollup:pdf", REFUSED, _year),
    Case("rollup:xlsx", REFUSED, _year),
]
