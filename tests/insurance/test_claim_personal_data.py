"""Once a claim is saved, a principal never sees the injured person's full
name or ID number again — not on the edit page, not in the API — and an edit keeps the
stored values unless new ones are typed."""

import pytest
from django.urls import reverse

from insurance.models import Claim
from tests.insurance.test_views import REPORT

pytestmark = pytest.mark.django_db

NAME, ID_NUMBER = "王小明", "36068120100101123X"
MASKED_NAME, MASKED_ID = "王**", "3606**********123X"


@pytest.fixture
def reported(principal_a_client, county_student_policy, submission_a):
    """A claim reported through the page by principal A (full name and ID number typed)."""
    data = {**REPORT, "injured_name": NAME, "injured_id_number": ID_NUMBER}
    response = principal_a_client.post(reverse("insurance:claim_new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    claim = Claim.objects.get()
    assert (claim.injured_name, claim.injured_id_number) == (NAME, ID_NUMBER)
    return claim


def _edit(client, claim, **changes):
    claim.refresh_from_db()
    data = {**REPORT, "row_version": claim.version, **changes}
    return client.post(reverse("insurance:claim_edit", args=[claim.pk]), data)


def test_edit_page_shows_personal_data_masked_to_the_principal(principal_a_client, reported):
    body = principal_a_client.get(reverse("insurance:claim_edit", args=[reported.pk])).content.decode()
    assert ID_NUMBER not in body and ID_NUMBER.lower() not in body and NAME not in body
    assert f'placeholder="{MASKED_ID}"' in body and f'placeholder="{MASKED_NAME}"' in body
    for page in ("insurance:claim_detail",):
        assert ID_NUMBER not in principal_a_client.get(reverse(page, args=[reported.pk])).content.decode()


def test_bureau_still_sees_the_full_values(director_client, reported):
    body = director_client.get(reverse("insurance:claim_edit", args=[reported.pk])).content.decode()
    assert ID_NUMBER in body and NAME in body


@pytest.mark.parametrize("sent", [{"injured_name": "", "injured_id_number": ""},
                                  {"injured_name": MASKED_NAME, "injured_id_number": MASKED_ID}],
                         ids=["left-empty", "masked-sent-back"])
def test_edit_keeps_the_stored_values(principal_a_client, reported, sent):
    response = _edit(principal_a_client, reported, place="食堂", **sent)
    assert response.status_code == 302, response.content.decode()[:2000]
    reported.refresh_from_db()
    assert (reported.place, reported.injured_name, reported.injured_id_number) == ("食堂", NAME, ID_NUMBER)


def test_a_newly_typed_value_replaces_the_stored_one(principal_a_client, reported):
    response = _edit(principal_a_client, reported, injured_name="王小红", injured_id_number="360681201001011240")
    assert response.status_code == 302
    reported.refresh_from_db()
    assert (reported.injured_name, reported.injured_id_number) == ("王小红", "360681201001011240")
    body = principal_a_client.get(reverse("insurance:claim_edit", args=[reported.pk])).content.decode()
    assert "360681201001011240" not in body and "王小红" not in body


def test_an_invalid_edit_does_not_reveal_the_stored_values(principal_a_client, reported):
    response = _edit(principal_a_client, reported, place="", injured_name="", injured_id_number="")
    body = response.content.decode()
    assert response.status_code == 200 and ID_NUMBER not in body and NAME not in body


def test_api_never_returns_and_keeps_personal_data(principal_a_client, reported):
    url = reverse("insurance-claim-detail", args=[reported.pk])
    got = principal_a_client.get(url)
    assert ID_NUMBER not in got.content.decode() and NAME not in got.content.decode()
    assert got.json()["injured_id_number_masked"] == MASKED_ID
    for sent in ({"injured_id_number": MASKED_ID, "injured_name": MASKED_NAME},
                 {"injured_id_number": "", "injured_name": ""}):
        version = Claim.objects.get(pk=reported.pk).version
        response = principal_a_client.patch(url, {**sent, "place": "食堂", "version": version},
                                            content_type="application/json")
        assert response.status_code == 200, response.content
        assert ID_NUMBER not in response.content.decode()
        reported.refresh_from_db()
        assert (reported.injured_name, reported.injured_id_number, reported.place) == (NAME, ID_NUMBER, "食堂")
    version = Claim.objects.get(pk=reported.pk).version
    response = principal_a_client.patch(url, {"injured_id_number": "360681201001011240", "version": version},
                                        content_type="application/json")
    assert response.status_code == 200
    reported.refresh_from_db()
    assert reported.injured_id_number == "360681201001011240"
