"""Permission matrix cases for every URL of the insurance app (pages and API)."""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from insurance.models import ClaimFile, PolicyType
from tests.insurance.factories import (
    ClaimDocumentFactory,
    ClaimFactory,
    CoverageFactory,
    FundingFactory,
    FundingRuleFactory,
    InsurerFactory,
    PolicyFactory,
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


def build(w):
    w.ins_insurer = InsurerFactory(name="矩阵测试保险公司")
    for t in PolicyType.values:
        FundingRuleFactory(insurance_type=t)
    w.ins_rule = FundingRuleFactory(insurance_type=PolicyType.STUDENT, from_year=2030)
    w.ins_county_policy = PolicyFactory(year=w.year, insurer=w.ins_insurer, policy_no="MX-COUNTY-1")
    w.ins_policy_b = PolicyFactory(
        year=w.year, insurer=w.ins_insurer, school=w.school_b, policy_type=PolicyType.LIABILITY, policy_no="MX-B-1"
    )
    w.ins_funding_b = FundingFactory(policy=w.ins_policy_b, source="school_ws", amount="1000.00", persons=0)
    w.ins_coverage_b = CoverageFactory(school=w.school_b, year=w.year)
    w.ins_claim_b = ClaimFactory(school=w.school_b, policy=w.ins_county_policy)
    w.ins_doc_b = ClaimDocumentFactory(claim=w.ins_claim_b, doc_type="notice")
    # One stored file under a fixed name, written once (not once per case).
    name = "claims/matrix/claim-file.png"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32))
    w.ins_file_b = ClaimFile.objects.create(claim=w.ins_claim_b, doc_type="medical", file=name,
                                            original_name="病历.png", size=40, content_type="image/png")


# Expectation rows used here.
WRITE_PAGE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 200, PRINCIPAL_B: 200, AUDITOR: 403}
B_WRITE_PAGE = {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}
B_WRITE_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 404, PRINCIPAL_B: 302, AUDITOR: 403}
STAFF_POST = {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_STAFF_CREATE = {ANON: 403, STAFF: 201, PRINCIPAL_A: 403, PRINCIPAL_B: 403, AUDITOR: 403}
API_B_PATCH = {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 200, AUDITOR: 403}

COVERAGE_DATA = {
    "insured_parent_paid": 300, "poor_free_by_insurer": 10,
    "poor_advanced_by_school": 10, "advance_amount": "500.00", "voluntary_consent_recorded": "on",
}


def _claim_form(w, school=True):
    data = {
        "policy_type": "student", "claimant_kind": "student", "injured_name": "王小明",
        "injured_id_number": "36068120100101123X", "incident_date": "2024-04-01", "place": "操场",
        "incident_kind": "sports", "cause": "跑步摔伤", "persons": 1, "requested_amount": "800.00",
        "reported_date": "2024-04-02",
    }
    if school:
        data["school"] = w.school_b.pk
    return data


def _coverage_edit(w):
    return {**COVERAGE_DATA, "row_version": w.ins_coverage_b.version}


def _policy_form(w):
    return {
        "year": 2024, "policy_no": "MX-NEW-1", "policy_type": "property", "insurer": w.ins_insurer.pk,
        "coverage_start": "2024-01-01", "coverage_end": "2024-12-31", "sum_insured": "1000000", "premium_total": "800",
    }


CASES = [
    # Pages
    Case("insurance:index", EVERYONE),
    Case("insurance:index", EVERYONE, query="year=2024"),
    Case("insurance:coverage_list", EVERYONE),
    Case("insurance:coverage_missing", BUREAU_READ, query="year=2024"),
    Case("insurance:coverage_new", {**WRITE_PAGE, PRINCIPAL_B: 302}),
    Case("insurance:coverage_new", {ANON: LOGIN, STAFF: 200, PRINCIPAL_A: 302, PRINCIPAL_B: 200, AUDITOR: 403},
         method="post", data=lambda w: {**COVERAGE_DATA, "school": w.school_b.pk}),
    Case("insurance:coverage_edit", B_WRITE_PAGE, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}),
    Case("insurance:coverage_edit", B_WRITE_POST, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}, method="post",
         data=_coverage_edit),
    Case("insurance:coverage_delete", B_WRITE_PAGE, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}),
    Case("insurance:coverage_delete", B_WRITE_POST, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}, method="post",
         data=lambda w: {}),
    Case("insurance:policy_list", EVERYONE),
    Case("insurance:policy_list", EVERYONE, query="year=2024&policy_type=liability&school=county"),
    Case("insurance:policy_new", STAFF_ONLY),
    Case("insurance:policy_new", STAFF_POST, method="post", data=_policy_form),
    Case("insurance:policy_detail", SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_policy_b.pk}),
    Case("insurance:policy_edit", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_policy_b.pk}),
    Case("insurance:policy_edit", STAFF_POST, kwargs=lambda w: {"pk": w.ins_policy_b.pk}, method="post",
         data=lambda w: {**_policy_form(w), "policy_type": "liability", "school": w.school_b.pk,
                         "row_version": w.ins_policy_b.version}),
    Case("insurance:policy_delete", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_policy_b.pk}),
    Case("insurance:policy_delete", STAFF_POST, kwargs=lambda w: {"pk": w.ins_policy_b.pk}, method="post",
         data=lambda w: {}),
    Case("insurance:funding_new", STAFF_ONLY, kwargs=lambda w: {"policy_pk": w.ins_policy_b.pk}),
    Case("insurance:funding_new", STAFF_POST, kwargs=lambda w: {"policy_pk": w.ins_policy_b.pk}, method="post",
         data=lambda w: {"source": "bureau_ws", "amount": "500.00", "persons": 0}),
    Case("insurance:funding_list", BUREAU_READ),
    Case("insurance:funding_list", BUREAU_READ, query="year=2024&source=school_ws"),
    Case("insurance:funding_edit", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_funding_b.pk}),
    Case("insurance:funding_edit", STAFF_POST, kwargs=lambda w: {"pk": w.ins_funding_b.pk}, method="post",
         data=lambda w: {"source": "school_ws", "amount": "900.00", "persons": 0,
                         "row_version": w.ins_funding_b.version}),
    Case("insurance:funding_delete", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_funding_b.pk}),
    Case("insurance:funding_delete", STAFF_POST, kwargs=lambda w: {"pk": w.ins_funding_b.pk}, method="post",
         data=lambda w: {}),
    Case("insurance:insurer_list", BUREAU_READ),
    Case("insurance:insurer_new", STAFF_ONLY),
    Case("insurance:insurer_new", STAFF_POST, method="post",
         data=lambda w: {"name": "新保险公司", "role": "insurer", "service_fee": "0"}),
    Case("insurance:insurer_edit", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_insurer.pk}),
    Case("insurance:insurer_edit", STAFF_POST, kwargs=lambda w: {"pk": w.ins_insurer.pk}, method="post",
         data=lambda w: {"name": "改名保险公司", "role": "insurer", "service_fee": "0",
                         "row_version": w.ins_insurer.version}),
    Case("insurance:rule_list", BUREAU_READ),
    Case("insurance:rule_new", STAFF_ONLY),
    Case("insurance:rule_new", STAFF_POST, method="post",
         data=lambda w: {"insurance_type": "property", "from_year": 2040, "allowed_sources": ["city"]}),
    Case("insurance:rule_edit", STAFF_ONLY, kwargs=lambda w: {"pk": w.ins_rule.pk}),
    Case("insurance:rule_edit", STAFF_POST, kwargs=lambda w: {"pk": w.ins_rule.pk}, method="post",
         data=lambda w: {"insurance_type": "student", "from_year": 2030, "allowed_sources": ["parent"],
                         "row_version": w.ins_rule.version}),
    Case("insurance:claim_list", EVERYONE),
    Case("insurance:claim_list", EVERYONE, query="paid_year=2024&status=paid&policy_type=student"),
    Case("insurance:claim_export", EVERYONE),
    Case("insurance:claim_new", WRITE_PAGE),
    Case("insurance:claim_new", {ANON: LOGIN, STAFF: 302, PRINCIPAL_A: 302, PRINCIPAL_B: 302, AUDITOR: 403},
         method="post", data=_claim_form),
    Case("insurance:claim_detail", SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_claim_b.pk}),
    Case("insurance:claim_edit", B_WRITE_PAGE, kwargs=lambda w: {"pk": w.ins_claim_b.pk}),
    Case("insurance:claim_edit", B_WRITE_POST, kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="post",
         data=lambda w: {**_claim_form(w), "row_version": w.ins_claim_b.version}),
    Case("insurance:claim_advance", STAFF_POST, kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="post",
         data=lambda w: {"to_status": "rejected", "reason": "不属于保险责任"}),
    Case("insurance:claim_document", B_WRITE_POST, kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="post",
         data=lambda w: {"doc_type": "medical", "received": "on"}),
    # A text file: refused after the permission checks, so no role's POST writes to the storage.
    Case("insurance:claim_file_upload", B_WRITE_POST, kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="post",
         data=lambda w: {"doc_type": "medical", "files": SimpleUploadedFile("说明.txt", b"text", "text/plain")}),
    Case("insurance:claim_file", SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_claim_b.pk, "file_pk": w.ins_file_b.pk}),
    Case("insurance:claim_file_delete", B_WRITE_POST, method="post", data=lambda w: {},
         kwargs=lambda w: {"pk": w.ins_claim_b.pk, "file_pk": w.ins_file_b.pk}),
    # API
    Case("insurance-insurer-list", API_BUREAU_READ),
    Case("insurance-insurer-list", API_STAFF_CREATE, method="post", content_type="application/json",
         data=lambda w: {"name": "接口保险公司", "role": "insurer", "service_fee": "0.00"}),
    Case("insurance-insurer-detail", API_BUREAU_READ, kwargs=lambda w: {"pk": w.ins_insurer.pk}),
    Case("insurance-funding-rule-list", API_BUREAU_READ),
    Case("insurance-funding-rule-detail", API_BUREAU_READ, kwargs=lambda w: {"pk": w.ins_rule.pk}),
    Case("insurance-policy-list", API_EVERYONE),
    Case("insurance-policy-list", API_EVERYONE, query="year=2024&policy_type=liability"),
    Case("insurance-policy-list", API_STAFF_CREATE, method="post", content_type="application/json",
         data=lambda w: {**_policy_form(w), "school": w.school_b.pk}),
    Case("insurance-policy-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_policy_b.pk}),
    Case("insurance-funding-list", API_EVERYONE),
    Case("insurance-funding-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_funding_b.pk}),
    Case("insurance-coverage-list", API_EVERYONE),
    Case("insurance-coverage-list", API_EVERYONE, query="year=2024&school=1"),
    Case("insurance-coverage-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}),
    Case("insurance-coverage-detail", API_B_PATCH, kwargs=lambda w: {"pk": w.ins_coverage_b.pk}, method="patch",
         content_type="application/json", data=lambda w: {"insured_parent_paid": 295}),
    Case("insurance-claim-list", API_EVERYONE),
    Case("insurance-claim-list", {ANON: 403, STAFF: 201, PRINCIPAL_A: 400, PRINCIPAL_B: 201, AUDITOR: 403},
         method="post", content_type="application/json", data=_claim_form),
    Case("insurance-claim-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_claim_b.pk}),
    Case("insurance-claim-detail", API_B_PATCH, kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="patch",
         content_type="application/json", data=lambda w: {"place": "篮球场"}),
    Case("insurance-claim-advance", {ANON: 403, STAFF: 200, PRINCIPAL_A: 404, PRINCIPAL_B: 403, AUDITOR: 403},
         kwargs=lambda w: {"pk": w.ins_claim_b.pk}, method="post", content_type="application/json",
         data=lambda w: {"to_status": "rejected", "reason": "不属于保险责任"}),
    Case("insurance-claim-document-list", API_EVERYONE),
    Case("insurance-claim-document-detail", API_SCHOOL_B_OBJECT, kwargs=lambda w: {"pk": w.ins_doc_b.pk}),
]

_ = dt
