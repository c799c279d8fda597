"""The comparison page in a browser: at 390 px and at 1366 px the page does not scroll sideways
(the wide table scrolls inside its own box) and the chart is drawn."""

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.conftest import _chromium_installed, browser_context_args, browser_type_launch_args  # noqa: F401
from tests.e2e.test_every_page_fits import MEASURE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [390, 1366])
def test_comparison_fits(city_world, browser, live_server, width):
    client = Client()
    client.force_login(city_world.province_staff)
    context = browser.new_context(viewport={"width": width, "height": 800}, base_url=live_server.url)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    response = page.goto("/rollup/2024/")
    assert response.ok
    assert page.locator("#rollup-table tbody tr").count() >= 4  # three counties (and 贵溪市) and the total
    assert page.locator("svg[role=img]").count() == 1
    m = page.evaluate(MEASURE)
    assert m["scrollWidth"] <= m["innerWidth"], m["widest"]
    assert m["header"] <= 120
    # Numbers are right-aligned.
    align = page.locator("#rollup-table tbody td.num").first.evaluate("el => getComputedStyle(el).textAlign")
    assert align == "right"
    context.close()
