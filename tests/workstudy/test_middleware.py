"""A NUL in a list's filter (pasted into a search box) is dropped before any view reads it:
PostgreSQL refuses it in a query, which made these pages fail with a server error."""

import pytest
from django.urls import reverse

PAGES = [("users", "q"), ("schools", "q"), ("dashboard", "q"), ("insurance:claim_list", "q"),
         ("labor_bases:lines", "product"), ("insurance:claim_list", "school")]


@pytest.mark.parametrize(("name", "param"), PAGES)
def test_a_nul_in_a_filter_is_dropped(director_client, year, school_a, name, param):
    response = director_client.get(reverse(name), {param: "甲校\x00", "year": 2024})
    assert response.status_code == 200


def test_the_view_sees_the_value_without_it(director_client, school_a):
    response = director_client.get(reverse("users"), {"q": "adm\x00in", "other": ["x\x00", "y"]})
    assert response.status_code == 200 and response.context["q"] == "admin"
    assert response.wsgi_request.GET.getlist("other") == ["x", "y"]
