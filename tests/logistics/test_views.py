"""Pages: CRUD by staff, scoping for principals, read-only auditors, locked years, stale edits."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from logistics.models import ExamSite, SalesLine, SchoolService, Shop
from tests.factories import SchoolFactory
from tests.logistics.factories import (
    CentreYearFiguresFactory,
    SalesLineFactory,
    SchoolServiceFactory,
    ShopFactory,
)
from workstudy.models import ReportingYear, Submission


def _lock(year, by):
    ReportingYear.objects.filter(pk=year.pk).update(status="locked", locked_by=by, locked_at=timezone.now())


# ------------------------------------------------------------------ staff CRUD


def test_staff_creates_edits_deletes_sales_line(director_client, year, centre):
    shop = ShopFactory(centre=centre, name="文体店", categories="stationery,sportswear")
    url = reverse("logistics:sales_create") + "?year=2024"
    page = director_client.get(url).content.decode()
    assert 'class="unit">元<' in page  # the amount carries its unit
    response = director_client.post(url, {
        "centre": centre.pk, "year": 2024, "shop": shop.pk, "category": "stationery", "customer_kind": "school",
        "amount": "1234.56", "note": "",
    })
    assert response.status_code == 302
    line = SalesLine.objects.get()
    assert line.amount == Decimal("1234.56")
    response = director_client.post(reverse("logistics:sales_edit", args=[line.pk]), {
        "centre": centre.pk, "year": 2024, "shop": shop.pk, "category": "sportswear", "customer_kind": "society",
        "amount": "99.00", "note": "改", "row_version": line.version,
    })
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.category, line.amount, line.version) == ("sportswear", Decimal("99.00"), 2)
    assert line.history.count() == 2
    assert director_client.post(reverse("logistics:sales_delete", args=[line.pk])).status_code == 302
    assert not SalesLine.objects.exists()


def test_sales_form_shows_rule_error_inline(director_client, year, centre):
    shop = ShopFactory(centre=centre, name="文具店", categories="stationery")
    response = director_client.post(reverse("logistics:sales_create"), {
        "centre": centre.pk, "year": 2024, "shop": shop.pk, "category": "sportswear", "customer_kind": "school",
        "amount": "10", "note": "",
    })
    assert response.status_code == 200
    body = response.content.decode()
    assert "店面“文具店”不经营运动服装" in body and 'class="fielderror"' in body
    response = director_client.post(reverse("logistics:sales_create"), {
        "centre": centre.pk, "year": 2024, "shop": "", "category": "stationery", "customer_kind": "school",
        "amount": "-3", "note": "",
    })
    assert "销售额应在 0 至" in response.content.decode()
    assert not SalesLine.objects.exists()


def test_shop_with_sales_cannot_be_deleted(director_client, year, centre):
    shop = ShopFactory(centre=centre)
    SalesLineFactory(centre=centre, year=year, shop=shop)
    response = director_client.post(reverse("logistics:shop_delete", args=[shop.pk]), follow=True)
    assert "不能删除" in response.content.decode()
    assert Shop.objects.filter(pk=shop.pk).exists()


def test_shop_form_multi_categories(director_client, centre):
    response = director_client.post(reverse("logistics:shop_create"), {
        "centre": centre.pk, "name": "新店", "address": "", "categories": ["sportswear", "stationery"],
        "opened_year": 2020, "active": "on",
    })
    assert response.status_code == 302
    assert Shop.objects.get(name="新店").categories == "stationery,sportswear"


def test_exam_site_form_names_school_without_facilities(director_client, program):
    school = SchoolFactory(name="罗河中心小学", has_dormitory=False, has_canteen=False)
    response = director_client.post(reverse("logistics:site_create", args=[program.pk]), {
        "host_school": school.pk, "candidates": 100, "beds": 100, "note": "",
    })
    assert response.status_code == 200
    assert "罗河中心小学没有学生公寓、学生食堂，不能作为中考食宿考点。" in response.content.decode()
    assert not ExamSite.objects.exists()


def test_exam_site_form_one_bed_each(director_client, program, school_a):
    response = director_client.post(reverse("logistics:site_create", args=[program.pk]), {
        "host_school": school_a.pk, "candidates": 300, "beds": 250, "note": "",
    })
    assert "床位 250 张少于食宿考生 300 人" in response.content.decode()
    response = director_client.post(reverse("logistics:site_create", args=[program.pk]), {
        "host_school": school_a.pk, "candidates": 300, "beds": 300, "note": "",
    })
    assert response.status_code == 302
    # the same host twice is refused with a message, not a crash
    response = director_client.post(reverse("logistics:site_create", args=[program.pk]), {
        "host_school": school_a.pk, "candidates": 1, "beds": 1, "note": "",
    })
    assert "已是本年度的考点" in response.content.decode()


def test_centre_page_shows_computed_figures(director_client, year, centre):
    CentreYearFiguresFactory(centre=centre, year=year, cost=Decimal("3000.00"), deliveries=42)
    SalesLineFactory(centre=centre, year=year, category="stationery", customer_kind="school", amount=Decimal("2500.50"))
    SalesLineFactory(centre=centre, year=year, category="sportswear", customer_kind="society", amount=Decimal("1000.00"))
    body = director_client.get(reverse("logistics:centre") + "?year=2024").content.decode()
    assert "3,500.50" in body  # revenue = Σ sales
    assert "500.50" in body  # profit 3500.50 - 3000
    assert "42 次" in body


def test_exam_page(director_client, program, site_b):
    body = director_client.get(reverse("logistics:exam") + "?year=2024").content.decode()
    assert "600 人" in body and "620 张" in body and "一人一床" in body
    assert "700.00" in body and "250.00" in body and "450.00" in body  # before, after, saving
    assert site_b.host_school.name in body


# ----------------------------------------------------------------- principals


def test_principal_sees_only_own_services(principal_a_client, service_a, service_b):
    body = principal_a_client.get(reverse("logistics:services") + "?year=2024").content.decode()
    assert service_b.school.name not in body and "乙校承包人" not in body
    assert reverse("logistics:service_edit", args=[service_a.pk]) in body
    assert principal_a_client.get(reverse("logistics:service_edit", args=[service_b.pk])).status_code == 404
    assert principal_a_client.post(reverse("logistics:service_delete", args=[service_b.pk])).status_code == 404
    assert SchoolService.objects.filter(pk=service_b.pk).exists()


def test_principal_creates_row_for_own_school_only(principal_a_client, school_a, school_b, year, submission_a):
    page = principal_a_client.get(reverse("logistics:service_create") + "?year=2024").content.decode()
    assert 'name="school"' not in page
    response = principal_a_client.post(reverse("logistics:service_create"), {
        "school": school_b.pk, "year": 2024, "kind": "shop", "name": "", "mode": "self_run", "operator": "",
    })
    assert response.status_code == 302
    assert SchoolService.objects.get().school == school_a  # the school field is ignored


def test_principal_edits_own_row(principal_a_client, service_a):
    response = principal_a_client.post(reverse("logistics:service_edit", args=[service_a.pk]), {
        "kind": "canteen", "name": "", "mode": "contracted", "operator": "", "row_version": service_a.version,
    })
    assert "请填写经营方" in response.content.decode()
    response = principal_a_client.post(reverse("logistics:service_edit", args=[service_a.pk]), {
        "kind": "canteen", "name": "", "mode": "contracted", "operator": "李四", "row_version": service_a.version,
    })
    assert response.status_code == 302
    service_a.refresh_from_db()
    assert (service_a.mode, service_a.operator) == ("contracted", "李四")


def test_principal_cannot_edit_after_submitting(principal_a_client, service_a, submission_a):
    Submission.objects.filter(pk=submission_a.pk).update(status="submitted")
    response = principal_a_client.get(reverse("logistics:service_edit", args=[service_a.pk]))
    assert response.status_code == 403
    assert "已上报" in response.content.decode()


@pytest.mark.parametrize("name", ["logistics:centre", "logistics:exam", "logistics:sales"])
def test_principal_cannot_see_bureau_pages(principal_a_client, program, name):
    assert principal_a_client.get(reverse(name)).status_code == 403


def test_principal_sees_own_exam_site_not_others(principal_a_client, principal_b_client, program, school_a, site_b):
    from tests.logistics.factories import ExamSiteFactory

    site_a = ExamSiteFactory(program=program, host_school=school_a, candidates=300, beds=300)
    assert principal_a_client.get(reverse("logistics:site_detail", args=[site_b.pk])).status_code == 404
    assert principal_a_client.get(reverse("logistics:site_detail", args=[site_a.pk])).status_code == 200
    body = principal_a_client.get(reverse("logistics:sites") + "?year=2024").content.decode()
    assert school_a.name in body and site_b.host_school.name not in body
    body = principal_a_client.get(reverse("logistics:services") + "?year=2024").content.decode()
    assert "本校承办的中考食宿考点" in body
    # Sites are entered by the bureau: principals can not change them, not even their own.
    assert principal_a_client.get(reverse("logistics:site_edit", args=[site_a.pk])).status_code == 403
    assert principal_b_client.get(reverse("logistics:site_edit", args=[site_b.pk])).status_code == 403


# ------------------------------------------------------------------- auditor


def test_auditor_reads_but_cannot_write(auditor_client, service_b, program, centre):
    assert auditor_client.get(reverse("logistics:centre")).status_code == 200
    assert auditor_client.get(reverse("logistics:services")).status_code == 200
    assert auditor_client.post(reverse("logistics:service_edit", args=[service_b.pk]), {
        "kind": "canteen", "mode": "self_run", "row_version": service_b.version,
    }).status_code == 403
    assert auditor_client.post(reverse("logistics:sales_create"), {
        "centre": centre.pk, "year": 2024, "category": "stationery", "customer_kind": "school", "amount": "1",
    }).status_code == 403
    assert not SalesLine.objects.exists()
    body = auditor_client.get(reverse("logistics:services")).content.decode()
    assert reverse("logistics:service_edit", args=[service_b.pk]) not in body


# --------------------------------------------------------------- locked year


def test_locked_year_refuses_writes_with_reason(director, director_client, service_b, centre, year):
    line = SalesLineFactory(centre=centre, year=year)
    _lock(year, director)
    response = director_client.get(reverse("logistics:service_edit", args=[service_b.pk]))
    assert response.status_code == 403
    assert "2024 年度已于" in response.content.decode() and "锁定" in response.content.decode()
    response = director_client.post(reverse("logistics:sales_edit", args=[line.pk]), {
        "centre": centre.pk, "year": 2024, "category": "stationery", "customer_kind": "school", "amount": "5",
        "row_version": line.version,
    })
    assert response.status_code == 403
    response = director_client.post(reverse("logistics:sales_create"), {
        "centre": centre.pk, "year": 2024, "category": "stationery", "customer_kind": "school", "amount": "5",
    })
    assert response.status_code == 200 and "锁定" in response.content.decode()
    assert SalesLine.objects.count() == 1
    line.refresh_from_db()
    assert line.amount == Decimal("1000.00")
    body = director_client.get(reverse("logistics:centre") + "?year=2024").content.decode()
    assert "锁定" in body and reverse("logistics:sales_create") not in body


def test_principal_locked_year_refused(principal_a_client, director, service_a, year):
    _lock(year, director)
    response = principal_a_client.post(reverse("logistics:service_create"), {
        "year": 2024, "kind": "shop", "name": "", "mode": "self_run", "operator": "",
    })
    assert "锁定" in response.content.decode()
    assert SchoolService.objects.count() == 1


# ------------------------------------------------------------------ stale edits


def test_stale_version_refused(director_client, service_b):
    stale = service_b.version
    SchoolService.objects.get(pk=service_b.pk).save()  # someone else saved meanwhile
    response = director_client.post(reverse("logistics:service_edit", args=[service_b.pk]), {
        "school": service_b.school_id, "kind": "canteen", "name": "", "mode": "self_run", "operator": "",
        "row_version": stale,
    })
    assert response.status_code == 200
    assert "已被他人修改" in response.content.decode()
    service_b.refresh_from_db()
    assert service_b.mode == "contracted"


def test_index_redirects_by_role(director_client, principal_a_client, year):
    assert director_client.get(reverse("logistics:index"))["Location"].startswith(reverse("logistics:centre"))
    assert principal_a_client.get(reverse("logistics:index"))["Location"].startswith(reverse("logistics:services"))


def test_module_counts_per_school(year, school_a, school_b):
    from workstudy import modules

    SchoolServiceFactory(school=school_a, year=year)
    SchoolServiceFactory(school=school_a, year=year, kind="shop")
    SchoolServiceFactory(school=school_b, year=year)
    module = next(m for m in modules.all_modules() if m.key == "logistics")
    assert module.title == "后勤社会化"
    assert module.counts(2024) == {school_a.pk: 2, school_b.pk: 1}
    assert module.url(2024) == "/logistics/services/?year=2024"


def test_program_form_units_live_product_and_rule(director_client, year, centre):
    url = reverse("logistics:program_create") + "?year=2024"
    page = director_client.get(url).content.decode()
    assert 'data-product="id_fee_per_candidate id_candidates_lodged"' in page
    assert 'class="unit">张<' in page and 'class="unit">人次<' in page and 'class="unit">元/人<' in page
    data = {"year": 2024, "operator": centre.pk, "candidates_lodged": 700, "beds": 690, "meals": 4200,
            "fee_per_candidate": "260", "revenue": "182000", "cost": "-1", "closed_management": "on", "incidents": 0,
            "family_cost_before": "720", "family_cost_after": "260", "note": ""}
    body = director_client.post(url, data).content.decode()
    assert "全部考点床位 690 张少于食宿考生 700 人" in body and "成本应在 0 至" in body  # both at once
    data.update(beds=730, cost="150000")
    assert director_client.post(url, data).status_code == 302
    from logistics.models import ExamLodgingProgram

    assert ExamLodgingProgram.objects.get().profit == Decimal("32000.00")


def test_exam_page_lists_the_first_sites_and_totals_them_all(director_client, program, site_b, school_a, monkeypatch):
    """A province's programme has hundreds of sites: the page lists the first ones (by school
    code), says how many there are, links to the paged list, and its totals count every site."""
    from logistics import views as logistics_views
    from tests.logistics.factories import ExamSiteFactory

    ExamSiteFactory(program=program, host_school=school_a, candidates=100, beds=120)
    monkeypatch.setattr(logistics_views, "EXAM_SITES_SHOWN", 1)
    response = director_client.get(reverse("logistics:exam") + "?year=2024")
    body = response.content.decode()
    assert [site.host_school for site in response.context["sites"]] == [school_a]  # A001 before B001
    assert "共 2 个考点，上表列出前 1 个" in body and reverse("logistics:sites") + "?year=2024" in body
    assert response.context["site_totals"]["candidates"] == 400 and response.context["site_totals"]["beds"] == 430
    monkeypatch.setattr(logistics_views, "EXAM_SITES_SHOWN", 50)
    body = director_client.get(reverse("logistics:exam") + "?year=2024").content.decode()
    assert "上表列出前" not in body and site_b.host_school.name in body
