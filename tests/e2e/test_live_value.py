"""The live 产值 hint on the production form shows a value only for input the server would
accept: digits with at most two decimals, not negative, a product within the money limit."""

from __future__ import annotations

import pytest

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.labor_bases.factories import LaborBaseFactory
from workstudy.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CASES = [
    ("10", "2", "20.00"),
    ("12.5", "3.20", "40.00"),
    ("-10", "-2", "—"),  # the old hint said 20.00
    ("-10", "2", "—"),
    ("1.234", "2", "—"),
    ("", "2", "—"),
    ("99999999", "99999999", "—"),  # above the money limit
]


def test_live_value_only_for_acceptable_input(open_as, transactional_db):
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="L001", name="樟坪中心学校")
    SubmissionFactory(school=school, year=year)
    LaborBaseFactory(school=school, name="茶园基地")
    principal = UserFactory(username="zhang_xz", role=Role.PRINCIPAL, school=school, is_staff=False)
    page, console = open_as(principal, "principal")
    page.goto("/labor-bases/production/new/?year=2024")
    output = page.locator("output[data-product]")
    for quantity, price, shown in CASES:
        page.fill("#id_quantity", quantity)
        page.fill("#id_unit_price", price)
        assert output.inner_text().strip() == shown, (quantity, price)
    console.assert_clean("live value")


def test_a_form_answers_every_problem_at_once_in_the_portals_words(open_as, transactional_db):
    """No browser bubble stops the form at the first field (in the browser's language): the
    page comes back with every refusal, each under its field."""
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="L002", name="周坊中学")
    SubmissionFactory(school=school, year=year)
    LaborBaseFactory(school=school, name="桔园基地")
    principal = UserFactory(username="li_xz", role=Role.PRINCIPAL, school=school, is_staff=False)
    page, console = open_as(principal, "principal")
    page.goto("/labor-bases/production/new/?year=2024")
    page.fill("#id_quantity", "-10")
    page.fill("#id_unit_price", "-2")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert "产量应在 0 至" in body and "平均单价应在 0 至" in body and "请填写产品" in body, body[:500]
