"""Who may open the comparison, and its page, PDF and workbook read back."""

import io
import subprocess
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_city_user_sees_their_counties_only(city_world):
    response = _client(city_world.city_staff).get(reverse("rollup:compare", args=[2024]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲县" in body and "乙县" in body and "抚州市合计" in body
    assert "丙县" not in body and "SECRETC" not in body
    assert "16,000.00" in body and "11,333.33" in body  # 甲县's and the city's income per school


def test_city_user_cannot_open_another_city(city_world):
    client = _client(city_world.city_staff)
    url = reverse("rollup:compare", args=[2024])
    assert client.get(url, {"region": city_world.other_city.pk}).status_code == 404
    assert client.get(url, {"region": city_world.province.pk}).status_code == 404
    assert client.get(url, {"region": city_world.jia.pk}).status_code == 404  # a county is not compared
    assert client.get(reverse("rollup:xlsx", args=[2024]), {"region": city_world.other_city.pk}).status_code == 404


def test_province_user_picks_a_city(city_world):
    client = _client(city_world.province_staff)
    url = reverse("rollup:compare", args=[2024])
    whole = client.get(url).content.decode()
    assert "丙县" in whole and "甲县" in whole
    city = client.get(url, {"region": city_world.city.pk}).content.decode()
    assert "甲县" in city and "丙县" not in city


def test_other_city_user_sees_only_their_city(city_world):
    body = _client(city_world.other_city_staff).get(reverse("rollup:compare", args=[2024])).content.decode()
    assert "丙县" in body and "甲县" not in body


@pytest.mark.parametrize("name", ["rollup:compare", "rollup:pdf", "rollup:xlsx"])
def test_county_staff_and_principals_are_refused(city_world, name):
    from tests.factories import UserFactory
    from workstudy.models import Role

    principal = UserFactory(username="jia_principal", role=Role.PRINCIPAL, school=city_world.a1, is_staff=False)
    url = reverse(name, args=[2024])
    assert _client(city_world.county_staff).get(url).status_code == 403
    assert _client(principal).get(url).status_code == 403
    assert Client().get(url).status_code == 302


def test_index_redirects_to_the_current_year(city_world):
    response = _client(city_world.city_staff).get(reverse("rollup:index"))
    assert response.status_code == 302 and response["Location"].endswith("/rollup/2024/")
    assert _client(city_world.county_staff).get(reverse("rollup:index")).status_code == 403


def test_nav_links_the_comparison_for_city_users_only(city_world):
    url = reverse("rollup:index")
    assert url in _client(city_world.city_staff).get(reverse("dashboard")).content.decode()
    assert url not in _client(city_world.county_staff).get(reverse("dashboard")).content.decode()


def test_chart_of_the_chosen_metric(city_world):
    body = _client(city_world.city_staff).get(reverse("rollup:compare", args=[2024]),
                                              {"metric": "student_insurance"}).content.decode()
    assert 'id="chart-rollup-student_insurance"' in body
    assert "<script" not in body.split('id="chart-rollup')[1].split("</svg>")[0]


def test_xlsx_read_back(city_world):
    response = _client(city_world.city_staff).get(reverse("rollup:xlsx", args=[2024]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "县（市、区）" and rows[0][4] == "校均勤工俭学收入（元）"
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"甲县", "乙县", "抚州市合计"}
    assert Decimal(str(by_name["甲县"][4])) == Decimal("16000")
    assert Decimal(str(by_name["抚州市合计"][4])) == Decimal("11333.33")
    assert by_name["甲县"][1] == 2 and by_name["抚州市合计"][2] == 1500


def test_pdf_read_back(city_world, tmp_path):
    response = _client(city_world.city_staff).get(reverse("rollup:pdf", args=[2024]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "rollup.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "抚州市2024年度县（市、区）对比" in text
    assert "甲县" in text and "乙县" in text and "丙县" not in text
    assert "16,000.00" in text and "11,333.33" in text and "42.00" in text
