"""Permission matrix of the labor-base pages and API.

School B owns ``w.lb_base`` with a plot, a production line, accounts and an activity in
2024 (open, submission a draft): principal B may read and change them, principal A gets
404, auditors read but every write is refused by role (403) before any lookup.
"""

from decimal import Decimal
from urllib.parse import urlencode

from labor_bases.models import BaseYearArea
from tests.labor_bases.factories import (
    ActivityFactory,
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from tests.matrix import (
    ANON,
    API_EVERYONE,
    API_SCHOOL_B_OBJECT,
    AUDITOR,
    EVERYONE,
    LOGIN,
    PRINCIPAL_A,
    PRINCIPAL_B,
    STAFF,
    WRITERS,
    Case,
)

# A school-B object's edit/delete page: auditors are refused by role, principal A cannot see it.
EDIT_B = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}
POST_B = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 404, PRINCIPAL_B: 302, AUDITOR: 403}
# Creating a row for school B: principal A's choice of school/base is not among theirs -> form error (200, nothing saved).
CREATE_FOR_B = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 200, PRINCIPAL_B: 302, AUDITOR: 403}
API_CREATE_FOR_B = {ANON: 403, STAFF: 201, PRINCIPAL_A: 400, PRINCIPAL_B: 201, AUDITOR: 403}
API_PATCH_B = {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}
API_DELETE_B = {ANON: 403, STAFF: 204, PRINCIPAL_A: 404, PRINCIPAL_B: 204, AUDITOR: 403}
JSON = "application/json"


def build(w):
    w.lb_base = LaborBaseFactory(school=w.school_b, name="乙校桔园基地", declared_total_mu=Decimal("30"))
    w.lb_spare = LaborBaseFactory(school=w.school_b, name="乙校空基地")
    w.lb_area = BaseYearArea.objects.get(base=w.lb_base, year=w.year)
    w.lb_plot = LandParcelFactory(base=w.lb_base, year=w.year, land_type="orchard", crop="桔", area_mu=Decimal("30"))
    w.lb_line = ProductionLineFactory(base=w.lb_base, year=w.year, product="桔", grade="", quantity=Decimal("45000"),
                                      unit_price=Decimal("3"))
    w.lb_finance = BaseYearFinanceFactory(base=w.lb_base, year=w.year)
    w.lb_activity = ActivityFactory(school=w.school_b, year=w.year, base=w.lb_base, activity="桔园采摘")


def _base_form(w):
    return {"school": w.school_b.pk, "name": "乙校新基地", "declared_total_mu": "5", "active": "on"}


def _plot_form(w):
    return {"base": w.lb_base.pk, "land_type": "grain", "crop": "水稻", "area_mu": "5"}


def _line_form(w):
    return {"base": w.lb_base.pk, "product": "稻谷", "quantity": "2000", "unit": "kg", "unit_price": "2.6"}


def _finance_form(w):
    return {"base": w.lb_spare.pk, "labor_cost": "100", "other_income": "0", "seedling_cost": "0",
            "fertilizer_cost": "0", "equipment_cost": "0", "other_cost": "0", "remitted_to_school": "0"}


def _activity_form(w):
    return {"school": w.school_b.pk, "activity": "插秧", "participants": 50, "days": 1}


def _v(obj):
    return {"row_version": type(obj).objects.get(pk=obj.pk).version}


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _crud(prefix, attr, form, edit_data, delete_attr=None):
    return [
        Case(f"labor_bases:{prefix}_create", WRITERS, query="year=2024"),
        Case(f"labor_bases:{prefix}_create", CREATE_FOR_B, method="post", query="year=2024", data=form),
        Case(f"labor_bases:{prefix}_edit", EDIT_B, kwargs=_pk(attr)),
        Case(f"labor_bases:{prefix}_edit", POST_B, kwargs=_pk(attr), method="post",
             data=lambda w: {**edit_data(w), **_v(getattr(w, attr))}),
        Case(f"labor_bases:{prefix}_delete", EDIT_B, kwargs=_pk(delete_attr or attr)),
        Case(f"labor_bases:{prefix}_delete", POST_B, kwargs=_pk(delete_attr or attr), method="post", data=lambda w: {}),
    ]


def _api(basename, attr, create, patch, delete_attr=None):
    return [
        Case(f"{basename}-list", API_EVERYONE),
        Case(f"{basename}-list", API_EVERYONE, query="year=2024"),
        Case(f"{basename}-detail", API_SCHOOL_B_OBJECT, kwargs=_pk(attr)),
        Case(f"{basename}-list", API_CREATE_FOR_B, method="post", data=create, content_type=JSON),
        Case(f"{basename}-detail", API_PATCH_B, kwargs=_pk(attr), method="patch", content_type=JSON,
             data=lambda w: {**patch(w), "version": type(getattr(w, attr)).objects.get(pk=getattr(w, attr).pk).version}),
        Case(f"{basename}-detail", API_DELETE_B, kwargs=_pk(delete_attr or attr), method="delete"),
    ]


CASES = [
    # Base and plot suggestions: principal A searches for school B's base by its school's
    # name and gets nothing (leak check: base labels carry the school's name).
    Case("picker_search", EVERYONE, kwargs=lambda w: {"key": "labor_base"}, query=urlencode({"q": "乙校"})),
    Case("picker_search", EVERYONE, kwargs=lambda w: {"key": "parcel"}, query=urlencode({"q": "桔", "year": 2024})),
    Case("labor_bases:index", EVERYONE),
    Case("labor_bases:index", EVERYONE, query="year=2024&land_type=orchard"),
    Case("labor_bases:bases", EVERYONE),
    # A principal's own school (2023, the year copied from, is empty: nothing to create);
    # staff first choose a school. Another school's id: tests/labor_bases/test_copy_year.py.
    Case("labor_bases:copy_year", WRITERS, query="year=2024"),
    Case("labor_bases:copy_year", {ANON: LOGIN, STAFF: 404, PRINCIPAL_A: 302, PRINCIPAL_B: 302, AUDITOR: 403},
         method="post", query="year=2024", data=lambda w: {}),
    Case("labor_bases:years", EVERYONE),
    Case("labor_bases:plots", EVERYONE, query="year=2024&land_type=orchard"),
    Case("labor_bases:lines", EVERYONE, query="year=2024&product=桔"),
    Case("labor_bases:finance", EVERYONE, query="year=2024"),
    Case("labor_bases:activities", EVERYONE, query="year=2024"),
    *_crud("base", "lb_base", _base_form, lambda w: {"school": w.school_b.pk, "name": "乙校桔园基地（改）",
                                                      "declared_total_mu": "30", "active": "on"},
          delete_attr="lb_spare"),
    *_crud("plot", "lb_plot", _plot_form, lambda w: {"base": w.lb_base.pk, "land_type": "orchard", "crop": "桔",
                                                      "area_mu": "31"}),
    *_crud("line", "lb_line", _line_form, lambda w: {"base": w.lb_base.pk, "product": "桔", "quantity": "40000",
                                                      "unit": "kg", "unit_price": "3"}),
    *_crud("finance", "lb_finance", _finance_form, lambda w: {**_finance_form(w), "base": w.lb_base.pk}),
    *_crud("activity", "lb_activity", _activity_form, _activity_form),
    *_api("labor-base", "lb_base", lambda w: {"school": w.school_b.pk, "name": "API基地"},
          lambda w: {"location": "新址"}, delete_attr="lb_spare"),
    *_api("labor-area", "lb_area", lambda w: {"base": w.lb_spare.pk, "year": 2024, "declared_total_mu": "8"},
          lambda w: {"declared_total_mu": "31"}),
    *_api("labor-plot", "lb_plot", lambda w: {"base": w.lb_base.pk, "year": 2024, "land_type": "grain", "area_mu": "3"},
          lambda w: {"area_mu": "29"}),
    *_api("labor-line", "lb_line", lambda w: {"base": w.lb_base.pk, "year": 2024, "product": "稻谷", "quantity": "10",
                                              "unit": "kg", "unit_price": "2"},
          lambda w: {"quantity": "100"}),
    *_api("labor-finance", "lb_finance", lambda w: {"base": w.lb_spare.pk, "year": 2024, "labor_cost": "10"},
          lambda w: {"labor_cost": "100"}),
    *_api("labor-activity", "lb_activity", lambda w: {"school": w.school_b.pk, "year": 2024, "activity": "施肥",
                                                      "participants": 10, "days": 1},
          lambda w: {"participants": 11}),
]
