"""The enterprise form's sponsor school uses the school picker."""

import pytest
from django.urls import reverse

from enterprises.models import Enterprise

pytestmark = pytest.mark.django_db

DATA = {
    "name": "市职中校服厂", "kind": "uniform", "sponsor_label": "", "ownership": "collective", "industry": "服装",
    "founded_year": "1992", "founded_text": "", "status": "operating", "form": "factory", "note": "",
}


def test_sponsor_school_is_a_select_below_the_threshold(director_client, school_a):
    body = director_client.get(reverse("enterprises:create")).content.decode()
    assert '<select name="sponsor_school"' in body and "（无，由勤工办主办）" in body


def test_sponsor_school_typed_above_the_threshold(settings, director_client, school_a, school_b):
    settings.SCHOOL_PICKER_THRESHOLD = 1
    body = director_client.get(reverse("enterprises:create")).content.decode()
    assert '<input type="text" name="sponsor_school"' in body
    response = director_client.post(reverse("enterprises:create"), {**DATA, "sponsor_school": "A001"})
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert enterprise.sponsor_school == school_a
    edit = director_client.get(reverse("enterprises:update", args=[enterprise.pk])).content.decode()
    assert 'value="A001 甲校樟坪"' in edit


def test_sponsor_school_left_empty_or_unknown(settings, director_client, school_a, school_b):
    settings.SCHOOL_PICKER_THRESHOLD = 1
    response = director_client.post(reverse("enterprises:create"), {**DATA, "sponsor_school": "没有这所学校"})
    assert response.status_code == 200 and "未找到学校“没有这所学校”" in response.content.decode()
    assert not Enterprise.objects.exists()
    response = director_client.post(reverse("enterprises:create"), {**DATA, "sponsor_school": ""})
    assert response.status_code == 302 and Enterprise.objects.get().sponsor_school is None
