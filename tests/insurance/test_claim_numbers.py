"""Claim numbers keep counting past 9,999 in a year (a province has ~20,000 claims a year)."""

from insurance.models import Claim, _next_claim_no


def test_next_number_after_9999(claim_a, claim_b):
    Claim.objects.filter(pk=claim_a.pk).update(claim_no="LP2024-9999")
    Claim.objects.filter(pk=claim_b.pk).update(claim_no="LP2024-10000")
    # As text "LP2024-9999" sorts above "LP2024-10000"; the next number must still be 10001.
    assert _next_claim_no(2024) == "LP2024-10001"
