"""Pages speak the office's language: a list's filters by their labels (学校：…, 基地：…), never
``school=1``; the API's description sends a signed-out visitor to the login page."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


@pytest.fixture
def plot_a(school_a, year):
    base = LaborBaseFactory(school=school_a, name="甲校茶园基地")
    return LandParcelFactory(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))


def test_staff_plot_list_names_its_filters(plot_a, school_a, director_client):
    url = reverse("labor_bases:plots") + f"?year=2024&school={school_a.pk}&base={plot_a.base_id}&land_type=tea"
    page = director_client.get(url).content.decode()
    labels = re.search(r'<p class="meta" id="filter-labels">(.*?)</p>', page).group(1)
    assert f"学校：{school_a.name}" in labels
    assert "基地：甲校茶园基地" in labels
    assert "土地类型：茶园" in labels
    text = _text(page)
    for raw in ("school=", "base=", "land_type=", "year=", "<code>"):
        assert raw not in text, raw


def test_unknown_or_foreign_filter_values_do_not_show_ids(plot_a, school_b, principal_a_client, director_client):
    page = director_client.get(reverse("labor_bases:plots") + "?year=2024&school=999999").content.decode()
    assert "学校：（无此学校）" in page and "999999" not in _text(page)
    # A principal never sees a school filter line, nor another school's base name.
    other = LaborBaseFactory(school=school_b, name="乙校秘密基地")
    page = principal_a_client.get(reverse("labor_bases:plots") + f"?year=2024&base={other.pk}").content.decode()
    assert "乙校秘密基地" not in page and "基地：（无此基地）" in page


@pytest.mark.parametrize("path", ["/api/docs/", "/api/schema/"])
def test_api_description_sends_signed_out_visitors_to_login(client, path, director_client, db):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"
    assert director_client.get(path).status_code == 200
