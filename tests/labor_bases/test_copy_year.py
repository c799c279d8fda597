"""Next year in one step: last year's declared areas, plots and product list copied into a
new year, without any figure; refused where scoping refuses the write; idempotent."""

from decimal import Decimal
from html import escape

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from labor_bases import services
from labor_bases.models import (
    BaseYearArea,
    BaseYearFinance,
    LandParcel,
    ProductionLine,
    StudentPracticeActivity,
)
from tests.factories import ReportingYearFactory, SubmissionFactory
from tests.labor_bases.factories import BaseYearAreaFactory, LandParcelFactory, ProductionLineFactory
from workstudy import scoping
from workstudy.models import ReportingYear, SubmissionStatus

URL = reverse("labor_bases:copy_year")


@pytest.fixture
def next_year(db):
    return ReportingYearFactory(year=2025)


def rows_of(year):
    return {
        "areas": list(BaseYearArea.objects.filter(year_id=year).values_list("base_id", "declared_total_mu")),
        "plots": list(LandParcel.objects.filter(year_id=year).values_list("base_id", "land_type", "crop", "area_mu")),
        "lines": list(ProductionLine.objects.filter(year_id=year).values_list(
            "base_id", "product", "grade", "unit", "quantity", "unit_price", "value")),
        "finance": BaseYearFinance.objects.filter(year_id=year).count(),
        "activities": StudentPracticeActivity.objects.filter(year_id=year).count(),
    }


NOTHING = {"areas": [], "plots": [], "lines": [], "finance": 0, "activities": 0}


def test_preview_lists_what_will_be_created_and_writes_nothing(principal_a_client, tea_a, base_a, next_year):
    response = principal_a_client.get(URL + "?year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲校茶园基地" in body
    assert "申报总面积 12.00 亩" in body
    assert "茶园 · 茶 · 12.00 亩" in body
    assert "茶叶（一级嫩茶） · 千克" in body and "茶叶（二级茶） · 千克" in body
    assert body.count("将新建</td>") == 4 and "已有，跳过" not in body
    assert "确认复制" in body
    plan = response.context["plan"]
    assert [(i.kind, i.exists) for i in plan.items] == [("area", False), ("plot", False), ("line", False), ("line", False)]
    assert rows_of(2025) == NOTHING


def test_copy_creates_the_set_up_without_any_figure(principal_a_client, principal_a, tea_a, base_a, next_year):
    response = principal_a_client.post(URL + "?year=2025")
    assert response.status_code == 302
    assert response["Location"] == reverse("labor_bases:index") + "?year=2025"
    rows = rows_of(2025)
    assert rows["areas"] == [(base_a.pk, Decimal("12.00"))]
    assert rows["plots"] == [(base_a.pk, "tea", "茶", Decimal("12.00"))]
    assert sorted(rows["lines"]) == [
        (base_a.pk, "茶叶", "一级嫩茶", "kg", Decimal("0"), Decimal("0"), Decimal("0")),
        (base_a.pk, "茶叶", "二级茶", "kg", Decimal("0"), Decimal("0"), Decimal("0")),
    ]
    assert rows["finance"] == 0 and rows["activities"] == 0  # accounts and activities are figures: not copied
    # Last year untouched; the new rows carry their history like any other entry.
    assert sorted(ProductionLine.objects.filter(year_id=2024).values_list("quantity", flat=True)) == [120, 240]
    assert LandParcel.history.filter(year_id=2025, history_type="+", history_user=principal_a).count() == 1
    page = principal_a_client.get(response["Location"]).content.decode()
    assert "已从 2024 年度复制：申报总面积 1 个、地块 1 块、产品 2 个" in page


def test_second_copy_creates_nothing(principal_a_client, tea_a, next_year):
    principal_a_client.post(URL + "?year=2025")
    first = rows_of(2025)
    ids = set(LandParcel.objects.values_list("pk", flat=True)) | set(ProductionLine.objects.values_list("pk", flat=True))
    preview = principal_a_client.get(URL + "?year=2025")
    assert preview.context["plan"].to_create == [] and len(preview.context["plan"].skipped) == 4
    assert "确认复制" not in preview.content.decode()
    response = principal_a_client.post(URL + "?year=2025", follow=True)
    assert "没有需要复制的内容" in response.content.decode()
    assert rows_of(2025) == first
    assert (set(LandParcel.objects.values_list("pk", flat=True))
            | set(ProductionLine.objects.values_list("pk", flat=True))) == ids


def test_what_already_exists_is_skipped_and_the_rest_created(principal_a_client, tea_a, base_a, next_year):
    BaseYearAreaFactory(base=base_a, year=next_year, declared_total_mu=Decimal("15"))
    kept = LandParcelFactory(base=base_a, year=next_year, land_type="tea", crop="茶", area_mu=Decimal("14"))
    ProductionLineFactory(base=base_a, year=next_year, product="茶叶", grade="一级嫩茶", quantity=Decimal("5"),
                          unit_price=Decimal("280"))
    body = principal_a_client.get(URL + "?year=2025").content.decode()
    assert body.count("2025 年度已有，跳过") == 3 and body.count("将新建</td>") == 1
    principal_a_client.post(URL + "?year=2025")
    rows = rows_of(2025)
    assert rows["areas"] == [(base_a.pk, Decimal("15.00"))]  # the year's own figure stays
    assert rows["plots"] == [(base_a.pk, "tea", "茶", Decimal("14.00"))]
    assert LandParcel.objects.get(year_id=2025) == kept
    assert sorted((p, g, q) for _b, p, g, _u, q, _pr, _v in rows["lines"]) == [
        ("茶叶", "一级嫩茶", Decimal("5")), ("茶叶", "二级茶", Decimal("0"))]


def test_a_line_keeps_its_plot_in_the_new_year(principal_a_client, tea_a, base_a, next_year):
    ProductionLine.objects.filter(pk=tea_a["lines"][0].pk).update(parcel=tea_a["plot"])
    principal_a_client.post(URL + "?year=2025")
    line = ProductionLine.objects.get(year_id=2025, grade="一级嫩茶")
    assert line.parcel == LandParcel.objects.get(year_id=2025)
    assert ProductionLine.objects.get(year_id=2025, grade="二级茶").parcel is None


def test_locked_target_year_is_refused_with_its_reason(principal_a_client, director_client, principal_a, tea_a,
                                                        next_year, director):
    ReportingYear.objects.filter(pk=2025).update(status="locked", locked_by=director, locked_at=timezone.now())
    next_year.refresh_from_db()
    reason = scoping.write_block_reason(principal_a, school=principal_a.school, year=next_year)
    assert "锁定" in reason
    preview = principal_a_client.get(URL + "?year=2025").content.decode()
    assert escape(reason) in preview and "确认复制" not in preview
    for client in (principal_a_client, director_client):
        response = client.post(URL + f"?year=2025&school={principal_a.school_id}")
        assert response.status_code == 200
        assert 'id="copy-error"' in response.content.decode() and escape(reason) in response.content.decode()
    assert rows_of(2025) == NOTHING


@pytest.mark.parametrize("status", [SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED])
def test_submitted_or_approved_school_is_refused(principal_a_client, principal_a, school_a, tea_a, next_year, status):
    SubmissionFactory(school=school_a, year=next_year, status=status)
    reason = scoping.write_block_reason(principal_a, school=school_a, year=next_year)
    assert reason and "2025" in reason
    response = principal_a_client.post(URL + "?year=2025")
    assert response.status_code == 200
    assert escape(reason) in response.content.decode()
    assert rows_of(2025) == NOTHING


def test_a_row_failing_its_checks_leaves_nothing_half_made(principal_a_client, tea_a, base_a, next_year):
    # An old row from before the "其他 needs a note" rule: the plot is refused by full_clean(),
    # and the declared area copied before it is rolled back with it.
    LandParcel.objects.filter(pk=tea_a["plot"].pk).update(land_type="other", land_type_note="")
    response = principal_a_client.post(URL + "?year=2025")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="copy-error"' in body and "无法复制" in body and "请写明" in body
    assert rows_of(2025) == NOTHING


def test_other_schools_principal_gets_404(principal_b_client, tea_a, school_a, next_year):
    assert principal_b_client.get(URL + f"?year=2025&school={school_a.pk}").status_code == 404
    assert principal_b_client.post(URL + f"?year=2025&school={school_a.pk}").status_code == 404
    assert rows_of(2025) == NOTHING


def test_staff_copy_a_chosen_school_and_auditors_may_not(director_client, auditor_client, tea_a, school_a, base_b,
                                                         next_year):
    chooser = director_client.get(URL + "?year=2025")  # staff choose the school first
    assert chooser.status_code == 200 and 'name="school"' in chooser.content.decode()
    assert director_client.post(URL + "?year=2025").status_code == 404
    chosen = director_client.get(URL + f"?year=2025&school={school_a.pk}")
    assert chosen.status_code == 200 and len(chosen.context["plan"].to_create) == 4
    assert auditor_client.post(URL + f"?year=2025&school={school_a.pk}").status_code == 403
    assert rows_of(2025) == NOTHING
    response = director_client.post(URL + f"?year=2025&school={school_a.pk}")
    assert response["Location"] == reverse("labor_bases:index") + f"?year=2025&school={school_a.pk}"
    assert {b for b, *_rest in rows_of(2025)["plots"]} == {tea_a["plot"].base_id}  # school B's base untouched


def test_inactive_bases_are_not_copied(principal_a_client, tea_a, base_a, next_year):
    base_a.active = False
    base_a.save()
    body = principal_a_client.get(URL + "?year=2025").content.decode()
    assert "已停用的基地不复制：甲校茶园基地" in body
    principal_a_client.post(URL + "?year=2025")
    assert rows_of(2025) == NOTHING


def test_index_offers_the_copy_only_for_an_empty_year_after_a_filled_one(principal_a_client, tea_a, next_year):
    link = URL + "?year=2025"
    assert link in principal_a_client.get(reverse("labor_bases:index") + "?year=2025").content.decode()
    assert URL not in principal_a_client.get(reverse("labor_bases:index") + "?year=2024").content.decode()  # 2023 empty
    principal_a_client.post(link)
    assert URL not in principal_a_client.get(reverse("labor_bases:index") + "?year=2025").content.decode()


def test_index_offers_no_copy_when_the_school_may_not_write(principal_a_client, school_a, tea_a, next_year):
    SubmissionFactory(school=school_a, year=next_year, status=SubmissionStatus.SUBMITTED)
    assert URL not in principal_a_client.get(reverse("labor_bases:index") + "?year=2025").content.decode()


def test_service_refuses_through_scoping(principal_a, school_a, tea_a, next_year):
    SubmissionFactory(school=school_a, year=next_year, status=SubmissionStatus.APPROVED)
    with pytest.raises(PermissionDenied):
        services.year_setup_copy(user=principal_a, school=school_a, target=next_year)
    assert rows_of(2025) == NOTHING
