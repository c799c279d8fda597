"""Every page fits a phone (390 px) and a laptop (1366 px), in Chinese and in English.

For staff, a principal and an auditor, every HTML page the permission matrix says the role
may open (tests/<app>/url_cases.py, answer 200) is opened at both widths in both languages.
A page fails if it scrolls sideways (the document is wider than the window: a wide table must
scroll inside its own box) or if the header is taller than 120 px (at 1366 px the menu must not
stack; at 390 px it must be collapsed behind its button). One browser context per role, language
and width, so the whole run stays well under three minutes.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.test_permission_matrix import ALL_CASES, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WIDTHS = (390, 1366)
LANGUAGES = ("zh-hans", "en")
MAX_HEADER = 120  # px, at either width
# Files, not pages (PDFs, workbooks, checksums): nothing to lay out.
FILE_SUFFIXES = (".pdf", ".xlsx", ".sha256", ".csv")

MEASURE = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  header: document.querySelector('header.topbar').getBoundingClientRect().height,
  widest: Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => !el.closest('.tablewrap') || el.matches('.tablewrap'))
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : '')),
})"""


@pytest.fixture
def world(transactional_db, school_a, school_b, year, director, principal_a, principal_b, auditor):
    """The permission matrix's world: school B's rows in every app, so every detail page exists."""
    return build_world(school_a=school_a, school_b=school_b, year=year, director=director,
                       principal_a=principal_a, principal_b=principal_b, auditor=auditor)


def _pages(client: Client, role: str, world) -> list[str]:
    """The HTML pages of the portal ``role`` may open (in the matrix's order, no repeats)."""
    urls: list[str] = []
    for case in ALL_CASES:
        if case.method != "get" or case.expect.get(role) != 200:
            continue
        url = reverse(case.url_name, kwargs=case.kwargs(world))
        if case.query:
            url += "?" + case.query
        if url in urls or url.startswith(("/api/", "/admin/")) or url.split("?")[0].endswith(FILE_SUFFIXES):
            continue
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html") \
                and b'class="topbar' in response.content:
            urls.append(url)
    return urls


def _context(browser, live_server, client: Client, language: str, width: int):
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=live_server.url)
    context.add_cookies([
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
         "url": live_server.url},
        {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
    ])
    return context


@pytest.mark.parametrize("role, user", [("staff", "director"), ("principal_b", "principal_b"),
                                        ("auditor", "auditor")], ids=["staff", "principal", "auditor"])
def test_every_page_fits_phone_and_laptop(world, browser, live_server, role, user):
    client = Client()
    client.force_login(getattr(world, user))
    urls = _pages(client, role, world)
    assert len(urls) >= 8, urls  # the enumeration itself must not silently shrink to nothing
    problems = []
    for language in LANGUAGES:
        for width in WIDTHS:
            context = _context(browser, live_server, client, language, width)
            page = context.new_page()
            for url in urls:
                response = page.goto(url)
                assert response.ok, (url, response.status)
                m = page.evaluate(MEASURE)
                where = f"{language} {width}px {url}"
                if m["scrollWidth"] > m["innerWidth"]:
                    problems.append(f"{where}: page is {m['scrollWidth']} px wide (sticking out: {m['widest']})")
                if m["header"] > MAX_HEADER:
                    problems.append(f"{where}: header is {m['header']:.0f} px tall")
            context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_phone_menu_opens_and_closes(world, browser, live_server):
    client = Client()
    client.force_login(world.director)
    context = _context(browser, live_server, client, "zh-hans", 390)
    page = context.new_page()
    page.goto("/")
    toggle = page.locator("header.topbar .menutoggle")
    nav = page.locator("header.topbar nav.mainnav")
    expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name="退出")).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    nav.get_by_role("link", name="学校").click()
    expect(page).to_have_url(live_server.url + "/schools/")
    expect(nav).to_be_hidden()  # a new page starts with the menu closed
    toggle.click()
    toggle.click()
    expect(nav).to_be_hidden()
    # On a laptop there is no button: the menu is simply there.
    page.set_viewport_size({"width": 1366, "height": 800})
    expect(toggle).to_be_hidden()
    expect(nav).to_be_visible()
    context.close()


def test_print_hides_menus_and_unrolls_tables(world, browser, live_server):
    client = Client()
    client.force_login(world.director)
    context = _context(browser, live_server, client, "zh-hans", 1366)
    page = context.new_page()
    page.goto("/")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar nav.mainnav")).to_be_hidden()
    expect(page.locator("header.topbar .usermenu")).to_be_hidden()
    expect(page.locator("main form.filters")).to_be_hidden()
    wrap = page.locator("main .tablewrap").first
    assert wrap.evaluate("el => getComputedStyle(el).overflowX") == "visible"
    context.close()
