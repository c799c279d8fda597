"""Permission-matrix cases of the logistics app (every URL name, pages and API).

Bureau pages (centre, sales, exam lodging) are 403 for principals; school services and
exam sites of school B are 404 for principal A. Only staff write bureau rows and sites.
"""

from tests.logistics.factories import (
    CapitalInvestmentFactory,
    CentreYearFiguresFactory,
    ExamLodgingProgramFactory,
    ExamSiteFactory,
    SalesLineFactory,
    SchoolServiceFactory,
    ServiceCentreFactory,
    ShopFactory,
)
from tests.matrix import (
    ANON,
    API_BUREAU_READ,
    API_EVERYONE,
    API_SCHOOL_B_OBJECT,
    AUDITOR,
    BUREAU_READ,
    EVERYONE,
    LOGIN,
    PRINCIPAL_A,
    PRINCIPAL_B,
    SCHOOL_B_OBJECT,
    STAFF,
    STAFF_ONLY,
    Case,
)

WRITERS = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 200, PRINCIPAL_B: 200, AUDITOR: 403}
STAFF_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
SCHOOL_B_WRITE_PAGE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}
SCHOOL_B_WRITE_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 404, PRINCIPAL_B: 302, AUDITOR: 403}
REDIRECT_ALL = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 302, PRINCIPAL_B: 302, AUDITOR: 302}
API_STAFF_CREATE = {ANON: 403, STAFF: 201, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_STAFF_WRITE = {ANON: 403, STAFF: 200, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
JSON = "application/json"


def build(w):
    w.log_centre = ServiceCentreFactory(name="矩阵后勤服务中心")
    w.log_shop = ShopFactory(centre=w.log_centre, name="矩阵店面")
    w.log_figures = CentreYearFiguresFactory(centre=w.log_centre, year=w.year)
    w.log_sales = SalesLineFactory(centre=w.log_centre, year=w.year, shop=w.log_shop)
    w.log_investment = CapitalInvestmentFactory(centre=w.log_centre)
    w.log_program = ExamLodgingProgramFactory(year=w.year, operator=w.log_centre)
    w.log_site_b = ExamSiteFactory(program=w.log_program, host_school=w.school_b, candidates=300, beds=310)
    w.log_service_b = SchoolServiceFactory(school=w.school_b, year=w.year, kind="canteen", mode="self_run")


def _pk(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


def _service_post(w):
    return {"school": w.school_b.pk, "year": w.year.pk, "kind": "shop", "name": "新超市", "mode": "self_run",
            "operator": "", "note": ""}


def _service_edit(w):
    return {"school": w.school_b.pk, "kind": "canteen", "name": "", "mode": "contracted", "operator": "承包人甲", "note": "",
            "row_version": w.log_service_b.version}


CASES = [
    Case("logistics:index", REDIRECT_ALL),
    # Centre (bureau)
    Case("logistics:centre", BUREAU_READ),
    Case("logistics:centre", BUREAU_READ, query="year=2024"),
    Case("logistics:centre_create", STAFF_ONLY),
    Case("logistics:centre_create", STAFF_POST, method="post",
         data=lambda w: {"name": "新中心", "founded_year": 2015, "exam_lodging_from_year": "", "note": ""}),
    Case("logistics:centre_edit", STAFF_ONLY, kwargs=_pk("log_centre")),
    Case("logistics:centre_edit", STAFF_POST, kwargs=_pk("log_centre"), method="post",
         data=lambda w: {"name": "矩阵后勤服务中心", "founded_year": 2012, "exam_lodging_from_year": 2014, "note": "",
                         "row_version": w.log_centre.version}),
    Case("logistics:shop_create", STAFF_ONLY),
    Case("logistics:shop_create", STAFF_POST, method="post",
         data=lambda w: {"centre": w.log_centre.pk, "name": "新店", "address": "", "categories": ["stationery"],
                         "opened_year": 2020, "active": "on"}),
    Case("logistics:shop_edit", STAFF_ONLY, kwargs=_pk("log_shop")),
    Case("logistics:shop_delete", STAFF_ONLY, kwargs=_pk("log_shop")),
    Case("logistics:figures_create", STAFF_ONLY, query="year=2024"),
    Case("logistics:figures_edit", STAFF_ONLY, kwargs=_pk("log_figures")),
    Case("logistics:figures_delete", STAFF_ONLY, kwargs=_pk("log_figures")),
    Case("logistics:sales", BUREAU_READ),
    Case("logistics:sales", BUREAU_READ, query="year=2024&category=stationery&customer_kind=school"),
    Case("logistics:sales_create", STAFF_ONLY),
    Case("logistics:sales_create", STAFF_POST, method="post",
         data=lambda w: {"centre": w.log_centre.pk, "year": 2024, "shop": w.log_shop.pk, "category": "sportswear",
                         "customer_kind": "society", "amount": "500.00", "note": ""}),
    Case("logistics:sales_edit", STAFF_ONLY, kwargs=_pk("log_sales")),
    Case("logistics:sales_delete", STAFF_ONLY, kwargs=_pk("log_sales")),
    Case("logistics:sales_delete", STAFF_POST, kwargs=_pk("log_sales"), method="post", data=lambda w: {}),
    Case("logistics:investment_create", STAFF_ONLY),
    Case("logistics:investment_edit", STAFF_ONLY, kwargs=_pk("log_investment")),
    Case("logistics:investment_delete", STAFF_ONLY, kwargs=_pk("log_investment")),
    # Exam lodging
    Case("logistics:exam", BUREAU_READ),
    Case("logistics:program_create", STAFF_ONLY),
    Case("logistics:program_edit", STAFF_ONLY, kwargs=_pk("log_program")),
    Case("logistics:program_delete", STAFF_ONLY, kwargs=_pk("log_program")),
    Case("logistics:site_create", STAFF_ONLY, kwargs=lambda w: {"program_pk": w.log_program.pk}),
    Case("logistics:sites", EVERYONE),
    Case("logistics:sites", EVERYONE, query="year=2024"),
    Case("logistics:site_detail", SCHOOL_B_OBJECT, kwargs=_pk("log_site_b")),
    Case("logistics:site_edit", STAFF_ONLY, kwargs=_pk("log_site_b")),
    Case("logistics:site_edit", STAFF_POST, kwargs=_pk("log_site_b"), method="post",
         data=lambda w: {"host_school": w.school_b.pk, "candidates": 280, "beds": 300, "note": "",
                         "row_version": w.log_site_b.version}),
    Case("logistics:site_delete", STAFF_ONLY, kwargs=_pk("log_site_b")),
    # School services
    Case("logistics:services", EVERYONE),
    Case("logistics:services", EVERYONE, query="year=2024&kind=canteen"),
    Case("logistics:service_create", WRITERS),
    Case("logistics:service_create", {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 302, PRINCIPAL_B: 302, AUDITOR: 403},
         method="post", data=_service_post),
    Case("logistics:service_edit", SCHOOL_B_WRITE_PAGE, kwargs=_pk("log_service_b")),
    Case("logistics:service_edit", SCHOOL_B_WRITE_POST, kwargs=_pk("log_service_b"), method="post", data=_service_edit),
    Case("logistics:service_delete", SCHOOL_B_WRITE_PAGE, kwargs=_pk("log_service_b")),
    Case("logistics:service_delete", SCHOOL_B_WRITE_POST, kwargs=_pk("log_service_b"), method="post", data=lambda w: {}),
    # API
    Case("logistics-centre-list", API_BUREAU_READ),
    Case("logistics-centre-detail", API_BUREAU_READ, kwargs=_pk("log_centre")),
    Case("logistics-shop-list", API_BUREAU_READ),
    Case("logistics-shop-detail", API_BUREAU_READ, kwargs=_pk("log_shop")),
    Case("logistics-figures-list", API_BUREAU_READ, query="year=2024"),
    Case("logistics-figures-detail", API_BUREAU_READ, kwargs=_pk("log_figures")),
    Case("logistics-sales-list", API_BUREAU_READ),
    Case("logistics-sales-list", API_STAFF_CREATE, method="post", content_type=JSON,
         data=lambda w: {"centre": w.log_centre.pk, "year": 2024, "shop": None, "category": "stationery",
                         "customer_kind": "society", "amount": "10.00"}),
    Case("logistics-sales-detail", API_BUREAU_READ, kwargs=_pk("log_sales")),
    Case("logistics-sales-detail", API_STAFF_WRITE, kwargs=_pk("log_sales"), method="patch", content_type=JSON,
         data=lambda w: {"amount": "20.00", "version": w.log_sales.version}),
    Case("logistics-investment-list", API_BUREAU_READ),
    Case("logistics-investment-detail", API_BUREAU_READ, kwargs=_pk("log_investment")),
    Case("logistics-exam-program-list", API_BUREAU_READ),
    Case("logistics-exam-program-detail", API_BUREAU_READ, kwargs=_pk("log_program")),
    Case("logistics-exam-site-list", API_EVERYONE),
    Case("logistics-exam-site-detail", API_SCHOOL_B_OBJECT, kwargs=_pk("log_site_b")),
    Case("logistics-exam-site-detail", API_STAFF_WRITE, kwargs=_pk("log_site_b"), method="patch", content_type=JSON,
         data=lambda w: {"candidates": 290, "version": w.log_site_b.version}),
    Case("logistics-school-service-list", API_EVERYONE, query="year=2024"),
    Case("logistics-school-service-list", {ANON: 403, STAFF: 201, PRINCIPAL_A: 403, PRINCIPAL_B: 201, AUDITOR: 403},
         method="post", content_type=JSON,
         data=lambda w: {"school": w.school_b.pk, "year": 2024, "kind": "shop", "name": "API超市", "mode": "self_run"}),
    Case("logistics-school-service-detail", API_SCHOOL_B_OBJECT, kwargs=_pk("log_service_b")),
    Case("logistics-school-service-detail", {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403},
         kwargs=_pk("log_service_b"), method="patch", content_type=JSON,
         data=lambda w: {"mode": "entrusted", "operator": "托管单位", "version": w.log_service_b.version}),
]
