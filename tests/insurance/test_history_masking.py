"""The change-history page never shows a claim's personal data in full to auditors."""

from django.urls import reverse

from insurance.models import Claim


def test_history_masks_personal_data_for_auditors(claim_b, auditor_client, director_client):
    claim = Claim.objects.get(pk=claim_b.pk)
    claim.injured_name = "张三丰"
    claim.injured_id_number = "362301200801011234"
    claim.save()
    claim.injured_name = "李四光"
    claim.save()
    url = reverse("history", args=["insurance", "claim", claim.pk])
    page = auditor_client.get(url).content.decode()
    assert "李四光" not in page and "张三丰" not in page and "362301200801011234" not in page
    assert "李**" in page
    staff_page = director_client.get(url).content.decode()
    assert "李四光" in staff_page


def test_the_schools_principal_reaches_the_claims_history_masked(claim_b, principal_b_client, principal_a_client):
    claim = Claim.objects.get(pk=claim_b.pk)
    claim.injured_name = "李四光"
    claim.save()
    url = reverse("history", args=["insurance", "claim", claim.pk])
    assert url in principal_b_client.get(reverse("insurance:claim_detail", args=[claim.pk])).content.decode()
    page = principal_b_client.get(url).content.decode()
    assert "李四光" not in page and "李**" in page
    assert principal_a_client.get(url).status_code == 404
