"""Named rules LOG-xx: errors block saving (model clean), warnings are found by year checks."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from logistics.models import ExamLodgingProgram, ExamSite, SalesLine, SchoolService, Shop
from tests.factories import ReportingYearFactory, SchoolFactory
from tests.logistics.factories import (
    CentreYearFiguresFactory,
    ExamSiteFactory,
    SalesLineFactory,
    SchoolServiceFactory,
    ServiceCentreFactory,
    ShopFactory,
)
from workstudy import rules as core_rules


def _codes(exc: ValidationError, field: str) -> list[str]:
    return [e.code for e in exc.error_dict[field]]


def _messages(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


def findings(code, year=2024, school_id=None):
    return [f for f in core_rules.findings(year, school_id) if f.rule.code == code]


# ---------------------------------------------------------------- errors


def test_site_beds_must_cover_candidates(program, school_a):
    site = ExamSite(program=program, host_school=school_a, candidates=300, beds=299)
    with pytest.raises(ValidationError) as exc:
        site.full_clean()
    assert _codes(exc.value, "beds") == ["LOG-01"]
    assert "299" in _messages(exc.value, "beds") and "300" in _messages(exc.value, "beds")
    site.beds = 300
    site.full_clean()


def test_programme_total_beds_must_cover_candidates(year, centre):
    program = ExamLodgingProgram(
        year=year, operator=centre, candidates_lodged=700, beds=650, fee_per_candidate=Decimal("250"),
        revenue=Decimal("175000"), cost=Decimal("100000"),
    )
    with pytest.raises(ValidationError) as exc:
        program.full_clean()
    assert _codes(exc.value, "beds") == ["LOG-01"]
    assert "一人一床" in _messages(exc.value, "beds")


@pytest.mark.parametrize("dorm,canteen,missing", [(False, True, "学生公寓"), (True, False, "学生食堂"),
                                                   (False, False, "学生公寓、学生食堂")])
def test_host_school_needs_dormitory_and_canteen(program, dorm, canteen, missing):
    school = SchoolFactory(name="无宿舍小学", has_dormitory=dorm, has_canteen=canteen)
    site = ExamSite(program=program, host_school=school, candidates=100, beds=100)
    with pytest.raises(ValidationError) as exc:
        site.full_clean()
    assert _codes(exc.value, "host_school") == ["LOG-02"]
    assert _messages(exc.value, "host_school") == f"无宿舍小学没有{missing}，不能作为中考食宿考点。"


@pytest.mark.parametrize("field", ["revenue", "cost", "fee_per_candidate", "family_cost_before"])
def test_exam_money_non_negative(program, field):
    setattr(program, field, Decimal("-1.00"))
    with pytest.raises(ValidationError) as exc:
        program.full_clean()
    assert "CORE-01" in _codes(exc.value, field)
    assert "应在 0 至" in _messages(exc.value, field)


def test_centre_cost_and_sales_non_negative(year, centre):
    figures = CentreYearFiguresFactory.build(centre=centre, year=year, cost=Decimal("-5"))
    with pytest.raises(ValidationError) as exc:
        figures.full_clean()
    assert "CORE-01" in _codes(exc.value, "cost")
    line = SalesLine(centre=centre, year=year, category="stationery", customer_kind="school", amount=Decimal("-0.01"))
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert "CORE-01" in _codes(exc.value, "amount")


def test_sales_line_shop_must_sell_category_and_belong_to_centre(year, centre):
    shop = ShopFactory(centre=centre, name="文具店", categories="stationery", opened_year=2012)
    line = SalesLine(centre=centre, year=year, shop=shop, category="sportswear", customer_kind="school",
                     amount=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert _codes(exc.value, "category") == ["LOG-09"]
    assert "文具店" in _messages(exc.value, "category") and "运动服装" in _messages(exc.value, "category")
    other = ServiceCentreFactory(name="别的中心")
    line = SalesLine(centre=other, year=year, shop=shop, category="stationery", customer_kind="school",
                     amount=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert _codes(exc.value, "shop") == ["LOG-08"]


def test_sales_before_shop_opened_refused(year, centre):
    shop = ShopFactory(centre=centre, name="新店", opened_year=2025)
    line = SalesLine(centre=centre, year=year, shop=shop, category="stationery", customer_kind="school",
                     amount=Decimal("10"))
    with pytest.raises(ValidationError) as exc:
        line.full_clean()
    assert _codes(exc.value, "shop") == ["LOG-10"]


def test_shop_categories_validated_and_normalised(centre):
    shop = Shop(centre=centre, name="店", categories="bogus")
    with pytest.raises(ValidationError) as exc:
        shop.full_clean()
    assert _codes(exc.value, "categories") == ["LOG-07"]
    shop.categories = "sportswear, stationery"
    shop.full_clean()
    assert shop.categories == "stationery,sportswear"
    assert shop.category_labels == ["文化办公用品", "运动服装"]


def test_contracted_service_needs_operator(school_a, year):
    service = SchoolService(school=school_a, year=year, kind="canteen", mode="contracted", operator="  ")
    with pytest.raises(ValidationError) as exc:
        service.full_clean()
    assert _codes(exc.value, "operator") == ["LOG-11"]
    assert "承包" in _messages(exc.value, "operator")
    service.mode = "self_run"
    service.full_clean()


def test_investment_not_before_founding(centre):
    from logistics.models import CapitalInvestment

    inv = CapitalInvestment(centre=centre, year=2010, kind="warehouse_store", amount=Decimal("1"))
    with pytest.raises(ValidationError) as exc:
        inv.full_clean()
    assert _codes(exc.value, "year") == ["LOG-12"]


# -------------------------------------------------------------- warnings


def test_site_sum_warning(program, school_a, school_b):
    ExamSiteFactory(program=program, host_school=school_a, candidates=250, beds=260)
    ExamSiteFactory(program=program, host_school=school_b, candidates=300, beds=310)
    found = findings("LOG-04")
    assert len(found) == 1
    assert "550" in found[0].message and "600" in found[0].message
    assert findings("LOG-04", school_id=school_a.pk) == []  # a bureau warning, not a school's
    ExamSiteFactory(program=program, host_school=SchoolFactory(), candidates=50, beds=50)
    assert findings("LOG-04") == []


def test_urban_sites_warning(program):
    rural = [SchoolFactory(area_class="rural") for _ in range(2)]
    for school in rural:
        ExamSiteFactory(program=program, host_school=school, candidates=100, beds=100)
    found = findings("LOG-05")
    assert len(found) == 1 and "城区学校 0 个" in found[0].message
    urban = [SchoolFactory(area_class="urban") for _ in range(2)]
    for school in urban:
        ExamSiteFactory(program=program, host_school=school, candidates=100, beds=100)
    found = findings("LOG-05")  # 4 sites: more than 3
    assert len(found) == 1 and "4 个" in found[0].message


def test_two_urban_sites_no_warning(program):
    for _ in range(2):
        ExamSiteFactory(program=program, host_school=SchoolFactory(area_class="urban"), candidates=300, beds=310)
    assert findings("LOG-05") == []


def test_fee_times_candidates_warning(program):
    # 600 x 250 = 150000 exactly
    assert findings("LOG-06") == []
    ExamLodgingProgram.objects.filter(pk=program.pk).update(revenue=Decimal("150001.00"))
    assert findings("LOG-06") == []  # within 1 元
    ExamLodgingProgram.objects.filter(pk=program.pk).update(revenue=Decimal("150001.01"))
    found = findings("LOG-06")
    assert len(found) == 1 and "150,000.00" in found[0].message


def test_remitted_more_than_revenue_warning(year, centre):
    CentreYearFiguresFactory(centre=centre, year=year, remitted_to_education=Decimal("5000"))
    SalesLineFactory(centre=centre, year=year, amount=Decimal("4000"))
    assert len(findings("LOG-13")) == 1
    SalesLineFactory(centre=centre, year=year, amount=Decimal("1000"), customer_kind="society")
    assert findings("LOG-13") == []


def test_service_facility_warning(year):
    school = SchoolFactory(name="无食堂小学", has_canteen=False, has_dormitory=False)
    SchoolServiceFactory(school=school, year=year, kind="canteen")
    SchoolServiceFactory(school=school, year=year, kind="shop")
    found = findings("LOG-14", school_id=school.pk)
    assert len(found) == 1
    assert found[0].school_id == school.pk and "无食堂小学" in found[0].message and "学生食堂" in found[0].message


def test_year_checks_run_in_constant_queries(django_assert_max_num_queries, program):
    for _ in range(5):
        ExamSiteFactory(program=program, host_school=SchoolFactory(area_class="rural"), candidates=10, beds=5 + 10)
    ReportingYearFactory(year=2023)
    checks = [r for r in core_rules.RULES.values() if r.module == "logistics" and r.year_check]
    assert len(checks) == 5
    with django_assert_max_num_queries(len(checks) + 3):
        for r in checks:
            list(r.year_check(2024, None))
