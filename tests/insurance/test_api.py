"""REST API: masked personal data, payouts and status only through the staff-only action."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from insurance.models import Claim, ClaimStatus, InsurancePolicy
from tests.insurance.conftest import complete_documents
from tests.insurance.factories import CoverageFactory
from workstudy.models import ReportingYear

pytestmark = pytest.mark.django_db

NEW_CLAIM = {
    "policy_type": "student", "claimant_kind": "student", "injured_name": "赵六一", "injured_id_number": "360681201001011234",
    "incident_date": "2024-05-01", "place": "操场", "incident_kind": "sports", "cause": "摔伤", "persons": 1,
    "requested_amount": "1200.00", "reported_date": "2024-05-02",
}


def claims_url(pk=None, action=None):
    if action:
        return reverse(f"insurance-claim-{action}", args=[pk])
    return reverse("insurance-claim-detail", args=[pk]) if pk else reverse("insurance-claim-list")


def test_list_is_masked_and_scoped(principal_a_client, director_client, claim_a, claim_b):
    data = principal_a_client.get(claims_url()).json()
    assert [row["claim_no"] for row in data["results"]] == [claim_a.claim_no]
    row = data["results"][0]
    assert row["injured_name_masked"] == "张**" and row["injured_id_number_masked"] == "3623**********1234"
    assert "injured_name" not in row and "injured_id_number" not in row
    body = director_client.get(claims_url()).content.decode()
    assert "张三丰" not in body and "李四" not in body and "362301200801011234" not in body
    assert director_client.get(claims_url(claim_b.pk)).json()["injured_name_masked"] == "李*"


def test_principal_reports_claim(principal_a_client, school_a, county_student_policy, submission_a):
    response = principal_a_client.post(claims_url(), NEW_CLAIM, content_type="application/json")
    assert response.status_code == 201, response.content
    claim = Claim.objects.get()
    assert claim.school == school_a and claim.policy == county_student_policy and claim.status == ClaimStatus.REPORTED
    assert response.json()["injured_name_masked"] == "赵**"


@pytest.mark.parametrize("extra", [{"paid_amount": "1200.00"}, {"status": "paid"}, {"assessed_amount": "1"}])
def test_principal_cannot_set_payout_on_create(principal_a_client, county_student_policy, submission_a, extra):
    response = principal_a_client.post(claims_url(), {**NEW_CLAIM, **extra}, content_type="application/json")
    assert response.status_code == 403 and "由勤工办填写" in response.json()["detail"]
    assert not Claim.objects.exists()


@pytest.mark.parametrize("extra", [{"paid_amount": "100.00"}, {"status": "paid"}, {"paid_date": "2024-06-01"}])
def test_principal_cannot_patch_payout(principal_a_client, claim_a, extra):
    response = principal_a_client.patch(claims_url(claim_a.pk), extra, content_type="application/json")
    assert response.status_code == 403
    claim_a.refresh_from_db()
    assert claim_a.status == ClaimStatus.REPORTED and claim_a.paid_amount is None


def test_staff_patch_of_status_is_refused(director_client, claim_a):
    response = director_client.patch(claims_url(claim_a.pk), {"status": "paid"}, content_type="application/json")
    assert response.status_code == 400
    assert Claim.objects.get(pk=claim_a.pk).status == ClaimStatus.REPORTED


def test_principal_patch_after_processing_refused(principal_a_client, claim_a):
    Claim.objects.filter(pk=claim_a.pk).update(status=ClaimStatus.DOCS_COMPLETE, documents_date=dt.date(2024, 3, 9))
    response = principal_a_client.patch(claims_url(claim_a.pk), {"place": "教室"}, content_type="application/json")
    assert response.status_code == 403


def test_principal_cannot_report_for_school_b(principal_a_client, school_b, county_student_policy, submission_a):
    response = principal_a_client.post(claims_url(), {**NEW_CLAIM, "school": school_b.pk}, content_type="application/json")
    assert response.status_code == 400 and not Claim.objects.exists()


def test_no_policy_is_a_clear_400(principal_a_client, county_student_policy, submission_a):
    response = principal_a_client.post(claims_url(), {**NEW_CLAIM, "incident_date": "2023-12-30",
                                                      "reported_date": "2024-01-02"}, content_type="application/json")
    assert response.status_code == 400
    assert "没有有效的“学生平安险(学平险)”保单" in response.json()["policy_type"][0]


def test_advance_action(director_client, principal_b_client, claim_a, claim_b):
    complete_documents(claim_a)
    url = claims_url(claim_a.pk, "advance")
    assert director_client.post(url, {"to_status": "docs_complete", "on_date": "2024-04-01"},
                                content_type="application/json").status_code == 200
    assert director_client.post(url, {"to_status": "reviewing", "assessed_amount": "3000.00", "on_date": "2024-04-02"},
                                content_type="application/json").status_code == 200
    response = director_client.post(url, {"to_status": "paid", "paid_amount": "3000.00", "on_date": "2024-04-20"},
                                    content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "paid"
    assert response.json()["paid_amount"] == "3000.00"
    response = director_client.post(url, {"to_status": "rejected", "reason": "x"}, content_type="application/json")
    assert response.status_code == 400 and "不能变更为" in response.content.decode()
    response = principal_b_client.post(claims_url(claim_b.pk, "advance"), {"to_status": "rejected", "reason": "x"},
                                       content_type="application/json")
    assert response.status_code == 403


def test_locked_year_refuses_api_writes(director_client, principal_a_client, claim_a, director, school_a, year):
    row = CoverageFactory(school=school_a, year=year)
    ReportingYear.objects.filter(pk=2024).update(status="locked", locked_by=director)
    assert principal_a_client.patch(claims_url(claim_a.pk), {"place": "x"}, content_type="application/json").status_code == 403
    assert director_client.post(claims_url(claim_a.pk, "advance"), {"to_status": "rejected", "reason": "x"},
                                content_type="application/json").status_code == 403
    url = reverse("insurance-coverage-detail", args=[row.pk])
    assert director_client.patch(url, {"insured_parent_paid": 299}, content_type="application/json").status_code == 403


def test_coverage_rules_via_api(principal_a_client, school_a, year, submission_a):
    url = reverse("insurance-coverage-list")
    # The school's counts come from its submission (400 students, 20 poor): not sent, not changeable here.
    data = {"year": 2024, "insured_parent_paid": 401, "poor_free_by_insurer": 0,
            "poor_advanced_by_school": 0, "advance_amount": "0.00", "voluntary_consent_recorded": True}
    response = principal_a_client.post(url, data, content_type="application/json")
    assert response.status_code == 400 and "超过了本校年度基本情况中的学生人数 400 人" in response.content.decode()
    response = principal_a_client.post(url, {**data, "enrolled": 500}, content_type="application/json")
    assert response.status_code == 400 and "年度基本情况中填写" in response.json()["enrolled"][0]
    response = principal_a_client.post(url, {**data, "insured_parent_paid": 80}, content_type="application/json")
    assert response.status_code == 201 and response.json()["school"] == school_a.pk
    assert (response.json()["enrolled"], response.json()["poor_students"]) == (400, 20)


def test_stale_version_refused(principal_a_client, school_a, year, submission_a):
    row = CoverageFactory(school=school_a, year=year)
    url = reverse("insurance-coverage-detail", args=[row.pk])
    assert principal_a_client.patch(url, {"insured_parent_paid": 299, "version": 1},
                                    content_type="application/json").status_code == 200
    response = principal_a_client.patch(url, {"insured_parent_paid": 298, "version": 1}, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()


def test_principal_cannot_write_policies(principal_a_client, insurer, school_a):
    response = principal_a_client.post(reverse("insurance-policy-list"), {
        "year": 2024, "policy_no": "X1", "policy_type": "student", "insurer": insurer.pk, "school": school_a.pk,
        "coverage_start": "2024-01-01", "coverage_end": "2024-12-31", "premium_total": "1.00",
    }, content_type="application/json")
    assert response.status_code == 403 and not InsurancePolicy.objects.filter(policy_no="X1").exists()


def test_policy_rule_via_api(director_client, insurer, year):
    response = director_client.post(reverse("insurance-policy-list"), {
        "year": 2024, "policy_no": "X2", "policy_type": "student", "insurer": insurer.pk, "compulsory": True,
        "coverage_start": "2024-01-01", "coverage_end": "2024-12-31", "premium_total": "1.00",
    }, content_type="application/json")
    assert response.status_code == 400 and "不搞强买强卖" in response.content.decode()


def test_year_filter(director_client, claim_a):
    assert director_client.get(claims_url() + "?year=2024").json()["count"] == 1
    assert director_client.get(claims_url() + "?status=paid").json()["count"] == 0
    _ = Decimal
