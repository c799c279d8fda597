"""Pages and API: scoping, locked year, submitted return, stale edits, units and live figures."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from labor_bases.models import BaseYearFinance, LaborBase, LandParcel, ProductionLine, StudentPracticeActivity
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy.models import ReportingYear, SubmissionStatus


@pytest.fixture
def locked_year(year, director):
    ReportingYear.objects.filter(pk=year.pk).update(status="locked", locked_by=director, locked_at=timezone.now())
    year.refresh_from_db()
    return year


def plot_form(base, **extra):
    return {"base": base.pk, "land_type": "grain", "crop": "水稻", "area_mu": "5", **extra}


# Scoping -----------------------------------------------------------------------


def test_principal_index_shows_only_own_school(principal_a_client, tea_a, orchard_b, school_b):
    response = principal_a_client.get(reverse("labor_bases:index") + "?year=2024")
    body = response.content.decode()
    assert response.status_code == 200
    assert "甲校茶园基地" in body and "36,000.00" in body and "21,600.00" in body
    assert school_b.name not in body and "乙校桔园" not in body
    # Per-section add buttons.
    for name in ("plot_create", "line_create", "activity_create"):
        assert reverse(f"labor_bases:{name}") in body


def test_principal_cannot_open_another_school_sheet(principal_a_client, orchard_b, school_b):
    response = principal_a_client.get(reverse("labor_bases:index") + f"?year=2024&school={school_b.pk}")
    assert response.status_code == 404


def test_principal_cannot_edit_another_schools_plot(principal_a_client, orchard_b):
    plot = orchard_b["plot"]
    url = reverse("labor_bases:plot_edit", args=[plot.pk])
    assert principal_a_client.get(url).status_code == 404
    response = principal_a_client.post(url, plot_form(plot.base, area_mu="1", row_version=plot.version))
    assert response.status_code == 404
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("30.00")


def test_principal_cannot_create_rows_for_another_school_via_form_field(principal_a_client, base_a, base_b, year):
    response = principal_a_client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_b))
    assert response.status_code == 200
    assert response.context["form"].errors["base"]
    assert not LandParcel.objects.filter(base=base_b).exists()
    response = principal_a_client.post(
        reverse("labor_bases:activity_create") + "?year=2024",
        {"school": base_b.school_id, "activity": "采茶", "participants": 5, "days": 1},
    )
    assert response.status_code == 200 and response.context["form"].errors["school"]
    response = principal_a_client.post(
        reverse("labor_bases:base_create") + "?year=2024", {"school": base_b.school_id, "name": "冒名基地"}
    )
    assert response.status_code == 200
    assert not LaborBase.objects.filter(name="冒名基地").exists()
    assert not StudentPracticeActivity.objects.exists()


def test_principal_cannot_create_rows_for_another_school_via_api(principal_a_client, base_a, base_b, year):
    url = reverse("labor-plot-list")
    response = principal_a_client.post(url, {"base": base_b.pk, "year": 2024, "land_type": "tea", "area_mu": "1"},
                                       content_type="application/json")
    assert response.status_code == 400
    assert not LandParcel.objects.exists()
    response = principal_a_client.post(url, {"base": base_a.pk, "year": 2024, "land_type": "tea", "area_mu": "1"},
                                       content_type="application/json")
    assert response.status_code == 201
    assert LandParcel.objects.get().base == base_a


def test_principal_creates_own_plot_and_sees_it(principal_a_client, base_a, year):
    response = principal_a_client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_a))
    assert response.status_code == 302
    plot = LandParcel.objects.get()
    assert (plot.base, plot.year_id, plot.area_mu) == (base_a, 2024, Decimal("5.00"))
    assert plot.history.first().history_user is not None


def test_auditor_reads_but_cannot_write(auditor_client, tea_a, base_a):
    assert auditor_client.get(reverse("labor_bases:index") + f"?year=2024&school={base_a.school_id}").status_code == 200
    assert auditor_client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_a)).status_code == 403
    response = auditor_client.patch(
        reverse("labor-plot-detail", args=[tea_a["plot"].pk]), {"area_mu": "1"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert LandParcel.objects.get(pk=tea_a["plot"].pk).area_mu == Decimal("12.00")


# Locked year and submitted return --------------------------------------------


def test_locked_year_refuses_writes_with_the_reason(director_client, principal_a_client, tea_a, base_a, locked_year):
    plot = tea_a["plot"]
    for client in (director_client, principal_a_client):
        response = client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_a))
        assert response.status_code == 200
        assert "锁定" in response.content.decode()
        response = client.post(reverse("labor_bases:plot_edit", args=[plot.pk]),
                               plot_form(base_a, row_version=plot.version))
        assert response.status_code == 403
        assert "锁定" in response.content.decode()
        response = client.patch(reverse("labor-plot-detail", args=[plot.pk]), {"area_mu": "1"},
                                content_type="application/json")
        assert response.status_code == 403 and "锁定" in json.dumps(response.json(), ensure_ascii=False)
    assert LandParcel.objects.count() == 1
    # The page says why, and offers no add buttons.
    body = principal_a_client.get(reverse("labor_bases:index") + "?year=2024").content.decode()
    assert "锁定" in body and reverse("labor_bases:plot_create") not in body


def test_submitted_return_refuses_principal_but_not_staff(director_client, principal_a_client, tea_a, base_a,
                                                          submission_a):
    submission_a.status = SubmissionStatus.SUBMITTED
    submission_a.save()
    line = tea_a["lines"][0]
    data = {"base": base_a.pk, "product": "茶叶", "grade": "一级嫩茶", "quantity": "100", "unit": "kg",
            "unit_price": "300", "row_version": line.version}
    response = principal_a_client.post(reverse("labor_bases:line_edit", args=[line.pk]), data)
    assert response.status_code == 403 and "已上报" in response.content.decode()
    response = principal_a_client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_a))
    assert "已上报" in response.content.decode() and LandParcel.objects.count() == 1
    assert "已上报" in principal_a_client.get(reverse("labor_bases:index") + "?year=2024").content.decode()
    response = director_client.post(reverse("labor_bases:line_edit", args=[line.pk]), data)
    assert response.status_code == 302
    assert ProductionLine.objects.get(pk=line.pk).value == Decimal("30000.00")


# Stale edits ---------------------------------------------------------------------


def test_stale_form_edit_is_refused(principal_a_client, director_client, tea_a, base_a):
    plot = tea_a["plot"]
    stale = plot.version
    response = director_client.post(reverse("labor_bases:plot_edit", args=[plot.pk]),
                                    plot_form(base_a, land_type="tea", area_mu="13", row_version=stale))
    assert response.status_code == 302
    response = principal_a_client.post(reverse("labor_bases:plot_edit", args=[plot.pk]),
                                       plot_form(base_a, land_type="tea", area_mu="14", row_version=stale))
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("13.00")


def test_stale_api_edit_is_refused(principal_a_client, tea_a):
    fin = tea_a["finance"]
    url = reverse("labor-finance-detail", args=[fin.pk])
    version = BaseYearFinance.objects.get(pk=fin.pk).version
    ok = principal_a_client.patch(url, {"labor_cost": "13000", "version": version}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["profit"] == "20600.00"
    stale = principal_a_client.patch(url, {"labor_cost": "1", "version": version}, content_type="application/json")
    assert stale.status_code == 400 and "version" in stale.json()
    assert BaseYearFinance.objects.get(pk=fin.pk).labor_cost == Decimal("13000.00")


# Forms: errors, units, computed values ---------------------------------------------


def test_negative_values_show_inline_chinese_errors(principal_a_client, base_a, year):
    response = principal_a_client.post(
        reverse("labor_bases:line_create") + "?year=2024",
        {"base": base_a.pk, "product": "茶叶", "quantity": "-1", "unit": "kg", "unit_price": "10"},
    )
    assert response.status_code == 200
    assert "产量应在 0 至" in response.content.decode()
    response = principal_a_client.post(reverse("labor_bases:plot_create") + "?year=2024", plot_form(base_a, area_mu="0"))
    assert "面积必须大于 0 亩" in response.content.decode()


def test_forms_show_units_and_live_figures(principal_a_client, tea_a, base_a):
    body = principal_a_client.get(reverse("labor_bases:plot_create") + f"?year=2024&base={base_a.pk}").content.decode()
    assert '<span class="unit">亩</span>' in body
    assert 'data-sum="area_mu"' in body and 'name="others_area_mu" value="12' in body
    # A principal with one base finds it chosen already.
    response = principal_a_client.get(reverse("labor_bases:plot_create") + "?year=2024")
    assert response.context["form"]["base"].value() == base_a.pk and response.context["area_base"] == base_a
    body = principal_a_client.get(reverse("labor_bases:line_create") + "?year=2024").content.decode()
    assert 'data-product="id_quantity id_unit_price"' in body
    body = principal_a_client.get(reverse("labor_bases:finance_edit", args=[tea_a["finance"].pk])).content.decode()
    assert 'data-production="45600' in body and "labor_bases.js" in body and '<span class="unit">元</span>' in body


def test_value_typed_in_the_api_is_ignored(principal_a_client, base_a, year):
    response = principal_a_client.post(
        reverse("labor-line-list"),
        {"base": base_a.pk, "year": 2024, "product": "茶叶", "quantity": "240", "unit": "kg", "unit_price": "40",
         "value": "1"},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["value"] == "9600.00"


def test_base_with_data_is_not_deleted(principal_a_client, tea_a, base_a):
    response = principal_a_client.post(reverse("labor_bases:base_delete", args=[base_a.pk]), follow=True)
    assert LaborBase.objects.filter(pk=base_a.pk).exists()
    assert "不能删除" in response.content.decode()
    response = principal_a_client.delete(reverse("labor-base-detail", args=[base_a.pk]))
    assert response.status_code == 400 and LaborBase.objects.filter(pk=base_a.pk).exists()


# Staff overview and lists -------------------------------------------------------------


def test_staff_county_index_totals_by_land_type(director_client, tea_a, orchard_b):
    response = director_client.get(reverse("labor_bases:index") + "?year=2024")
    land = {item["land_type"]: item["area_mu"] for item in response.context["land"]}
    assert land["tea"] == Decimal("12.00") and land["orchard"] == Decimal("30.00") and land["grain"] == 0
    assert response.context["land_total"] == Decimal("42.00")
    assert len(response.context["rows"]) == 2
    response = director_client.get(reverse("labor_bases:index") + "?year=2024&land_type=tea")
    assert [r["school"].pk for r in response.context["rows"]] == [tea_a["plot"].base.school_id]


def test_lists_filter_by_rows_url_parameters(director_client, principal_a_client, tea_a, orchard_b):
    from labor_bases.selectors import rows_url

    response = director_client.get(rows_url("plots", 2024, land_type="tea"))
    assert [p.pk for p in response.context["object_list"]] == [tea_a["plot"].pk]
    response = director_client.get(rows_url("lines", 2024, school=orchard_b["plot"].base.school_id))
    assert [p.pk for p in response.context["object_list"]] == [orchard_b["line"].pk]
    # A principal asking for school B's rows gets an empty list, never B's rows.
    response = principal_a_client.get(rows_url("finance", 2024, school=orchard_b["plot"].base.school_id))
    assert list(response.context["object_list"]) == []


def test_api_list_filtered_by_year_and_school(director_client, principal_a_client, tea_a, orchard_b, school_b):
    last = ReportingYear.objects.create(year=2023)
    LandParcelFactory(base=orchard_b["plot"].base, year=last, area_mu=Decimal("28"))
    url = reverse("labor-plot-list")

    def rows(client, query=""):
        return client.get(url + query).json()["results"]

    assert len(rows(director_client)) == 3
    assert len(rows(director_client, "?year=2024")) == 2
    assert [r["area_mu"] for r in rows(director_client, f"?year=2023&school={school_b.pk}")] == ["28.00"]
    assert [r["id"] for r in rows(principal_a_client)] == [tea_a["plot"].pk]
    assert rows(principal_a_client, f"?school={school_b.pk}") == []


def test_new_base_for_staff_needs_school_choice(director_client, school_a, year):
    response = director_client.post(reverse("labor_bases:base_create") + "?year=2024",
                                    {"school": school_a.pk, "name": "新基地", "declared_total_mu": "3", "active": "on"})
    assert response.status_code == 302
    assert LaborBaseFactory._meta.model.objects.get(name="新基地").school == school_a


@pytest.mark.parametrize("what", ["activity", "locked_area"])
def test_base_whose_rows_belong_to_a_year_is_not_deleted_anywhere(what, principal_a_client, director, base_a, year,
                                                                   school_a):
    """Deleting a base may not change any year: an activity referring to it (it used to be set to
    no base) or a locked year's declared area (it used to go with the base) keeps it."""
    from django.test import Client

    from labor_bases.models import BaseYearArea
    from tests.factories import ReportingYearFactory
    from tests.labor_bases.factories import ActivityFactory
    from workstudy.models import ReportingYear

    if what == "activity":
        ActivityFactory(school=school_a, year=year, base=base_a)
    else:
        locked = ReportingYearFactory(year=2023)
        BaseYearArea.objects.create(base=base_a, year=locked, declared_total_mu=Decimal("12"))
        ReportingYear.objects.filter(pk=2023).update(status=ReportingYear.Status.LOCKED)
    response = principal_a_client.post(reverse("labor_bases:base_delete", args=[base_a.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert principal_a_client.delete(reverse("labor-base-detail", args=[base_a.pk])).status_code == 400
    staff = Client()
    staff.force_login(director)
    page = staff.get(reverse("admin:labor_bases_laborbase_delete", args=[base_a.pk]))
    assert page.status_code in (302, 403)
    assert LaborBase.objects.filter(pk=base_a.pk).exists()


def test_base_with_only_an_open_years_area_is_deleted(principal_a_client, base_a, year):
    response = principal_a_client.post(reverse("labor_bases:base_delete", args=[base_a.pk]))
    assert response.status_code == 302 and not LaborBase.objects.filter(pk=base_a.pk).exists()
