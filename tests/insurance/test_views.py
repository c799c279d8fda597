"""Pages: 报案 and coverage forms with inline Chinese errors, scoping, locking, stale edits, masking."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from insurance.models import Claim, ClaimStatus, StudentAccidentCoverage
from tests.factories import SubmissionFactory
from tests.insurance.factories import CoverageFactory, PolicyFactory
from workstudy import modules
from workstudy.models import ReportingYear

pytestmark = pytest.mark.django_db

REPORT = {
    "policy_type": "student", "claimant_kind": "student", "injured_name": "王小明",
    "injured_id_number": "36068120100101123x", "incident_date": "2024-04-01", "place": "操场",
    "incident_kind": "sports", "cause": "跑步摔伤", "persons": 1, "requested_amount": "800.00",
    "reported_date": "2024-04-02",
}
COVERAGE = {
    "insured_parent_paid": 300, "poor_free_by_insurer": 10,
    "poor_advanced_by_school": 10, "advance_amount": "500.00", "voluntary_consent_recorded": "on",
}


def test_principal_reports_claim_on_county_policy(principal_a_client, school_a, county_student_policy, submission_a):
    response = principal_a_client.post(
        reverse("insurance:claim_new"),
        {**REPORT, "status": "paid", "paid_amount": "800.00", "assessed_amount": "800.00", "school": 999},
    )
    assert response.status_code == 302
    claim = Claim.objects.get()
    assert claim.school == school_a and claim.policy == county_student_policy and claim.year_id == 2024
    assert claim.status == ClaimStatus.REPORTED and claim.paid_amount is None and claim.assessed_amount is None
    assert claim.claim_no == "LP2024-0001"
    assert claim.injured_id_number == "36068120100101123X"


def test_report_without_active_policy_is_refused_in_words(principal_a_client, county_student_policy, submission_a):
    response = principal_a_client.post(reverse("insurance:claim_new"), {**REPORT, "policy_type": "liability"})
    body = response.content.decode()
    assert response.status_code == 200 and not Claim.objects.exists()
    assert "没有有效的“校(园)方责任险”保单" in body and "2024-04-01" in body


def test_report_incident_before_reported_error_inline(principal_a_client, county_student_policy, submission_a):
    response = principal_a_client.post(reverse("insurance:claim_new"), {**REPORT, "reported_date": "2024-03-01"})
    assert "报案日期（2024-03-01）不能早于出险日期（2024-04-01）" in response.content.decode()
    assert not Claim.objects.exists()


def test_form_has_units_and_no_payout_fields(principal_a_client, county_student_policy):
    body = principal_a_client.get(reverse("insurance:claim_new")).content.decode()
    assert 'name="paid_amount"' not in body and 'name="status"' not in body and 'name="school"' not in body
    assert '<span class="unit">人次</span>' in body and '<span class="unit">元</span>' in body


def test_principal_cannot_touch_school_b(principal_a_client, claim_b, county_student_policy, school_b):
    for name in ("insurance:claim_detail", "insurance:claim_edit"):
        assert principal_a_client.get(reverse(name, args=[claim_b.pk])).status_code == 404
    assert principal_a_client.post(reverse("insurance:claim_document", args=[claim_b.pk]),
                                   {"doc_type": "medical", "received": "on"}).status_code == 404
    coverage_b = CoverageFactory(school=school_b, year=county_student_policy.year)
    assert principal_a_client.post(reverse("insurance:coverage_edit", args=[coverage_b.pk]), COVERAGE).status_code == 404
    body = principal_a_client.get(reverse("insurance:claim_list")).content.decode()
    assert "李*" not in body and school_b.name not in body


def test_principal_edits_only_while_reported(principal_a_client, claim_a):
    url = reverse("insurance:claim_edit", args=[claim_a.pk])
    assert principal_a_client.get(url).status_code == 200
    Claim.objects.filter(pk=claim_a.pk).update(status=ClaimStatus.DOCS_COMPLETE, documents_date=dt.date(2024, 3, 9))
    response = principal_a_client.get(url)
    assert response.status_code == 403 and "如需更正请联系勤工办" in response.content.decode()
    assert principal_a_client.post(reverse("insurance:claim_document", args=[claim_a.pk]),
                                   {"doc_type": "medical", "received": "on"}).status_code == 403


def test_principal_ticks_documents(principal_a_client, claim_a):
    principal_a_client.post(reverse("insurance:claim_document", args=[claim_a.pk]), {"doc_type": "invoice", "received": "on"})
    assert claim_a.documents.get(doc_type="invoice").received


def test_claim_edit_keeps_policy_resolution(principal_a_client, claim_a):
    data = {**REPORT, "place": "食堂", "row_version": claim_a.version}
    assert principal_a_client.post(reverse("insurance:claim_edit", args=[claim_a.pk]), data).status_code == 302
    claim_a.refresh_from_db()
    assert claim_a.place == "食堂" and claim_a.incident_date == dt.date(2024, 4, 1)


def test_stale_claim_edit_refused(principal_a_client, claim_a):
    data = {**REPORT, "row_version": claim_a.version}
    Claim.objects.get(pk=claim_a.pk).save()  # someone else saved meanwhile
    response = principal_a_client.post(reverse("insurance:claim_edit", args=[claim_a.pk]), data)
    assert response.status_code == 200 and "已被他人修改" in response.content.decode()


def test_coverage_create_and_inline_rule_error(principal_a_client, school_a, year, submission_a):
    url = reverse("insurance:coverage_new") + "?year=2024"
    # The school's counts are its submission's (400 students, 20 poor), shown on the form, not asked again.
    body = principal_a_client.get(url).content.decode()
    assert "学生 400 人，贫困家庭学生 20 人" in body
    assert 'name="enrolled"' not in body and 'name="poor_students"' not in body
    response = principal_a_client.post(url, {**COVERAGE, "insured_parent_paid": 390})
    body = response.content.decode()
    assert response.status_code == 200 and "学平险投保人数合计 410 人，超过了本校年度基本情况中的学生人数 400 人" in body
    assert principal_a_client.post(url, COVERAGE).status_code == 302
    row = StudentAccidentCoverage.objects.get()
    assert row.school == school_a and row.year_id == 2024 and row.poor_covered == 20
    # A second create for the same school and year goes to the existing row / is refused in words.
    assert principal_a_client.get(url).status_code == 302
    response = principal_a_client.post(url, COVERAGE)
    assert "已经填写" in response.content.decode()


def test_coverage_cross_module_student_count(principal_a_client, school_a, year):
    SubmissionFactory(school=school_a, year=year, student_count=300)
    response = principal_a_client.post(reverse("insurance:coverage_new") + "?year=2024",
                                       {**COVERAGE, "insured_parent_paid": 290})
    assert "超过了本校年度基本情况中的学生人数 300 人" in response.content.decode()


def test_stale_coverage_edit_refused(principal_a_client, school_a, year, submission_a):
    row = CoverageFactory(school=school_a, year=year)
    url = reverse("insurance:coverage_edit", args=[row.pk])
    old_version = row.version
    StudentAccidentCoverage.objects.get(pk=row.pk).save()
    response = principal_a_client.post(url, {**COVERAGE, "row_version": old_version})
    assert "已被他人修改" in response.content.decode()
    response = principal_a_client.post(url, {**COVERAGE, "row_version": old_version + 1})
    assert response.status_code == 302


def test_locked_year_refuses_writes(principal_a_client, director_client, claim_a, school_a, year, director):
    row = CoverageFactory(school=school_a, year=year)
    ReportingYear.objects.filter(pk=2024).update(status="locked", locked_by=director)
    response = principal_a_client.post(reverse("insurance:coverage_edit", args=[row.pk]), {**COVERAGE, "row_version": 1})
    assert response.status_code == 403
    response = director_client.post(reverse("insurance:claim_new"), {**REPORT, "school": school_a.pk})
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert Claim.objects.count() == 1
    response = director_client.get(reverse("insurance:claim_edit", args=[claim_a.pk]))
    assert response.status_code == 403


def test_submitted_school_cannot_report(principal_a_client, county_student_policy, submission_a):
    submission_a.status = "submitted"
    submission_a.save()
    response = principal_a_client.post(reverse("insurance:claim_new"), REPORT)
    assert "已上报" in response.content.decode() and not Claim.objects.exists()


def test_masking_in_list_and_detail(director_client, principal_a_client, auditor_client, claim_a):
    for client in (director_client, principal_a_client, auditor_client):
        body = client.get(reverse("insurance:claim_list") + "?year=2024").content.decode()
        assert "张**" in body and "张三丰" not in body and "362301200801011234" not in body
    detail = reverse("insurance:claim_detail", args=[claim_a.pk])
    assert "张三丰" in director_client.get(detail).content.decode()
    for client in (principal_a_client, auditor_client):
        body = client.get(detail).content.decode()
        assert "张**" in body and "3623**********1234" in body and "张三丰" not in body


def test_claim_export_masks_and_scopes(principal_a_client, director_client, claim_a, claim_b):
    response = principal_a_client.get(reverse("insurance:claim_export") + "?year=2024")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][0] == "案件编号" and len(rows) == 2
    assert rows[1][5] == "张**" and rows[1][6] == "3623**********1234"
    response = director_client.get(reverse("insurance:claim_export") + "?year=2024")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert len(rows) == 3 and {r[5] for r in rows[1:]} == {"张**", "李*"}
    flat = "".join(str(v) for r in rows for v in r)
    assert "张三丰" not in flat and "李四" not in flat


def test_claim_list_filters(director_client, claim_a, claim_b, county_student_policy):
    Claim.objects.filter(pk=claim_b.pk).update(
        status=ClaimStatus.PAID, assessed_amount=Decimal("100"), paid_amount=Decimal("100"), paid_date=dt.date(2025, 1, 5)
    )
    body = director_client.get(reverse("insurance:claim_list") + "?year=2024&status=reported").content.decode()
    assert claim_a.claim_no in body and claim_b.claim_no not in body
    # Paid in 2025 on a 2024 policy: found by paid year, not by the year picker.
    body = director_client.get(reverse("insurance:claim_list") + "?paid_year=2025&status=paid").content.decode()
    assert claim_b.claim_no in body and claim_a.claim_no not in body
    body = director_client.get(reverse("insurance:claim_list") + f"?year=2024&school={claim_a.school_id}").content.decode()
    assert claim_a.claim_no in body and claim_b.claim_no not in body


def test_index_pages(director_client, principal_a_client, auditor_client, claim_a, school_a, year):
    CoverageFactory(school=school_a, year=year)
    body = director_client.get(reverse("insurance:index") + "?year=2024").content.decode()
    assert "保费来源" in body and "学平险投保（全市合计）" in body and "XPX2024-0001" in body
    body = principal_a_client.get(reverse("insurance:index") + "?year=2024").content.decode()
    assert "本校理赔案件" in body and claim_a.claim_no in body and "报案" in body
    assert auditor_client.get(reverse("insurance:index")).status_code == 200


def test_principal_sees_own_school_policy_only(principal_a_client, school_a, school_b, year, insurer):
    own = PolicyFactory(year=year, insurer=insurer, school=school_a, policy_no="OWN-A")
    other = PolicyFactory(year=year, insurer=insurer, school=school_b, policy_no="OWN-B")
    body = principal_a_client.get(reverse("insurance:policy_list") + "?year=2024").content.decode()
    assert own.policy_no in body and other.policy_no not in body
    assert principal_a_client.get(reverse("insurance:policy_detail", args=[other.pk])).status_code == 404
    assert principal_a_client.get(reverse("insurance:policy_edit", args=[own.pk])).status_code == 403


def test_staff_policy_and_funding_forms(director_client, rules, insurer, year):
    response = director_client.post(reverse("insurance:policy_new"), {
        "year": 2024, "policy_no": "NEW-1", "policy_type": "liability", "insurer": insurer.pk,
        "coverage_start": "2024-01-01", "coverage_end": "2024-12-31", "premium_total": "1000", "per_person_limit": "300000",
    })
    assert response.status_code == 302
    from insurance.models import InsurancePolicy
    policy = InsurancePolicy.objects.get(policy_no="NEW-1")
    url = reverse("insurance:funding_new", args=[policy.pk])
    response = director_client.post(url, {"source": "parent", "amount": "1000", "persons": 0})
    assert "严禁向学生或家长收取" in response.content.decode()
    assert director_client.post(url, {"source": "bureau_ws", "amount": "500", "persons": 0}).status_code == 302
    body = director_client.get(reverse("insurance:policy_detail", args=[policy.pk])).content.decode()
    assert "与保费合计不一致" in body


def test_module_registered_with_counts(claim_a, school_a, school_b, year):
    CoverageFactory(school=school_a, year=year)
    module = {m.key: m for m in modules.all_modules()}["insurance"]
    assert module.title == "学校保险与理赔"
    assert module.counts(2024) == {school_a.pk: 2}
    assert module.url(2024) == "/insurance/?year=2024"


def test_module_counts_one_query(claim_a, django_assert_num_queries):
    module = {m.key: m for m in modules.all_modules()}["insurance"]
    with django_assert_num_queries(1):
        module.counts(2024)


def test_coverage_list_queries_do_not_grow_with_its_rows(director_client, year, school_a, school_b):
    """Each row's year came with a query of its own (100 a page); now with the rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import SchoolFactory

    url = reverse("insurance:coverage_list") + "?year=2024"
    CoverageFactory(school=school_a, year=year)
    director_client.get(url)
    with CaptureQueriesContext(connection) as one:
        assert director_client.get(url).status_code == 200
    for school in [school_b, *(SchoolFactory(county=school_a.county) for _ in range(5))]:
        CoverageFactory(school=school, year=year)
    with CaptureQueriesContext(connection) as seven:
        body = director_client.get(url).content.decode()
    assert body.count("<tr") >= 7
    assert len(seven.captured_queries) == len(one.captured_queries)


def test_coverage_totals_are_the_sums_of_the_rows_shown(director_client, year, school_a, school_b):
    """The totals row: each column the sum of what its rows show, the schools' counts of the year
    included (read from their returns), and a school without counts adds nothing."""
    from tests.factories import SchoolFactory

    CoverageFactory(school=school_a, year=year, enrolled=480, poor_students=31, insured_parent_paid=300)
    CoverageFactory(school=school_b, year=year, enrolled=1250, poor_students=9, insured_parent_paid=1000,
                    advance_amount=Decimal("50.50"))
    CoverageFactory(school=SchoolFactory(county=school_a.county), year=year, insured_parent_paid=5,
                    enrolled=None, poor_students=None)
    # Another year's return of the same school is not this year's count.
    CoverageFactory(school=school_a, year=ReportingYear.objects.create(year=2023), enrolled=999, poor_students=99)
    response = director_client.get(reverse("insurance:coverage_list") + "?year=2024")
    totals = response.context["totals"]
    rows = list(response.context["object_list"])
    assert len(rows) == 3
    assert totals["enrolled"] == sum(r.enrolled or 0 for r in rows) == 480 + 1250
    assert totals["poor_students"] == sum(r.poor_students or 0 for r in rows) == 31 + 9
    assert totals["insured_parent_paid"] == 1305
    assert totals["advance_amount"] == sum(r.advance_amount for r in rows)
