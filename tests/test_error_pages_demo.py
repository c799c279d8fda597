"""The portal's own error pages in the demo itself: ``make demo`` serves with the Makefile's DEMO_ENV;
this starts ``manage.py runserver`` with exactly that environment (development settings, not
the test settings) and checks that 403, 404 and 500 are the portal's own pages with a way
back, and that the static files are served with DEBUG off.

The server gets an empty SQLite database: pages that need no data still work, and a login
(which reads the throttling table) fails with a real server error — the 500 page."""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _demo_env() -> dict[str, str]:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(r"^DEMO_ENV\s*:?=\s*(.*)$", makefile, re.M)
    assert match, "Makefile has no DEMO_ENV"
    assert re.search(r"^\t\$\(DEMO_ENV\) \$\(PY\) manage.py runserver", makefile, re.M), "demo does not use DEMO_ENV"
    return dict(item.split("=", 1) for item in shlex.split(match.group(1)))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "DEBUG", "PYTEST"))}
    env.update(_demo_env())
    env["DATABASE_URL"] = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'empty.sqlite3'}"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/robots.txt", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    pytest.fail(process.stdout.read().decode(errors="replace"))
                time.sleep(0.2)
        else:
            pytest.fail("the demo server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(opener, url, data=None):
    try:
        response = opener.open(url, data=data, timeout=20)
        return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _opener():
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def _assert_portal_page(html):
    assert "勤工俭学管理平台" in html
    assert "Traceback" not in html and "DEBUG = True" not in html and "Django" not in html


def test_demo_serves_with_debug_off_and_static_files(demo_server):
    status, css = _get(_opener(), demo_server + "/static/css/portal.css")
    assert status == 200 and ".card" in css


def test_demo_404_is_the_portal_page(demo_server):
    status, html = _get(_opener(), demo_server + "/no-such-page/")
    assert status == 404
    _assert_portal_page(html)
    assert "页面不存在" in html and 'href="/login/"' in html


def test_demo_403_is_the_portal_page(demo_server):
    status, html = _get(_opener(), demo_server + "/login/", data=b"username=a&password=b")
    assert status == 403
    _assert_portal_page(html)
    assert "页面已过期或表单已失效" in html and 'href="/login/"' in html


def test_demo_500_is_the_portal_page(demo_server):
    opener = _opener()
    status, page = _get(opener, demo_server + "/login/")
    assert status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = f"csrfmiddlewaretoken={token}&username=a&password=b".encode()
    request = urllib.request.Request(demo_server + "/login/", data=data, headers={"Referer": demo_server + "/login/"})
    status, html = _get(opener, request)
    assert status == 500  # the database is empty: the throttling table is missing
    _assert_portal_page(html)
    assert "服务器出错了" in html and 'href="/"' in html and 'href="/login/"' in html
