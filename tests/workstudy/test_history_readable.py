"""A row's change history reads like the office talks: who (name and role, not a login
name), what changed (labels, not stored keys), the row's school and year, a way back; saves
that changed nothing are left out; every plot and production line of a list links to it."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from labor_bases.models import LandParcel
from tests.factories import UserFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory, ProductionLineFactory
from workstudy.models import Role


@pytest.fixture
def zhong(school_a):
    return UserFactory(username="zhong_login_x", first_name="钟校长", role=Role.PRINCIPAL, school=school_a,
                       is_staff=False)


@pytest.fixture
def plot_a(school_a, year, zhong, director):
    """A plot entered by 钟校长, changed once by 王主任, then saved once with nothing changed."""
    base = LaborBaseFactory(school=school_a, name="甲校茶园基地")
    plot = LandParcel(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))
    plot._history_user = zhong
    plot.save()
    plot = LandParcel.objects.get(pk=plot.pk)
    plot.land_type, plot.area_mu = "orchard", Decimal("15")
    plot._history_user = director
    plot.save()
    plot = LandParcel.objects.get(pk=plot.pk)
    plot._history_user = zhong
    plot.save()  # no field differs: only the version moves
    return plot


def _history_url(plot):
    return reverse("history", args=["labor_bases", "landparcel", plot.pk])


def _back_href(page: str) -> str:
    return re.search(r'<a href="([^"]*)" id="history-back"', page).group(1).replace("&amp;", "&")


def test_entries_name_the_person_and_role_not_the_login(plot_a, auditor_client):
    page = auditor_client.get(_history_url(plot_a)).content.decode()
    assert "钟校长（校长）" in page
    assert "王主任（勤工办工作人员）" in page
    assert "zhong_login_x" not in page and ">director<" not in page


def test_values_are_labels_and_empty_saves_are_hidden(plot_a, auditor_client):
    assert plot_a.history.count() == 3
    page = auditor_client.get(_history_url(plot_a)).content.decode()
    assert page.count("<td>修改</td>") == 1  # the save that changed nothing is not listed
    assert page.count("<td>新建</td>") == 1
    assert "<del>茶园</del> → <ins>果园</ins>" in page
    assert ">tea<" not in page and ">orchard<" not in page
    assert "<del>12.00</del> → <ins>15.00</ins>" in page


def test_school_and_year_shown(plot_a, school_a, auditor_client):
    page = auditor_client.get(_history_url(plot_a)).content.decode()
    assert f"学校：{school_a.name}" in page
    assert "年度：2024 年度" in page


def test_back_link_returns_to_the_referring_page_on_this_host_only(plot_a, school_a, auditor_client):
    url = _history_url(plot_a)
    came_from = reverse("labor_bases:plots") + "?year=2024&land_type=orchard"
    page = auditor_client.get(url, HTTP_REFERER=f"http://testserver{came_from}").content.decode()
    assert _back_href(page) == came_from
    # Another site (or a javascript: link) as referrer: the row's own page instead.
    row_page = reverse("labor_bases:index") + f"?year=2024&school={school_a.pk}"
    for referrer in ("https://evil.example/phish", "javascript:alert(1)", "//evil.example/x"):
        page = auditor_client.get(url, HTTP_REFERER=referrer).content.decode()
        assert _back_href(page) == row_page, referrer
        assert "evil.example" not in page


def test_principal_reads_own_rows_history_only(plot_a, principal_a_client,
                                                principal_b_client):
    assert principal_a_client.get(_history_url(plot_a)).status_code == 200
    assert principal_b_client.get(_history_url(plot_a)).status_code == 404


@pytest.fixture
def rows_a(school_a, year):
    base = LaborBaseFactory(school=school_a, name="甲校茶园基地")
    plot = LandParcelFactory(base=base, year=year, land_type="tea", crop="茶", area_mu=Decimal("12"))
    line = ProductionLineFactory(base=base, year=year, product="茶叶", grade="一级", quantity=Decimal("120"),
                                 unit_price=Decimal("300"))
    return plot, line


@pytest.mark.parametrize(("list_name", "model_name", "row"), [
    ("labor_bases:plots", "landparcel", 0),
    ("labor_bases:lines", "productionline", 1),
])
def test_list_rows_link_to_their_history(rows_a, list_name, model_name, row, principal_a_client,
                                         principal_b_client, director_client, school_a):
    history_url = reverse("history", args=["labor_bases", model_name, rows_a[row].pk])
    link = f'<a href="{history_url}">历史</a>'
    owner_list = principal_a_client.get(reverse(list_name) + "?year=2024").content.decode()
    assert link in owner_list
    staff_list = director_client.get(reverse(list_name) + f"?year=2024&school={school_a.pk}").content.decode()
    assert link in staff_list
    assert principal_a_client.get(history_url).status_code == 200
    assert principal_b_client.get(history_url).status_code == 404
    # The other school's principal does not even see the row, so no link either.
    assert link not in principal_b_client.get(reverse(list_name) + "?year=2024").content.decode()


def test_school_sheet_links_plots_and_lines_to_their_history(rows_a, principal_a_client):
    page = principal_a_client.get(reverse("labor_bases:index") + "?year=2024").content.decode()
    plot, line = rows_a
    assert reverse("history", args=["labor_bases", "landparcel", plot.pk]) in page
    assert reverse("history", args=["labor_bases", "productionline", line.pk]) in page


def test_a_moved_row_names_its_bases_not_their_ids(plot_a, school_a, auditor_client):
    other = LaborBaseFactory(school=school_a, name="甲校果园基地")
    old_base = plot_a.base
    plot_a.base = other
    plot_a.save()
    page = auditor_client.get(_history_url(plot_a)).content.decode()
    assert f"<del>{old_base.name}</del> → <ins>甲校果园基地</ins>" in page
    assert f"<del>{old_base.pk}</del>" not in page


def test_a_returns_history_leads_back_to_the_return(submission_b, principal_b_client):
    page = principal_b_client.get(reverse("history", args=["workstudy", "submission", submission_b.pk])).content.decode()
    assert _back_href(page) == reverse("submission_detail", args=[submission_b.pk])
