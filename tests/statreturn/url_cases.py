"""Permission-matrix cases of the official return: school B's enterprise's return row is a 404
for principal A; only bureau staff write; the return itself is read by every role, each over
the schools they may see (principal A's page never names school B)."""

from decimal import Decimal

from tests.enterprises.factories import EnterpriseFactory, YearStatFactory
from tests.matrix import ANON, AUDITOR, EVERYONE, LOGIN, PRINCIPAL_A, PRINCIPAL_B, SCHOOL_B_OBJECT, STAFF, Case
from tests.statreturn.factories import EnterpriseReturnFactory

STAFF_PAGE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
STAFF_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
REDIRECT = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 302, PRINCIPAL_B: 302, AUDITOR: 302}


def build(w):
    w.sr_enterprise_b = EnterpriseFactory(name="乙校印刷厂", sponsor_school=w.school_b, sponsor_label="")
    YearStatFactory(enterprise=w.sr_enterprise_b, year=w.year)
    w.sr_return_b = EnterpriseReturnFactory(enterprise=w.sr_enterprise_b, year=w.year)
    w.sr_enterprise_new = EnterpriseFactory(name="勤工办新厂")
    YearStatFactory(enterprise=w.sr_enterprise_new, year=w.year)


def _pk(w):
    return {"pk": w.sr_return_b.pk}


def _year(w):
    return {"year": w.year.pk}


def _fields(**extra):
    values = {
        "sector": "industry",
        "output_value": "100",
        "assets": "900",
        "liabilities": "400",
        "equity": "",
        "tax_relief": "0",
        "use_base_building": "0",
        "use_school_conditions": "100",
        "use_collective_welfare": "0",
        "use_personal_welfare": "0",
        "use_other": "0",
        "year_end_balance": "10",
        "note": "",
    }
    values.update(extra)
    return values


def _create_post(w):
    return _fields(enterprise=w.sr_enterprise_new.pk, year=w.year.pk)


def _edit_post(w):
    return _fields(output_value=str(Decimal("2000")), row_version=w.sr_return_b.version)


CASES = [
    Case("statreturn:index", REDIRECT),
    Case("statreturn:return", EVERYONE, kwargs=_year),
    Case("statreturn:xlsx", EVERYONE, kwargs=_year),
    Case("statreturn:sources", EVERYONE, kwargs=lambda w: {"year": w.year.pk, "code": "A10"}),
    Case("statreturn:figures", EVERYONE, query="year=2024"),
    Case("statreturn:create", STAFF_PAGE, query="year=2024"),
    Case("statreturn:create", STAFF_POST, method="post", data=_create_post),
    Case("statreturn:edit", STAFF_PAGE, kwargs=_pk),
    Case("statreturn:edit", STAFF_POST, kwargs=_pk, method="post", data=_edit_post),
    Case("statreturn:delete", STAFF_PAGE, kwargs=_pk),
    Case("statreturn:delete", STAFF_POST, kwargs=_pk, method="post", data=lambda w: {}),
]

__all__ = ["CASES", "build", "SCHOOL_B_OBJECT"]
