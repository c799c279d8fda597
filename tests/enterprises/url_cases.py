"""Permission matrix of the enterprise pages and API.

School B sponsors ``w.ent_b`` (principal B reads it, principal A gets 404); the bureau's
``w.ent_bureau`` is for staff and auditors only (404 for every principal). Only staff write.
"""

from decimal import Decimal

from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
from tests.matrix import (
    ANON,
    API_BUREAU_READ,
    API_EVERYONE,
    API_SCHOOL_B_OBJECT,
    AUDITOR,
    EVERYONE,
    LOGIN,
    PRINCIPAL_A,
    PRINCIPAL_B,
    SCHOOL_B_OBJECT,
    STAFF,
    STAFF_ONLY,
    Case,
)

BUREAU_OBJECT = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 404, AUDITOR: 200}
API_BUREAU_OBJECT = {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 404, AUDITOR: 200}
# Writes: only staff; every other role is refused by role (403), before any lookup.
POST_REDIRECT = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_CREATE = {ANON: 403, STAFF: 201, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_UPDATE = {ANON: 403, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_DELETE = {ANON: 403, STAFF: 204, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}


def build(w):
    w.ent_b = EnterpriseFactory(name="乙校主办校具厂", kind="furniture", sponsor_school=w.school_b)
    w.ent_bureau = EnterpriseFactory(name="勤工办宏达厂", kind="paint", sponsor_school=None)
    w.ent_spare = EnterpriseFactory(name="待删除企业", sponsor_school=w.school_b)
    w.stat_b = YearStatFactory(enterprise=w.ent_b, year=w.year)
    w.stat_bureau = YearStatFactory(enterprise=w.ent_bureau, year=w.year)
    w.event_b = ReformEventFactory(enterprise=w.ent_b)
    w.event_bureau = ReformEventFactory(enterprise=w.ent_bureau)


def _enterprise_form(w):
    return {"name": "新办印刷厂", "kind": "printing", "sponsor_label": "勤工办", "ownership": "collective",
            "status": "operating", "form": "factory"}


def _stat_form(w, stat=None):
    data = {"year": 2024, "revenue": "200000", "cost": "150000", "tax": "0", "remitted_to_education": "1000",
            "employees": 5, "work_study_placements": 0}
    if stat is not None:
        data["row_version"] = stat.version
    return data


def _event_form(w, event=None):
    data = {"month": "2020-03", "kind": "investment", "amount": "120000"}
    if event is not None:
        data["row_version"] = event.version
    return data


CASES = [
    # Pages: reading
    Case("enterprises:index", EVERYONE),
    Case("enterprises:figures", EVERYONE, query="year=2024"),
    Case("enterprises:events", EVERYONE),
    Case("enterprises:detail", SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ent_b.pk}),
    Case("enterprises:detail", BUREAU_OBJECT, kwargs=lambda w: {"pk": w.ent_bureau.pk}),
    # Pages: forms (GET) are for staff only
    Case("enterprises:create", STAFF_ONLY),
    Case("enterprises:update", STAFF_ONLY, kwargs=lambda w: {"pk": w.ent_b.pk}),
    Case("enterprises:delete", STAFF_ONLY, kwargs=lambda w: {"pk": w.ent_bureau.pk}),
    Case("enterprises:figure_create", STAFF_ONLY, kwargs=lambda w: {"enterprise_pk": w.ent_b.pk}),
    Case("enterprises:figure_update", STAFF_ONLY, kwargs=lambda w: {"pk": w.stat_b.pk}),
    Case("enterprises:figure_delete", STAFF_ONLY, kwargs=lambda w: {"pk": w.stat_bureau.pk}),
    Case("enterprises:event_create", STAFF_ONLY, kwargs=lambda w: {"enterprise_pk": w.ent_b.pk}),
    Case("enterprises:event_update", STAFF_ONLY, kwargs=lambda w: {"pk": w.event_b.pk}),
    Case("enterprises:event_delete", STAFF_ONLY, kwargs=lambda w: {"pk": w.event_bureau.pk}),
    # Pages: writes
    Case("enterprises:create", POST_REDIRECT, method="post", data=_enterprise_form),
    Case("enterprises:update", POST_REDIRECT, kwargs=lambda w: {"pk": w.ent_b.pk}, method="post",
         data=lambda w: {**_enterprise_form(w), "name": "乙校主办校具厂（改）", "sponsor_school": w.school_b.pk,
                         "row_version": w.ent_b.version}),
    Case("enterprises:delete", POST_REDIRECT, kwargs=lambda w: {"pk": w.ent_spare.pk}, method="post",
         data=lambda w: {}),
    Case("enterprises:figure_create", POST_REDIRECT, kwargs=lambda w: {"enterprise_pk": w.ent_spare.pk},
         method="post", data=_stat_form),
    Case("enterprises:figure_update", POST_REDIRECT, kwargs=lambda w: {"pk": w.stat_b.pk}, method="post",
         data=lambda w: _stat_form(w, w.stat_b)),
    Case("enterprises:figure_delete", POST_REDIRECT, kwargs=lambda w: {"pk": w.stat_bureau.pk}, method="post",
         data=lambda w: {}),
    Case("enterprises:event_create", POST_REDIRECT, kwargs=lambda w: {"enterprise_pk": w.ent_b.pk},
         method="post", data=_event_form),
    Case("enterprises:event_update", POST_REDIRECT, kwargs=lambda w: {"pk": w.event_b.pk}, method="post",
         data=lambda w: _event_form(w, w.event_b)),
    Case("enterprises:event_delete", POST_REDIRECT, kwargs=lambda w: {"pk": w.event_bureau.pk}, method="post",
         data=lambda w: {}),
    # API: reading
    Case("enterprise-list", API_EVERYONE),
    Case("enterprise-list", API_EVERYONE, query="year=2024"),
    Case("enterprise-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ent_b.pk}),
    Case("enterprise-detail", API_BUREAU_OBJECT, kwargs=lambda w: {"pk": w.ent_bureau.pk}),
    Case("enterprise-figure-list", API_EVERYONE, query="year=2024"),
    Case("enterprise-figure-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.stat_b.pk}),
    Case("enterprise-figure-detail", API_BUREAU_OBJECT, kwargs=lambda w: {"pk": w.stat_bureau.pk}),
    Case("enterprise-event-list", API_EVERYONE),
    Case("enterprise-event-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.event_b.pk}),
    Case("enterprise-event-detail", API_BUREAU_OBJECT, kwargs=lambda w: {"pk": w.event_bureau.pk}),
    # API: writes
    Case("enterprise-list", API_CREATE, method="post", content_type="application/json",
         data=lambda w: _enterprise_form(w)),
    Case("enterprise-detail", API_UPDATE, kwargs=lambda w: {"pk": w.ent_b.pk}, method="patch",
         content_type="application/json", data=lambda w: {"industry": "木制校具", "version": w.ent_b.version}),
    Case("enterprise-detail", API_DELETE, kwargs=lambda w: {"pk": w.ent_spare.pk}, method="delete"),
    Case("enterprise-figure-list", API_CREATE, method="post", content_type="application/json",
         data=lambda w: {**_stat_form(w), "enterprise": w.ent_spare.pk}),
    Case("enterprise-figure-detail", API_UPDATE, kwargs=lambda w: {"pk": w.stat_b.pk}, method="patch",
         content_type="application/json", data=lambda w: {"revenue": "300000", "version": w.stat_b.version}),
    Case("enterprise-figure-detail", API_DELETE, kwargs=lambda w: {"pk": w.stat_bureau.pk}, method="delete"),
    Case("enterprise-event-list", API_CREATE, method="post", content_type="application/json",
         data=lambda w: {"enterprise": w.ent_b.pk, "date": "2020-03-01", "kind": "investment",
                         "amount": str(Decimal("120000"))}),
    Case("enterprise-event-detail", API_UPDATE, kwargs=lambda w: {"pk": w.event_b.pk}, method="patch",
         content_type="application/json", data=lambda w: {"note": "补充说明", "version": w.event_b.version}),
    Case("enterprise-event-detail", API_DELETE, kwargs=lambda w: {"pk": w.event_bureau.pk}, method="delete"),
    # History pages of our rows (core view): whoever may read the row, so principal B too
    Case("history", SCHOOL_B_OBJECT,
         kwargs=lambda w: {"app_label": "enterprises", "model_name": "enterprise", "pk": w.ent_b.pk}),
    Case("history", SCHOOL_B_OBJECT,
         kwargs=lambda w: {"app_label": "enterprises", "model_name": "enterpriseyearstat", "pk": w.stat_b.pk}),
]

__all__ = ["CASES", "build", "API_BUREAU_READ"]
