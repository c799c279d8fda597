"""The page header names the signed-in user's own education authority: a city's or a county's
教育局, a province's 教育厅; a principal's is their school's county's; the deployment's own
county (and anyone signed out) keeps ``PORTAL_BUREAU_NAME``."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import SchoolFactory, UserFactory
from workstudy.models import Region, Role

BRAND = re.compile(r'<a class="brand"[^>]*>(.*?) · ')
FOOTER = re.compile(r'<footer class="footer">(.*?) ')


@pytest.fixture
def regions(db):
    county = Region.default_county()
    city = county.parent
    other = Region.objects.create(parent=city, name="余江区", level=Region.Level.COUNTY)
    return {"province": city.parent, "city": city, "county": county, "other": other}


def _header(user) -> tuple[str, str, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("dashboard"), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    title = re.search(r"<title>.*? · (.*?)</title>", page, flags=re.S).group(1)
    return BRAND.search(page).group(1), FOOTER.search(page).group(1), title


@pytest.mark.parametrize(("region", "role", "bureau", "name"), [
    ("city", Role.STAFF, "鹰潭市教育局", "鹰潭市"),
    ("province", Role.STAFF, "江西省教育厅", "江西省"),
    ("province", Role.AUDITOR, "江西省教育厅", "江西省"),
    ("other", Role.STAFF, "余江区教育局", "余江区"),
    ("other", Role.AUDITOR, "余江区教育局", "余江区"),
    ("county", Role.STAFF, settings.PORTAL_BUREAU_NAME, settings.PORTAL_COUNTY_NAME),
])
def test_bureau_user_sees_their_own_regions_bureau(regions, region, role, bureau, name):
    user = UserFactory(username=f"u_{region}_{role}", role=role, region=regions[region])
    brand, footer, title = _header(user)
    assert brand == bureau and footer == bureau
    assert title == name
    others = {"鹰潭市教育局", "江西省教育厅", "余江区教育局", settings.PORTAL_BUREAU_NAME} - {bureau}
    assert not [other for other in others if other in brand]


def test_principal_sees_their_schools_county(regions):
    school = SchoolFactory(code="YJ001", name="余江一中", county=regions["other"])
    principal = UserFactory(username="yj_principal", role=Role.PRINCIPAL, school=school, is_staff=False)
    assert _header(principal)[:2] == ("余江区教育局", "余江区教育局")
    home = SchoolFactory(code="GX001", name="贵溪一中", county=regions["county"])
    principal_home = UserFactory(username="gx_principal", role=Role.PRINCIPAL, school=home, is_staff=False)
    assert _header(principal_home)[0] == settings.PORTAL_BUREAU_NAME


def test_signed_out_pages_keep_the_deployments_bureau(regions):
    page = Client().get(reverse("login")).content.decode()
    assert BRAND.search(page).group(1) == settings.PORTAL_BUREAU_NAME
