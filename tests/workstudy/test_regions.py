"""Regions (province → city → county) and what they decide in :mod:`workstudy.scoping`."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from enterprises.models import Enterprise
from tests.enterprises.factories import EnterpriseFactory
from tests.factories import SchoolFactory, SubmissionFactory, UserFactory
from workstudy import scoping, services
from workstudy.models import Region, Role, School, SubmissionStatus


@pytest.fixture
def tree(db):
    county_a = Region.default_county()  # 江西省 → 鹰潭市 → 贵溪市
    city = county_a.parent
    county_b = Region.objects.create(parent=city, name="余江区", level=Region.Level.COUNTY)
    other_city = Region.objects.create(parent=city.parent, name="上饶市", level=Region.Level.CITY)
    county_c = Region.objects.create(parent=other_city, name="广丰区", level=Region.Level.COUNTY)
    return {"a": county_a, "b": county_b, "c": county_c, "city": city, "other_city": other_city, "province": city.parent}


@pytest.fixture
def schools(tree):
    return {key: SchoolFactory(code=f"R{key}", name=f"区域测试学校{key}", county=tree[key]) for key in ("a", "b", "c")}


def staff(tree, key, **extra):
    return UserFactory(username=f"staff_{key}", role=Role.STAFF, region=tree[key], is_director=True, **extra)


def test_paths_make_the_tree(tree):
    assert tree["province"].path and tree["a"].path.startswith(tree["city"].path)
    assert tree["city"].path.startswith(tree["province"].path)
    assert sorted(tree["city"].county_ids()) == sorted([tree["a"].pk, tree["b"].pk])
    assert sorted(tree["province"].county_ids()) == sorted([tree["a"].pk, tree["b"].pk, tree["c"].pk])
    assert tree["a"].county_ids() == [tree["a"].pk]
    assert tree["city"].contains(tree["b"]) and not tree["other_city"].contains(tree["b"])


def test_levels_are_checked(tree):
    with pytest.raises(ValidationError) as exc:
        Region(parent=tree["province"], name="错层县", level=Region.Level.COUNTY).full_clean()
    assert "level" in exc.value.message_dict
    with pytest.raises(ValidationError):
        School(code="X1", name="直属学校", kind="junior", county=tree["city"]).full_clean()


def test_bureau_users_need_a_region_and_principals_have_none(tree, schools):
    with pytest.raises(ValidationError) as exc:
        UserFactory.build(username="nobody", role=Role.STAFF, region=None).full_clean()
    assert "region" in exc.value.message_dict
    with pytest.raises(ValidationError):
        UserFactory.build(username="p", role=Role.PRINCIPAL, school=schools["a"], region=tree["a"]).full_clean()


def test_each_user_reads_their_subtree(tree, schools):
    seen = {
        key: set(scoping.schools_for(staff(tree, key)).values_list("code", flat=True))
        for key in ("a", "b", "city", "other_city", "province")
    }
    assert seen["a"] == {"Ra"}
    assert seen["b"] == {"Rb"}
    assert seen["city"] == {"Ra", "Rb"}
    assert seen["other_city"] == {"Rc"}
    assert seen["province"] == {"Ra", "Rb", "Rc"}
    auditor = UserFactory(username="aud_b", role=Role.AUDITOR, region=tree["b"])
    assert list(scoping.schools_for(auditor)) == [schools["b"]]
    # A bureau user without a region reads nothing.
    lost = UserFactory(username="lost", role=Role.STAFF, region=None)
    assert not scoping.schools_for(lost).exists()


def test_bureau_level_rows_follow_their_county(tree, schools):
    mine = EnterpriseFactory(name="甲县企业", county=tree["a"])
    theirs = EnterpriseFactory(name="乙县企业", county=tree["b"])
    assert list(scoping.visible(staff(tree, "a"), Enterprise)) == [mine]
    assert list(scoping.visible(staff(tree, "b"), Enterprise)) == [theirs]
    assert set(scoping.visible(staff(tree, "city"), Enterprise)) == {mine, theirs}
    assert not scoping.visible(staff(tree, "other_city"), Enterprise).exists()


def test_only_a_countys_staff_write_its_rows(tree, schools, year):
    submission_b = SubmissionFactory(school=schools["b"], year=year)
    enterprise_b = EnterpriseFactory(name="乙县企业", county=tree["b"])
    assert scoping.obj_write_block_reason(staff(tree, "b"), submission_b) is None
    assert scoping.obj_write_block_reason(staff(tree, "b"), enterprise_b) is None
    for key in ("city", "province"):
        user = staff(tree, key)
        assert scoping.obj_write_block_reason(user, submission_b) == str(scoping.READ_ONLY_REGION)
        assert scoping.obj_write_block_reason(user, enterprise_b) == str(scoping.READ_ONLY_REGION)
        assert scoping.obj_write_block_reason(user, schools["b"]) == str(scoping.READ_ONLY_REGION)
        assert not scoping.editable(user, Enterprise).exists()
        assert not user.can_approve
    # Another county's row: not even readable.
    assert scoping.obj_write_block_reason(staff(tree, "a"), submission_b) is not None
    assert scoping.write_block_reason(staff(tree, "a"), school=schools["b"], year=year) == str(scoping.OTHER_COUNTY)


def test_workflow_is_a_countys_own(tree, schools, year):
    submission_b = SubmissionFactory(school=schools["b"], year=year, status=SubmissionStatus.SUBMITTED)
    for key in ("a", "city"):
        with pytest.raises(PermissionDenied):
            services.submission_approve(user=staff(tree, key), submission=submission_b)
    submission_b.refresh_from_db()
    assert submission_b.status == SubmissionStatus.SUBMITTED
    services.submission_approve(user=staff(tree, "b"), submission=submission_b)
    submission_b.refresh_from_db()
    assert submission_b.status == SubmissionStatus.APPROVED


def test_a_new_bureau_row_belongs_to_its_creators_county(tree):
    client = Client()
    client.force_login(staff(tree, "b"))
    response = client.post(
        reverse("enterprise-list"),
        data={
            "name": "乙县新企业",
            "kind": "other",
            "sponsor_label": "勤工办",
            "ownership": "collective",
            "industry": "印刷",
            "founded_year": 2001,
            "status": "operating",
            "form": "factory",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert Enterprise.objects.get(name="乙县新企业").county == tree["b"]
    # City staff create nothing: refused with the read-only message.
    client.force_login(staff(tree, "city"))
    response = client.post(
        reverse("enterprise-list"),
        data={
            "name": "市级企业",
            "kind": "other",
            "sponsor_label": "勤工办",
            "ownership": "collective",
            "industry": "印刷",
            "founded_year": 2001,
            "status": "operating",
            "form": "factory",
        },
        content_type="application/json",
    )
    assert response.status_code == 403
    assert str(scoping.READ_ONLY_REGION) in response.content.decode()
    assert not Enterprise.objects.filter(name="市级企业").exists()


def test_admin_school_form_offers_only_the_users_county(tree, schools):
    client = Client()
    client.force_login(staff(tree, "a"))
    url = reverse("admin:workstudy_school_add")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "贵溪市" in body and "余江区" not in body
    data = {"code": "NEW1", "name": "新建学校", "kind": "junior", "area_class": "rural", "active": "on"}
    client.post(url, data={**data, "county": tree["b"].pk})
    assert not School.objects.filter(code="NEW1").exists()  # another county: not a valid choice
    client.post(url, data={**data, "county": tree["a"].pk})
    assert School.objects.get(code="NEW1").county == tree["a"]
    # The city's staff see the schools of both counties and add none.
    client.force_login(staff(tree, "city"))
    assert client.get(url).status_code == 403
    listing = client.get(reverse("admin:workstudy_school_changelist")).content.decode()
    assert "区域测试学校a" in listing and "区域测试学校b" in listing and "区域测试学校c" not in listing
