"""403, 404 and 500 are the portal's own pages, each with a way back
(in-process, DEBUG off as in the demo and production; tests/test_error_pages_demo.py serves
the demo itself)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from config import urls as portal_urls


def _boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("boom-for-test/", _boom), *portal_urls.urlpatterns]


def _assert_portal_page(html: str):
    assert "勤工俭学管理平台" in html
    assert "Django" not in html and "Traceback" not in html


@pytest.mark.django_db
def test_404_is_the_portal_page_with_a_way_back(principal_a_client):
    response = principal_a_client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    _assert_portal_page(html)
    assert "页面不存在" in html and f'href="{reverse("dashboard")}"' in html and "返回首页" in html


@pytest.mark.django_db
def test_404_for_a_visitor_offers_the_login_page():
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html
    assert f'href="{reverse("login")}"' in html


@pytest.mark.django_db
def test_403_shows_the_reason_and_a_way_back(principal_a_client):
    response = principal_a_client.get(reverse("users"))  # staff only
    html = response.content.decode()
    assert response.status_code == 403
    _assert_portal_page(html)
    assert "无权访问" in html and "您的账号无权访问此页面" in html
    assert f'href="{reverse("dashboard")}"' in html


@pytest.mark.django_db
def test_403_of_an_expired_form_is_the_portal_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    _assert_portal_page(html)
    assert "页面已过期或表单已失效" in html and f'href="{reverse("login")}"' in html
    assert "CSRF" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_is_the_portal_page_with_a_way_back(principal_a_client):
    principal_a_client.raise_request_exception = False
    response = principal_a_client.get("/boom-for-test/")
    html = response.content.decode()
    assert response.status_code == 500
    _assert_portal_page(html)
    assert "服务器出错了" in html and "deliberate failure" not in html
    assert f'href="{reverse("dashboard")}"' in html and f'href="{reverse("login")}"' in html
