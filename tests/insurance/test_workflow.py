"""The claim workflow: one table of steps, staff only, row-locked, locked years refused."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from insurance import services
from insurance.models import Claim, ClaimStatus
from tests.insurance.conftest import complete_documents
from tests.insurance.helpers import rule_codes
from tests.trust.test_nothing_lost import _race, needs_postgres
from workstudy.models import ReportingYear

pytestmark = pytest.mark.django_db
S = ClaimStatus


def test_steps_table_is_the_whole_workflow():
    assert set(services.CLAIM_STEPS) == {S.DOCS_COMPLETE, S.REVIEWING, S.PAID, S.REJECTED}
    assert services.CLAIM_STEPS[S.PAID].sources == (S.REVIEWING,)
    assert S.PAID not in services.CLAIM_STEPS[S.REJECTED].sources


def test_full_path_to_paid_stamps_each_date(claim_a, clerk):
    complete_documents(claim_a)
    services.claim_advance(user=clerk, claim=claim_a, to_status=S.DOCS_COMPLETE, on_date=dt.date(2024, 3, 10))
    services.claim_advance(user=clerk, claim=claim_a, to_status=S.REVIEWING, on_date=dt.date(2024, 3, 12),
                           assessed_amount=Decimal("4500.00"))
    result = services.claim_advance(user=clerk, claim=claim_a, to_status=S.PAID, on_date=dt.date(2024, 3, 30),
                                    paid_amount=Decimal("4500.00"))
    claim = Claim.objects.get(pk=claim_a.pk)
    assert result.status == claim.status == S.PAID
    assert (claim.documents_date, claim.review_date, claim.paid_date) == (
        dt.date(2024, 3, 10), dt.date(2024, 3, 12), dt.date(2024, 3, 30))
    assert claim.assessed_amount == claim.paid_amount == Decimal("4500.00")
    assert claim.history.count() == 4  # created + three steps, each in the audit trail


@pytest.mark.parametrize("source", [S.REPORTED, S.DOCS_COMPLETE, S.REVIEWING])
def test_reject_from_any_open_step(claim_a, clerk, source):
    documents_date = dt.date(2024, 3, 8) if source != S.REPORTED else None
    Claim.objects.filter(pk=claim_a.pk).update(status=source, documents_date=documents_date)
    claim = services.claim_advance(user=clerk, claim=claim_a, to_status=S.REJECTED, reason="校外事故，不属保险责任")
    assert claim.status == S.REJECTED and claim.reject_reason == "校外事故，不属保险责任"
    assert claim.rejected_date is not None


@pytest.mark.parametrize("current,target", [
    (S.REPORTED, S.REVIEWING), (S.REPORTED, S.PAID), (S.DOCS_COMPLETE, S.PAID), (S.PAID, S.REJECTED),
    (S.REJECTED, S.REVIEWING), (S.REVIEWING, S.DOCS_COMPLETE), (S.PAID, S.PAID),
])
def test_illegal_steps_are_refused(claim_a, clerk, current, target):
    Claim.objects.filter(pk=claim_a.pk).update(status=current)
    with pytest.raises(ValidationError) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status=target, paid_amount=Decimal("1"),
                               assessed_amount=Decimal("1"), reason="x")
    assert "INS-27" in rule_codes(info.value)
    assert Claim.objects.get(pk=claim_a.pk).status == current


def test_unknown_status_refused(claim_a, clerk):
    with pytest.raises(ValidationError):
        services.claim_advance(user=clerk, claim=claim_a, to_status="reported")


def test_paid_amount_checked_against_limits(claim_a, clerk):
    complete_documents(claim_a)
    services.claim_advance(user=clerk, claim=claim_a, to_status=S.DOCS_COMPLETE)
    services.claim_advance(user=clerk, claim=claim_a, to_status=S.REVIEWING, assessed_amount=Decimal("5000"))
    with pytest.raises(ValidationError) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status=S.PAID, paid_amount=Decimal("5000.01"))
    assert "INS-01" in rule_codes(info.value)
    assert Claim.objects.get(pk=claim_a.pk).status == S.REVIEWING


def test_principal_and_auditor_cannot_advance(claim_a, principal_a, auditor):
    for user in (principal_a, auditor):
        with pytest.raises(PermissionDenied):
            services.claim_advance(user=user, claim=claim_a, to_status=S.REJECTED, reason="x")
    assert Claim.objects.get(pk=claim_a.pk).status == S.REPORTED


def test_locked_year_refuses_advance(claim_a, clerk, director):
    ReportingYear.objects.filter(pk=2024).update(status="locked", locked_by=director)
    with pytest.raises(PermissionDenied) as info:
        services.claim_advance(user=clerk, claim=claim_a, to_status=S.REJECTED, reason="x")
    assert "锁定" in str(info.value)


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_clerks_advancing_one_claim_at_once_make_one_step(claim_a, clerk, director):
    """Both read the claim as reported; the row lock makes the second see the first's step."""

    def reject(i):
        fresh = Claim.objects.get(pk=claim_a.pk)
        return services.claim_advance(user=(clerk, director)[i], claim=fresh, to_status=S.REJECTED, reason=f"第{i}位")

    outcomes = _race(2, reject)
    winners = [o for o in outcomes if isinstance(o, Claim)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], ValidationError), repr(losers[0])
    stored = Claim.objects.get(pk=claim_a.pk)
    assert stored.status == S.REJECTED and stored.reject_reason == winners[0].reject_reason
    assert claim_a.history.filter(status=S.REJECTED).count() == 1


def test_stale_page_cannot_step_twice(claim_a, clerk):
    stale = Claim.objects.get(pk=claim_a.pk)
    services.claim_advance(user=clerk, claim=claim_a, to_status=S.REJECTED, reason="第一次")
    with pytest.raises(ValidationError):
        services.claim_advance(user=clerk, claim=stale, to_status=S.REJECTED, reason="第二次")
    assert Claim.objects.get(pk=claim_a.pk).reject_reason == "第一次"


# Through the pages ---------------------------------------------------------------


def test_staff_advance_page(claim_a, director_client):
    complete_documents(claim_a)
    url = reverse("insurance:claim_advance", args=[claim_a.pk])
    response = director_client.post(url, {"to_status": "docs_complete"}, follow=True)
    assert "已更新为" in response.content.decode()
    assert Claim.objects.get(pk=claim_a.pk).status == S.DOCS_COMPLETE
    response = director_client.post(url, {"to_status": "paid", "paid_amount": "10"}, follow=True)
    assert "不能变更为" in response.content.decode()


def test_principal_cannot_post_advance(claim_a, principal_a_client):
    response = principal_a_client.post(reverse("insurance:claim_advance", args=[claim_a.pk]),
                                       {"to_status": "rejected", "reason": "x"})
    assert response.status_code == 403
    assert Claim.objects.get(pk=claim_a.pk).status == S.REPORTED


def test_claim_detail_shows_steps_and_buttons_for_staff_only(claim_a, director_client, principal_a_client):
    url = reverse("insurance:claim_detail", args=[claim_a.pk])
    staff_page = director_client.get(url).content.decode()
    assert "办理（勤工办）" in staff_page and "确认材料齐全" in staff_page
    principal_page = principal_a_client.get(url).content.decode()
    assert "办理（勤工办）" not in principal_page
    assert "已报案" in principal_page and "材料齐全" in principal_page
