"""A school's name is unique within its county, its code in the country: two counties may each
have a 第一中学. Every lookup by name stays inside the counties the user reads (or the row's
county), and a name that is ambiguous for a reader of several counties is refused with a
request for the code, never guessed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labor_bases.models import LandParcel
from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from tests.factories import xlsx_upload as xlsx
from workstudy import excel, scoping
from workstudy.models import SCHOOL_NAME_TAKEN, Region, Role, School, Submission, SubmissionStatus

NAME = "第一中学"
TAKEN = str(SCHOOL_NAME_TAKEN)
COUNTS_HEADERS = ["学校", "年度", "教职工人数", "学生人数", "寄宿生人数", "贫困家庭学生人数"]
PLOT_HEADERS = ["学校", "基地名称", "年度", "土地类型", "其他类型说明", "种植/养殖品种", "面积(亩)", "备注"]


@pytest.fixture
def regions(db):
    a = Region.default_county()
    b = Region.objects.create(parent=a.parent, name="余江区", level=Region.Level.COUNTY)
    return {"a": a, "b": b, "city": a.parent, "province": a.parent.parent}


@pytest.fixture
def twins(regions):
    """County A's and county B's 第一中学, each with a draft return for 2024."""
    year = ReportingYearFactory(year=2024)
    a = SchoolFactory(code="GX001", name=NAME, county=regions["a"])
    b = SchoolFactory(code="YJ001", name=NAME, county=regions["b"])
    SubmissionFactory(school=a, year=year)
    SubmissionFactory(school=b, year=year)
    return {"a": a, "b": b, "year": year}


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def staff_of(region, name, **extra):
    return UserFactory(username=name, role=Role.STAFF, region=region, **extra)


def preview(client, kind, headers, rows):
    return client.post(reverse("excel:import", args=[kind]), {"file": xlsx(headers, rows), "year": 2024})


def confirm(client, kind, response):
    assert response.status_code == 200, [str(i) for i in response.context["report"].issues]
    stored = response.context["upload"]
    return client.post(reverse("excel:import", args=[kind]), {"upload_id": stored.pk})


def issues(response) -> str:
    return " ".join(str(i) for i in response.context["report"].issues)


# -- the model ------------------------------------------------------------------------


def test_two_counties_may_each_have_a_school_of_one_name(twins):
    assert School.objects.filter(name=NAME).count() == 2
    twins["b"].full_clean()  # the second is valid, not only stored


def test_a_second_school_of_one_name_in_one_county_is_refused(twins, regions):
    again = School(code="GX002", name=NAME, county=regions["a"], kind="junior")
    with pytest.raises(ValidationError) as caught:
        again.full_clean()
    assert caught.value.message_dict == {"name": [TAKEN]}
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_a_school_keeps_its_own_name_when_changed(twins):
    twins["a"].township = "新街道"
    twins["a"].full_clean()  # its own name is not "another school's"


def test_the_code_stays_unique_in_the_country(twins, regions):
    with pytest.raises(ValidationError) as caught:
        School(code="GX001", name="另一所学校", county=regions["b"], kind="junior").full_clean()
    assert "code" in caught.value.message_dict


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(["第一中学", "第二中学", "实验小学", "中心学校"]), min_size=1, max_size=6),
       counties=st.lists(st.sampled_from("ab"), min_size=6, max_size=6))
def test_a_name_is_refused_exactly_when_its_county_has_it(regions, names, counties):
    """Whatever the order of names and counties: valid unless the same county already has it."""
    with transaction.atomic():
        seen = set()
        for i, (name, county) in enumerate(zip(names, counties, strict=False)):
            school = School(code=f"H{i}", name=name, county=regions[county], kind="junior")
            if (county, name) in seen:
                with pytest.raises(ValidationError) as caught:
                    school.full_clean()
                assert caught.value.message_dict == {"name": [TAKEN]}
            else:
                school.full_clean()
                school.save()
                seen.add((county, name))
        transaction.set_rollback(True)


# -- the page form and the admin --------------------------------------------------------


def _form_data(**extra):
    return {"code": "GX009", "name": NAME, "township": "", "kind": "junior", "area_class": "rural",
            "active": "on", **extra}


def test_page_form_refuses_a_name_of_the_same_county(twins, regions):
    client = client_of(staff_of(regions["a"], "staff_a"))
    response = client.post(reverse("school_new"), _form_data())
    assert response.status_code == 400
    assert response.context["form"].errors == {"name": [TAKEN]}
    assert TAKEN in response.content.decode()
    assert not School.objects.filter(code="GX009").exists()


def test_page_form_creates_the_school_in_the_users_county(regions):
    SchoolFactory(code="YJ001", name=NAME, county=regions["b"])
    client = client_of(staff_of(regions["a"], "staff_a"))
    response = client.post(reverse("school_new"), _form_data())
    assert response.status_code == 302
    assert School.objects.get(code="GX009").county == regions["a"]


def test_page_form_renaming_onto_a_neighbour_is_refused(twins, regions):
    other = SchoolFactory(code="GX002", name="第二中学", county=regions["a"])
    client = client_of(staff_of(regions["a"], "staff_a"))
    response = client.post(reverse("school_edit", args=[other.pk]), _form_data(code="GX002"))
    assert response.status_code == 400 and response.context["form"].errors == {"name": [TAKEN]}
    other.refresh_from_db()
    assert other.name == "第二中学"


def test_page_form_is_a_countys_own(twins, regions):
    """A city's staff read schools and change none (no new school without a county)."""
    client = client_of(staff_of(regions["city"], "city"))
    response = client.post(reverse("school_new"), _form_data(code="C001", name="市直学校"))
    assert response.status_code == 403
    assert str(scoping.READ_ONLY_REGION) in response.content.decode()
    assert not School.objects.filter(code="C001").exists()


def test_admin_refuses_a_name_of_the_same_county(twins, regions):
    client = client_of(staff_of(regions["a"], "staff_a"))
    url = reverse("admin:workstudy_school_add")
    response = client.post(url, _form_data(county=regions["a"].pk))
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    assert not School.objects.filter(code="GX009").exists()
    client.post(url, _form_data(name="第九中学", county=regions["a"].pk))
    assert School.objects.filter(code="GX009").exists()


def test_api_lists_both_schools_to_the_city_and_one_to_each_county(twins, regions):
    """The API names schools by id: the county's staff see their own 第一中学 only."""
    for who, expected in (("a", {"GX001"}), ("b", {"YJ001"}), ("city", {"GX001", "YJ001"})):
        client = client_of(staff_of(regions[who], f"staff_{who}"))
        rows = client.get("/api/schools/", {"page_size": 100}).json()
        rows = rows["results"] if isinstance(rows, dict) else rows
        assert {row["code"] for row in rows if row["name"] == NAME} == expected, who


# -- the Excel import: 学校 column ---------------------------------------------------------


@pytest.mark.parametrize("county", ["a", "b"])
def test_a_countys_staff_import_resolves_the_name_to_their_own_school(twins, regions, county):
    client = client_of(staff_of(regions[county], f"staff_{county}", is_director=True))
    response = preview(client, "school_counts", COUNTS_HEADERS, [[NAME, 2024, 41, 401, 0, 1]])
    assert confirm(client, "school_counts", response).status_code == 302
    mine, other = twins[county], twins["b" if county == "a" else "a"]
    assert Submission.objects.get(school=mine).staff_count == 41
    assert Submission.objects.get(school=other).staff_count == 30  # untouched


def test_a_principals_import_resolves_the_name_to_their_own_school(twins):
    principal = UserFactory(username="principal_b", role=Role.PRINCIPAL, school=twins["b"], is_staff=False)
    client = client_of(principal)
    response = preview(client, "school_counts", COUNTS_HEADERS, [[NAME, 2024, 42, 402, 0, 1]])
    assert confirm(client, "school_counts", response).status_code == 302
    assert Submission.objects.get(school=twins["b"]).staff_count == 42
    assert Submission.objects.get(school=twins["a"]).staff_count == 30


def test_a_name_shared_by_the_citys_counties_is_refused_with_a_request_for_the_code(twins, regions):
    widget = excel.SchoolWidget()
    widget.user = staff_of(regions["city"], "city")
    with pytest.raises(ValueError) as caught:
        widget.clean(NAME)
    message = str(caught.value)
    assert "请改填学校代码" in message and "GX001" in message and "YJ001" in message
    assert widget.clean("YJ001") == twins["b"]
    # The same through the file's prefetched table.
    widget.prefetch([{"学校": NAME}, {"学校": "GX001"}], "学校")
    with pytest.raises(ValueError):
        widget.clean(NAME)
    assert widget.clean("GX001") == twins["a"]


def test_a_code_wins_over_another_schools_name(twins, regions):
    """A cell that is one school's code and another's name names the school of that code."""
    trap = SchoolFactory(code="GX005", name="YJ001", county=regions["a"])
    widget = excel.SchoolWidget()
    widget.user = staff_of(regions["city"], "city")
    assert widget.clean("YJ001") == twins["b"]
    widget.prefetch([{"学校": "YJ001"}], "学校")
    assert widget.clean("YJ001") == twins["b"]
    assert trap.name == "YJ001"


def test_the_citys_upload_by_name_saves_nothing(twins, regions):
    client = client_of(staff_of(regions["city"], "city", is_director=True))
    response = preview(client, "school_counts", COUNTS_HEADERS, [[NAME, 2024, 43, 403, 0, 1]])
    assert "请改填学校代码" in issues(response)
    assert set(Submission.objects.values_list("staff_count", flat=True)) == {30}


def test_the_template_lists_a_shared_name_by_its_codes_for_the_city(twins, regions):
    widget = excel.SchoolWidget()
    widget.user = staff_of(regions["city"], "city")
    assert widget.template_choices() == ["GX001", "YJ001"]
    widget.user = staff_of(regions["a"], "staff_a")
    assert widget.template_choices() == [NAME]


# -- the Excel import: a base named by 学校 + 基地名称 ---------------------------------------


@pytest.fixture
def bases(twins):
    from tests.labor_bases.factories import LaborBaseFactory

    return {"a": LaborBaseFactory(school=twins["a"], name="茶园基地"),
            "b": LaborBaseFactory(school=twins["b"], name="茶园基地")}


@pytest.mark.parametrize("county", ["a", "b"])
def test_a_countys_plot_import_finds_its_own_schools_base(bases, regions, county):
    client = client_of(staff_of(regions[county], f"staff_{county}"))
    response = preview(client, "labor_plots", PLOT_HEADERS, [[NAME, "茶园基地", 2024, "茶园", "", "茶", 12, ""]])
    assert confirm(client, "labor_plots", response).status_code == 302
    plot = LandParcel.objects.get()
    assert plot.base == bases[county] and plot.area_mu == Decimal("12.00")


def test_the_citys_plot_import_asks_for_the_code(bases, regions):
    from labor_bases.resources import BaseWidget

    widget = BaseWidget()
    widget.user = staff_of(regions["city"], "city")
    with pytest.raises(ValueError) as caught:
        widget.clean("茶园基地", row={"学校": NAME})
    assert "请改填学校代码" in str(caught.value)
    assert widget.clean("茶园基地", row={"学校": "YJ001"}) == bases["b"]
    widget.prefetch([{"学校": NAME, "基地名称": "茶园基地"}, {"学校": "GX001", "基地名称": "茶园基地"}], "基地名称")
    with pytest.raises(ValueError):
        widget.clean("茶园基地", row={"学校": NAME})
    assert widget.clean("茶园基地", row={"学校": "GX001"}) == bases["a"]


# -- the reopen form: schools typed by code or name ----------------------------------------


def test_reopen_list_by_name_stays_in_the_users_counties(twins, regions, monkeypatch):
    from workstudy.views import ReopenSchoolsForm

    monkeypatch.setattr(ReopenSchoolsForm, "LIST_LIMIT", 0)  # the typed list, as for a province
    Submission.objects.update(status=SubmissionStatus.SUBMITTED)
    for county in ("a", "b"):
        form = ReopenSchoolsForm({"which": "chosen", "schools": NAME, "reason": "核对"}, year=twins["year"],
                                 user=staff_of(regions[county], f"staff_{county}"))
        assert form.is_valid(), form.errors
        assert [s.pk for s in form.cleaned_data["schools"]] == [twins[county].pk]


def test_reopen_list_by_a_shared_name_asks_the_city_for_the_code(twins, regions, monkeypatch):
    from workstudy.views import ReopenSchoolsForm

    monkeypatch.setattr(ReopenSchoolsForm, "LIST_LIMIT", 0)
    Submission.objects.update(status=SubmissionStatus.SUBMITTED)
    city = staff_of(regions["city"], "city")
    form = ReopenSchoolsForm({"which": "chosen", "schools": NAME, "reason": "核对"}, year=twins["year"], user=city)
    assert not form.is_valid()
    assert "请改填学校代码" in " ".join(form.errors["schools"])
    form = ReopenSchoolsForm({"which": "chosen", "schools": "YJ001", "reason": "核对"}, year=twins["year"], user=city)
    assert form.is_valid(), form.errors
    assert [s.pk for s in form.cleaned_data["schools"]] == [twins["b"].pk]


# -- warnings ----------------------------------------------------------------------------


def test_a_countys_warnings_never_reach_the_other_countys_namesake(twins, regions):
    """County B's 第一中学 has a warning (a canteen service, but no canteen in its basic data);
    county A's summary, review screen and staff grid never show it: warnings follow the school's
    id, never its name."""
    from reports.figures import quality_lists
    from tests.logistics.factories import SchoolServiceFactory
    from workstudy import rules

    School.objects.filter(pk=twins["b"].pk).update(has_canteen=False)
    SchoolServiceFactory(school=twins["b"], year=twins["year"], kind="canteen")
    found = [f for f in rules.findings(2024) if f.rule.code.startswith("LOG") and f.school_name == NAME]
    assert [f.school_id for f in found] == [twins["b"].pk]
    own_a, _pending = quality_lists(2024, counties=[regions["a"].pk])
    own_b, _pending = quality_lists(2024, counties=[regions["b"].pk])
    assert not [f for f in own_a if f.school_name == NAME]
    assert [f.school_id for f in own_b if f.school_name == NAME] == [twins["b"].pk]
    assert not [f for f in rules.findings(2024, twins["a"].pk) if f.rule.code.startswith("LOG")]
    # The staff grid of county A counts no warning on its 第一中学.
    client = client_of(staff_of(regions["a"], "staff_a"))
    response = client.get(reverse("dashboard"), {"year": 2024})
    assert response.status_code == 200
    assert "没有学生食堂" not in response.content.decode()


def test_the_labor_base_overview_lists_only_the_users_schools_warnings(twins, regions):
    """County B's 第一中学's plots do not add up to its base's declared area: county B's staff
    read the warning on the labor-base overview, county A's staff (whose 第一中学 has a base of
    the same name) never do."""
    from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory

    LaborBaseFactory(school=twins["a"], name="茶园基地", declared_total_mu=Decimal("12"))
    base_b = LaborBaseFactory(school=twins["b"], name="茶园基地", declared_total_mu=Decimal("10"))
    LandParcelFactory(base=base_b, year=twins["year"], land_type="tea", crop="茶", area_mu=Decimal("25"))
    pages = {}
    for county in ("a", "b"):
        client = client_of(staff_of(regions[county], f"staff_{county}"))
        response = client.get(reverse("labor_bases:index"), {"year": 2024})
        assert response.status_code == 200
        pages[county] = list(response.context["findings"])
    assert not pages["a"]
    assert [f.school_id for f in pages["b"]] == [twins["b"].pk]
    assert "基地申报总面积" in pages["b"][0].message
