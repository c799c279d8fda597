"""Access hardening: login throttling, session expiry, deactivation, account creation,
CSP on every page, and the production settings guard."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from workstudy.models import Role

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-pass-123"  # tests.factories.UserFactory's password
LOCKOUT_TEXT = "登录失败次数过多"
BAD_LOGIN_TEXT = "用户名或密码不正确"


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def _normalise(html: str) -> str:
    """A login page with the per-request bits (CSRF token, echoed username) removed."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'(name="username"[^>]*?) value="[^"]*"', r"\1", html)
    return html


# --- (a) login throttling ---------------------------------------------------------------


def test_sixth_attempt_is_refused_even_with_the_right_password(axes_on, principal_a):
    client = Client()
    for attempt in range(1, 5):
        response = _login(client, "principal_a", f"wrong-{attempt}")
        assert response.status_code == 200, attempt
        assert BAD_LOGIN_TEXT in response.content.decode()
    fifth = _login(client, "principal_a", "wrong-5")
    assert LOCKOUT_TEXT in fifth.content.decode()
    sixth = _login(client, "principal_a", PASSWORD)
    body = sixth.content.decode()
    assert sixth.status_code in (403, 429)
    assert LOCKOUT_TEXT in body and "30 分钟" in body
    assert "_auth_user_id" not in client.session
    # Not logged in: the dashboard still sends this browser to the login page.
    assert client.get(reverse("dashboard")).status_code == 302


def test_lockout_is_per_user_and_right_password_still_works_for_others(axes_on, principal_a, principal_b):
    client = Client()
    for attempt in range(5):
        _login(client, "principal_a", f"wrong-{attempt}")
    response = _login(client, "principal_b", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")


def test_failures_below_the_limit_are_forgotten_after_a_good_login(axes_on, principal_a):
    client = Client()
    for attempt in range(4):
        _login(client, "principal_a", f"wrong-{attempt}")
    assert _login(client, "principal_a", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for attempt in range(4):
        assert LOCKOUT_TEXT not in _login(client, "principal_a", f"again-{attempt}").content.decode()
    assert _login(client, "principal_a", PASSWORD).status_code == 302


def test_failure_page_does_not_reveal_whether_the_user_exists(axes_on, principal_a):
    wrong_password = _login(Client(), "principal_a", "not-the-password")
    unknown_user = _login(Client(), "no_such_user_xyz", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert BAD_LOGIN_TEXT in wrong_password.content.decode()
    assert _normalise(wrong_password.content.decode()) == _normalise(unknown_user.content.decode())


def test_lockout_page_does_not_reveal_whether_the_user_exists(axes_on, principal_a):
    pages = []
    for username in ("principal_a", "no_such_user_xyz"):
        client = Client()
        for attempt in range(5):
            _login(client, username, f"wrong-{attempt}")
        response = _login(client, username, PASSWORD)
        pages.append((response.status_code, _normalise(response.content.decode())))
    assert pages[0] == pages[1]
    assert LOCKOUT_TEXT in pages[0][1]


# --- (b) session expiry ------------------------------------------------------------------


def _later(seconds):
    real_now = timezone.now

    def fake_now():
        return real_now() + timedelta(seconds=seconds)

    return mock.patch("django.utils.timezone.now", fake_now)


def test_idle_session_is_logged_out_after_session_cookie_age(settings, principal_a):
    client = Client()
    assert _login(client, "principal_a", PASSWORD).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    with _later(settings.SESSION_COOKIE_AGE + 60):
        response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive(settings, principal_a):
    """Expiry counts from the last request, not from login (an hour of *inactivity*)."""
    client = Client()
    assert _login(client, "principal_a", PASSWORD).status_code == 302
    step = int(settings.SESSION_COOKIE_AGE * 0.8)
    for n in range(1, 4):
        with _later(step * n):
            assert client.get(reverse("dashboard")).status_code == 200, n


def test_pages_renew_an_hour_long_session_cookie_scripts_cannot_read(settings, principal_a, year):
    client = Client()
    client.force_login(principal_a)
    response = client.get(reverse("dashboard"))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]  # the first page renews the session
    assert cookie["httponly"] is True
    assert int(cookie["max-age"]) == 60 * 60


def _session_writes(client, url, cookie_name):
    """The statements that wrote the session while ``url`` was served, and the cookie it sent."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    writes = [q["sql"] for q in queries.captured_queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    return writes, response.cookies.get(cookie_name)


def test_a_session_is_written_once_a_minute_not_on_every_page(settings, principal_a, year):
    """Pages within a minute of the last renewal neither write the session nor send its cookie;
    the first page after that minute renews both, so an hour of inactivity still ends it."""
    settings.SESSION_RENEW_AFTER = 60  # production's (the suite renews on every request)
    client = Client()
    client.force_login(principal_a)
    url = reverse("dashboard")
    writes, cookie = _session_writes(client, url, settings.SESSION_COOKIE_NAME)
    assert writes and cookie is not None
    with _later(settings.SESSION_RENEW_AFTER - 5):
        writes, cookie = _session_writes(client, url, settings.SESSION_COOKIE_NAME)
    assert writes == [] and cookie is None
    with _later(settings.SESSION_RENEW_AFTER + 1):
        writes, cookie = _session_writes(client, url, settings.SESSION_COOKIE_NAME)
    assert writes and int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    expiry = Session.objects.get(session_key=client.session.session_key).expire_date
    assert expiry > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Inactive for the cookie's age after that renewal: signed out.
    with _later(settings.SESSION_RENEW_AFTER + 1 + settings.SESSION_COOKIE_AGE + 1):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- (c) deactivation and account creation -------------------------------------------------


def test_deactivated_principal_is_out_on_the_next_request(director_client, principal_a, year):
    principal = Client()
    assert _login(principal, "principal_a", PASSWORD).status_code == 302
    assert principal.get(reverse("dashboard")).status_code == 200
    assert principal.get(reverse("submission-list")).status_code == 200

    response = director_client.post(reverse("users"), {"user_id": principal_a.pk, "deactivate": "1"}, follow=True)
    assert "已停用" in response.content.decode()
    principal_a.refresh_from_db()
    assert principal_a.is_active is False

    page = principal.get(reverse("dashboard"))
    assert page.status_code == 302 and page["Location"].startswith(reverse("login"))
    assert principal.get(reverse("submission-list")).status_code == 403
    assert principal.get(reverse("my_counts")).status_code == 302
    # ...and cannot log in again either.
    again = _login(Client(), "principal_a", PASSWORD)
    assert again.status_code == 200 and BAD_LOGIN_TEXT in again.content.decode()

    director_client.post(reverse("users"), {"user_id": principal_a.pk, "activate": "1"})
    assert _login(Client(), "principal_a", PASSWORD).status_code == 302


def test_staff_cannot_deactivate_themselves(director_client, director):
    response = director_client.post(reverse("users"), {"user_id": director.pk, "deactivate": "1"}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    director.refresh_from_db()
    assert director.is_active


def test_only_staff_manage_accounts(principal_a_client, auditor_client, principal_b):
    for client in (principal_a_client, auditor_client):
        response = client.post(reverse("users"), {"user_id": principal_b.pk, "deactivate": "1"})
        assert response.status_code == 403
    principal_b.refresh_from_db()
    assert principal_b.is_active


@pytest.mark.parametrize(
    "password, expected",
    [
        ("12345678901", "只包含数字"),  # numeric only
        ("short1!", "密码太短，至少需要 10 个字符"),  # below 10 characters
        ("password123", "太常见"),  # a common password
        ("zhangsan2024x", "太相似"),  # like the user name
    ],
)
def test_weak_password_for_a_new_principal_is_refused_in_chinese(director_client, school_a, password, expected):
    response = director_client.post(
        reverse("users"), {"username": "zhangsan2024", "first_name": "张三", "school": school_a.pk, "password": password}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert expected in body, re.findall(r'class="fielderror"[^>]*>([^<]*)<', body)
    assert not get_user_model().objects.filter(username="zhangsan2024").exists()


def test_staff_creates_a_principal_who_can_log_in_and_sees_only_their_school(director_client, school_a, school_b, year):
    password = "Qing-Shan-" + secrets.token_hex(4)
    response = director_client.post(
        reverse("users"),
        {"username": "lisi", "first_name": "李四", "school": school_a.pk, "password": password},
        follow=True,
    )
    assert "已为 甲校樟坪 创建校长账号 lisi" in response.content.decode()
    user = get_user_model().objects.get(username="lisi")
    assert user.role == Role.PRINCIPAL and user.school == school_a and user.is_active
    assert not user.is_staff and not user.is_superuser
    client = Client()
    assert _login(client, "lisi", password).status_code == 302
    assert client.get(reverse("school_counts", kwargs={"school_id": school_b.pk})).status_code == 404
    assert client.get(reverse("my_counts")).status_code == 200


def test_new_principal_needs_a_school(director_client):
    response = director_client.post(
        reverse("users"),
        {"username": "wangwu", "first_name": "王五", "school": "", "password": "Qing-Shan-88a7"},
    )
    assert response.status_code == 400
    assert not get_user_model().objects.filter(username="wangwu").exists()


# --- (d) Content-Security-Policy on every page ------------------------------------------------


def _csp_urls(world):
    from tests.test_permission_matrix import ALL_CASES

    seen = set()
    for case in ALL_CASES:
        if case.method != "get":
            continue
        try:
            url = reverse(case.url_name, kwargs=case.kwargs(world))
        except Exception:  # noqa: BLE001 - a case needing objects we did not build
            continue
        if case.query:
            url += "?" + case.query
        if url not in seen:
            seen.add(url)
            yield url


def test_every_page_response_carries_the_csp_header(trust_world):
    from tests.test_permission_matrix import _client

    urls = list(_csp_urls(trust_world)) + ["/no-such-page/", reverse("login"), "/admin/"]
    assert len(urls) > 20
    for role in ("anon", "staff", "principal_a", "auditor"):
        client = _client(trust_world, role)
        for url in urls:
            response = client.get(url)
            csp = response.get("Content-Security-Policy", "")
            assert csp, f"{url} as {role} ({response.status_code}) has no CSP header"
            directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if " " in part.strip())
            assert directives["script-src"] == "'self'", (url, csp)
            assert "'unsafe-inline'" not in directives["script-src"]
            assert directives["object-src"] == "'none'"
            assert directives["frame-ancestors"] == "'none'"
            assert response.get("X-Content-Type-Options") == "nosniff", url


def test_pages_have_no_inline_scripts_or_handlers(trust_world):
    """script-src 'self' would block them: every script must be a static file."""
    from tests.test_permission_matrix import _client

    for role in ("anon", "staff", "principal_a", "auditor"):
        client = _client(trust_world, role)
        for url in list(_csp_urls(trust_world)) + [reverse("login")]:
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode()
            for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
                assert "src=" in match.group(1) and not match.group(2).strip(), f"inline script in {url} as {role}"
            assert not re.search(r"\son[a-z]+\s*=\s*[\"']", html), f"inline event handler in {url} as {role}"
            assert "javascript:" not in html, url


# --- (e) production settings ------------------------------------------------------------------


def _manage(*args, env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    # A clean deployment environment: nothing from the test run (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for this process, which check --deploy rightly refuses).
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({"DJANGO_ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}"})
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "env_extra",
    [
        {},
        {"ALLOWED_HOSTS": "portal.example.cn"},
        {"SECRET_KEY": secrets.token_urlsafe(60)},
        {"SECRET_KEY": "too-short", "ALLOWED_HOSTS": "portal.example.cn"},
    ],
    ids=["nothing", "no-secret-key", "no-allowed-hosts", "short-secret-key"],
)
def test_production_refuses_to_start_without_secret_key_and_hosts(env_extra, tmp_path):
    result = _manage("check", env_extra=env_extra, tmp_path=tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert ("SECRET_KEY" in result.stderr) or ("ALLOWED_HOSTS" in result.stderr)


def test_production_passes_check_deploy_with_no_warnings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={"SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "portal.example.cn"},
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr
