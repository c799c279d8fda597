"""Pages: staff CRUD through the forms, scoping for principals, read-only auditors,
year locks and stale edits."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseYearStat, ReformEvent
from tests.enterprises.factories import EnterpriseFactory, ReformEventFactory, YearStatFactory
from workstudy.models import ReportingYear

pytestmark = pytest.mark.django_db


def _lock(year, director):
    ReportingYear.objects.filter(pk=year.pk).update(status="locked", locked_by=director, locked_at=timezone.now())


def _stat_data(**overrides):
    data = {"year": 2024, "revenue": "1250000.50", "cost": "1100000.25", "tax": "37500",
            "remitted_to_education": "65000", "employees": "22", "work_study_placements": "3", "note": ""}
    data.update(overrides)
    return data


# Staff CRUD -------------------------------------------------------------------


def test_staff_creates_edits_and_deletes_an_enterprise(director_client, school_a):
    response = director_client.post(reverse("enterprises:create"), {
        "name": "市职中校服厂", "kind": "uniform", "sponsor_school": school_a.pk, "sponsor_label": "",
        "ownership": "collective", "industry": "服装", "founded_year": "1992", "founded_text": "",
        "status": "operating", "form": "factory", "note": "",
    })
    enterprise = Enterprise.objects.get(name="市职中校服厂")
    assert response.status_code == 302 and response["Location"] == reverse("enterprises:detail", args=[enterprise.pk])
    assert enterprise.sponsor_school == school_a and enterprise.version == 1

    response = director_client.post(reverse("enterprises:update", args=[enterprise.pk]), {
        "name": "市职中校服厂", "kind": "uniform", "sponsor_school": school_a.pk, "ownership": "reformed",
        "status": "operating", "form": "factory", "row_version": enterprise.version,
    })
    assert response.status_code == 302
    enterprise.refresh_from_db()
    assert enterprise.ownership == "reformed" and enterprise.version == 2
    assert enterprise.history.count() == 2

    response = director_client.post(reverse("enterprises:delete", args=[enterprise.pk]))
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=enterprise.pk).exists()


def test_enterprise_with_figures_cannot_be_deleted(director_client, stat_bureau):
    enterprise = stat_bureau.enterprise
    response = director_client.post(reverse("enterprises:delete", args=[enterprise.pk]), follow=True)
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
    assert "还有年度数据或大事记，不能删除" in response.content.decode()
    assert "已删除" not in response.content.decode()


def test_staff_enters_yearly_figures_and_profit_is_computed(director_client, bureau_enterprise, year):
    url = reverse("enterprises:figure_create", args=[bureau_enterprise.pk])
    page = director_client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-difference="id_revenue id_cost"' in body and "enterprises.js" in body
    assert '<span class="unit">元</span>' in body and '<span class="unit">人</span>' in body

    response = director_client.post(url, _stat_data())
    assert response.status_code == 302
    stat = EnterpriseYearStat.objects.get(enterprise=bureau_enterprise, year=year)
    assert stat.profit == Decimal("150000.25")

    response = director_client.post(reverse("enterprises:figure_update", args=[stat.pk]),
                                    _stat_data(cost="1300000", row_version=stat.version))
    assert response.status_code == 302
    stat.refresh_from_db()
    assert stat.profit == Decimal("-49999.50")

    detail = director_client.get(reverse("enterprises:detail", args=[bureau_enterprise.pk])).content.decode()
    assert "-49,999.50" in detail and "1,250,000.50" in detail

    response = director_client.post(reverse("enterprises:figure_delete", args=[stat.pk]))
    assert response.status_code == 302 and not EnterpriseYearStat.objects.filter(pk=stat.pk).exists()


def test_figure_form_shows_rule_errors_inline_in_chinese(director_client, bureau_enterprise, year):
    url = reverse("enterprises:figure_create", args=[bureau_enterprise.pk])
    response = director_client.post(url, _stat_data(cost="", employees="-3"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写成本（元）" in body
    assert "职工人数应在 0 至 1,000,000 人之间，现在填的是 -3。" in body
    assert 'class="fielderror"' in body
    assert not EnterpriseYearStat.objects.exists()


def test_second_figures_for_the_same_year_are_refused(director_client, stat_bureau):
    url = reverse("enterprises:figure_create", args=[stat_bureau.enterprise_id])
    response = director_client.post(url, _stat_data())
    assert response.status_code == 200
    assert "该企业本年度的数据已经填报过" in response.content.decode()
    assert EnterpriseYearStat.objects.count() == 1


def test_service_centre_figures_are_refused_with_the_reason(director_client, year):
    centre = EnterpriseFactory(name="贵溪市腾飞学校后勤服务中心", kind="service_centre", form="service_centre")
    response = director_client.post(reverse("enterprises:figure_create", args=[centre.pk]), _stat_data())
    assert response.status_code == 200
    assert "在“后勤社会化”模块填报" in response.content.decode()


def test_figures_after_closing_refused_in_form(director_client, year):
    closed = EnterpriseFactory(status="closed", closed_year=2022)
    response = director_client.post(reverse("enterprises:figure_create", args=[closed.pk]), _stat_data())
    assert response.status_code == 200
    assert "已于 2022 年停办，不能有 2024 年的年度数据" in response.content.decode()


def test_staff_records_reform_events_by_month(director_client, bureau_enterprise):
    url = reverse("enterprises:event_create", args=[bureau_enterprise.pk])
    response = director_client.post(url, {"month": "2019-06", "kind": "buyout", "staff_affected": "174",
                                          "amount": "3132000", "counterparty": "", "note": "工龄一次性买断"})
    assert response.status_code == 302
    event = ReformEvent.objects.get()
    assert event.date == datetime.date(2019, 6, 1) and event.staff_affected == 174
    assert event.year_id is None

    response = director_client.post(reverse("enterprises:event_update", args=[event.pk]), {
        "month": "2019年7月", "kind": "buyout", "staff_affected": "174", "amount": "3132000",
        "row_version": event.version})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.date == datetime.date(2019, 7, 1)

    bad = director_client.post(url, {"month": "六月", "kind": "auction"})
    assert bad.status_code == 200 and "请按“年-月”填写时间" in bad.content.decode()

    detail = director_client.get(reverse("enterprises:detail", args=[bureau_enterprise.pk])).content.decode()
    assert "2019年7月 · 工龄买断" in detail and "313.20" in detail  # 万元

    assert director_client.post(reverse("enterprises:event_delete", args=[event.pk])).status_code == 302
    assert not ReformEvent.objects.exists()


def test_figure_list_shows_totals_for_the_chosen_year(director_client, year, year_2023):
    a = EnterpriseFactory(name="甲厂")
    b = EnterpriseFactory(name="乙厂")
    YearStatFactory(enterprise=a, year=year, revenue=Decimal("1000000"), cost=Decimal("800000"))
    YearStatFactory(enterprise=b, year=year, revenue=Decimal("500000.50"), cost=Decimal("600000"))
    YearStatFactory(enterprise=a, year=year_2023, revenue=Decimal("9999999"), cost=Decimal("1"))
    EnterpriseFactory(name="未填厂")
    response = director_client.get(reverse("enterprises:figures") + "?year=2024")
    body = response.content.decode()
    assert "1,500,000.50" in body  # revenue total of 2024 only
    assert "100,000.50" in body  # profit total 200000 + (-99999.50)
    assert "150.00" in body  # 万元 revenue
    assert "9,999,999" not in body
    assert "未填厂" in body  # listed under 本年度尚未填报的企业


def test_list_shows_latest_figures_and_status(director_client, year, year_2023, bureau_enterprise):
    YearStatFactory(enterprise=bureau_enterprise, year=year_2023, revenue=Decimal("111"), cost=Decimal("1"))
    YearStatFactory(enterprise=bureau_enterprise, year=year, revenue=Decimal("222333"), cost=Decimal("1"))
    body = director_client.get(reverse("enterprises:index")).content.decode()
    assert "222,333.00" in body and "在营" in body and "新增企业" in body


# Principals ------------------------------------------------------------------


def test_principal_cannot_see_bureau_or_other_schools_enterprises(
    principal_a_client, bureau_enterprise, enterprise_a, enterprise_b, year
):
    YearStatFactory(enterprise=bureau_enterprise, year=year)
    YearStatFactory(enterprise=enterprise_b, year=year)
    ReformEventFactory(enterprise=bureau_enterprise)
    for pk in (bureau_enterprise.pk, enterprise_b.pk):
        assert principal_a_client.get(reverse("enterprises:detail", args=[pk])).status_code == 404
    for url in (reverse("enterprises:index"), reverse("enterprises:figures") + "?year=2024",
                reverse("enterprises:events")):
        body = principal_a_client.get(url).content.decode()
        assert bureau_enterprise.name not in body and enterprise_b.name not in body
    listing = principal_a_client.get(reverse("enterprises:index")).content.decode()
    assert enterprise_a.name in listing and "新增企业" not in listing
    api = principal_a_client.get(reverse("enterprise-list")).json()
    names = [row["name"] for row in api["results"]] if isinstance(api, dict) else [row["name"] for row in api]
    assert names == [enterprise_a.name]
    assert principal_a_client.get(reverse("enterprise-detail", args=[bureau_enterprise.pk])).status_code == 404
    figures = principal_a_client.get(reverse("enterprise-figure-list")).json()
    rows = figures["results"] if isinstance(figures, dict) else figures
    assert rows == []
    events = principal_a_client.get(reverse("enterprise-event-list")).json()
    assert (events["results"] if isinstance(events, dict) else events) == []


def test_principal_reads_own_school_enterprise_but_cannot_change_it(principal_a_client, enterprise_a, year):
    stat = YearStatFactory(enterprise=enterprise_a, year=year)
    detail = principal_a_client.get(reverse("enterprises:detail", args=[enterprise_a.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "校办企业的数据由勤工办维护，学校只能查看" in body
    assert reverse("enterprises:update", args=[enterprise_a.pk]) not in body
    assert principal_a_client.get(reverse("enterprises:update", args=[enterprise_a.pk])).status_code == 403
    response = principal_a_client.post(reverse("enterprises:figure_update", args=[stat.pk]),
                                       _stat_data(row_version=stat.version))
    assert response.status_code == 403
    response = principal_a_client.patch(reverse("enterprise-figure-detail", args=[stat.pk]), {"revenue": "1"},
                                        content_type="application/json")
    assert response.status_code == 403
    stat.refresh_from_db()
    assert stat.revenue == Decimal("100000.00")


# Auditors --------------------------------------------------------------------


def test_auditor_reads_everything_but_cannot_write(auditor_client, bureau_enterprise, stat_bureau):
    assert auditor_client.get(reverse("enterprises:detail", args=[bureau_enterprise.pk])).status_code == 200
    assert auditor_client.get(reverse("enterprises:create")).status_code == 403
    response = auditor_client.post(reverse("enterprises:figure_update", args=[stat_bureau.pk]),
                                   _stat_data(row_version=stat_bureau.version))
    assert response.status_code == 403
    response = auditor_client.post(reverse("enterprises:delete", args=[bureau_enterprise.pk]))
    assert response.status_code == 403
    api = auditor_client.patch(reverse("enterprise-figure-detail", args=[stat_bureau.pk]), {"revenue": "1"},
                               content_type="application/json")
    assert api.status_code == 403
    api = auditor_client.post(reverse("enterprise-list"), {"name": "x", "kind": "other", "ownership": "direct"},
                              content_type="application/json")
    assert api.status_code == 403
    assert Enterprise.objects.count() == 1
    stat_bureau.refresh_from_db()
    assert stat_bureau.revenue == Decimal("100000.00")
    history = auditor_client.get(reverse("history", args=["enterprises", "enterprise", bureau_enterprise.pk]))
    assert history.status_code == 200


# Year lock -------------------------------------------------------------------


def test_locked_year_refuses_figure_edits_with_the_reason(director_client, director, stat_bureau, year):
    _lock(year, director)
    edit_url = reverse("enterprises:figure_update", args=[stat_bureau.pk])
    page = director_client.get(edit_url)
    assert page.status_code == 403
    assert "2024 年度已于" in page.content.decode() and "锁定" in page.content.decode()
    response = director_client.post(edit_url, _stat_data(row_version=stat_bureau.version))
    assert response.status_code == 403
    assert director_client.post(reverse("enterprises:figure_delete", args=[stat_bureau.pk])).status_code == 403
    stat_bureau.refresh_from_db()
    assert stat_bureau.revenue == Decimal("100000.00")

    # A new row for the locked year is refused on the form, with the reason.
    other = EnterpriseFactory(name="另一厂")
    response = director_client.post(reverse("enterprises:figure_create", args=[other.pk]), _stat_data())
    assert response.status_code == 200
    assert "2024 年度已于" in response.content.decode()
    assert not EnterpriseYearStat.objects.filter(enterprise=other).exists()

    # The API refuses too, naming the reason.
    api = director_client.patch(reverse("enterprise-figure-detail", args=[stat_bureau.pk]),
                                {"revenue": "1"}, content_type="application/json")
    assert api.status_code == 403 and "锁定" in api.json()["detail"]

    # The detail page shows no edit link for the locked row.
    detail = director_client.get(reverse("enterprises:detail", args=[stat_bureau.enterprise_id])).content.decode()
    assert edit_url not in detail and "已锁定" in detail


def test_moving_figures_into_a_locked_year_is_refused(director_client, director, bureau_enterprise, year, year_2023):
    stat = YearStatFactory(enterprise=bureau_enterprise, year=year)
    _lock(year_2023, director)
    response = director_client.post(reverse("enterprises:figure_update", args=[stat.pk]),
                                    _stat_data(year=2023, row_version=stat.version))
    assert response.status_code == 200 and "2023 年度已于" in response.content.decode()
    stat.refresh_from_db()
    assert stat.year_id == 2024


def test_events_dated_in_a_locked_year_are_locked(director_client, director, bureau_enterprise, year):
    event = ReformEventFactory(enterprise=bureau_enterprise, date=datetime.date(2024, 3, 1), kind="investment")
    _lock(year, director)
    assert director_client.get(reverse("enterprises:event_update", args=[event.pk])).status_code == 403
    response = director_client.post(reverse("enterprises:event_create", args=[bureau_enterprise.pk]),
                                    {"month": "2024-05", "kind": "investment", "amount": "1"})
    assert response.status_code == 200 and "2024 年度已于" in response.content.decode()
    api = director_client.post(reverse("enterprise-event-list"), {
        "enterprise": bureau_enterprise.pk, "date": "2024-05-09", "kind": "investment"},
        content_type="application/json")
    assert api.status_code == 403
    assert ReformEvent.objects.count() == 1


# Stale edits -----------------------------------------------------------------


def test_stale_form_edit_is_refused(director_client, stat_bureau):
    stale_version = stat_bureau.version
    fresh = EnterpriseYearStat.objects.get(pk=stat_bureau.pk)
    fresh.revenue = Decimal("555555")
    fresh.save()  # someone else saved in between
    response = director_client.post(reverse("enterprises:figure_update", args=[stat_bureau.pk]),
                                    _stat_data(revenue="1", row_version=stale_version))
    assert response.status_code == 200
    assert "这条记录已被他人修改" in response.content.decode()
    stat_bureau.refresh_from_db()
    assert stat_bureau.revenue == Decimal("555555.00")


def test_stale_enterprise_edit_is_refused(director_client, bureau_enterprise):
    stale = bureau_enterprise.version
    Enterprise.objects.get(pk=bureau_enterprise.pk).save()
    response = director_client.post(reverse("enterprises:update", args=[bureau_enterprise.pk]), {
        "name": "改名厂", "kind": "paint", "ownership": "collective", "status": "operating", "form": "factory",
        "row_version": stale})
    assert response.status_code == 200 and "这条记录已被他人修改" in response.content.decode()
    assert Enterprise.objects.get(pk=bureau_enterprise.pk).name == bureau_enterprise.name


def test_stale_api_edit_is_refused(director_client, stat_bureau):
    url = reverse("enterprise-figure-detail", args=[stat_bureau.pk])
    assert director_client.patch(url, {"revenue": "200000", "version": stat_bureau.version},
                                 content_type="application/json").status_code == 200
    stale = director_client.patch(url, {"revenue": "1", "version": stat_bureau.version},
                                  content_type="application/json")
    assert stale.status_code == 400 and "已被他人修改" in str(stale.json())
    stat_bureau.refresh_from_db()
    assert stat_bureau.revenue == Decimal("200000.00") and stat_bureau.profit == Decimal("120000.00")


def test_nav_link_for_every_role(principal_a, auditor, clerk):
    from workstudy import modules

    for user in (principal_a, auditor, clerk):
        assert "enterprises:index" in [item.url_name for item in modules.nav_for(user)]
