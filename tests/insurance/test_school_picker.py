"""Insurance pages at province size: the school picker on the claim list and forms, schools
without coverage counted (not listed in full), and query counts that do not grow with schools."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from insurance.models import Claim, InsurancePolicy, StudentAccidentCoverage
from tests.factories import SchoolFactory
from tests.insurance.factories import ClaimFactory, CoverageFactory
from tests.insurance.test_views import COVERAGE, REPORT

pytestmark = pytest.mark.django_db

CLAIMS = reverse("insurance:claim_list")


@pytest.fixture
def picker(settings):
    """Force the text input (the province case) with only a handful of schools."""
    settings.SCHOOL_PICKER_THRESHOLD = 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_claim_list_filter_is_a_text_input_above_the_threshold(picker, director_client, claim_a, claim_b):
    body = director_client.get(CLAIMS + "?year=2024").content.decode()
    assert '<input type="text" name="school"' in body and 'data-picker="school"' in body
    assert '<select name="school"' not in body


def test_claim_list_filter_is_a_select_below_the_threshold(director_client, claim_a, claim_b, school_a):
    body = director_client.get(CLAIMS + "?year=2024").content.decode()
    assert '<select name="school"' in body and f'<option value="{school_a.pk}">A001 甲校樟坪</option>' in body


def test_claim_list_filters_by_typed_code_name_or_id(picker, director_client, claim_a, claim_b, school_b):
    for value in ("B001", "乙校SECRETB", "B001 乙校SECRETB", str(school_b.pk)):
        response = director_client.get(CLAIMS, {"year": 2024, "school": value})
        assert list(response.context["object_list"]) == [claim_b], value
        assert 'value="B001 乙校SECRETB"' in response.content.decode()
        # Export and paging links carry the school as its id.
        assert f"school={school_b.pk}" in response.context["querystring"]


def test_claim_list_bad_school_shows_a_message_and_no_claims(picker, director_client, claim_a, claim_b):
    response = director_client.get(CLAIMS, {"year": 2024, "school": "没有这所学校"})
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []
    assert "未找到学校“没有这所学校”，请输入学校代码或完整校名。" in response.content.decode()


def test_claim_export_uses_the_typed_school(picker, director_client, claim_a, claim_b):
    response = director_client.get(reverse("insurance:claim_export"), {"year": 2024, "school": "B001"})
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True))
    body = [r for r in rows[1:] if any(r)]
    assert len(body) == 1 and any("乙校SECRETB" in str(c) for c in body[0])


@pytest.mark.parametrize("threshold", [1, 1000])
def test_query_count_does_not_grow_with_schools(settings, threshold, director_client, claim_a, claim_b):
    settings.SCHOOL_PICKER_THRESHOLD = threshold
    urls = [CLAIMS + "?year=2024", CLAIMS + "?year=2024&school=B001", reverse("insurance:index") + "?year=2024",
            reverse("insurance:claim_new"), reverse("insurance:coverage_new") + "?year=2024"]
    before = [_queries(director_client, u)[0] for u in urls]
    for n in range(40):
        SchoolFactory(code=f"P{n:03d}", name=f"新增学校{n}")
    after = [_queries(director_client, u)[0] for u in urls]
    assert after == before


def test_index_counts_schools_without_coverage_and_names_only_the_first(director_client, year, school_a, school_b):
    CoverageFactory(school=school_a, year=year)
    for n in range(25):
        SchoolFactory(code=f"N{n:03d}", name=f"未填学校{n:02d}")
    SchoolFactory(code="Z999", name="停用学校", active=False)
    body = director_client.get(reverse("insurance:index") + "?year=2024").content.decode()
    missing_url = reverse("insurance:coverage_missing") + "?year=2024"
    assert "26 所</a>" in body  # school B and the 25 new ones; not the inactive one
    assert "乙校SECRETB" in body and "未填学校18" in body  # the first 20 by code
    assert "未填学校19" not in body and "停用学校" not in body
    assert missing_url in body and "等，查看全部 26 所" in body


def test_missing_coverage_page_lists_all_paged(director_client, auditor_client, year, school_a, school_b):
    CoverageFactory(school=school_a, year=year)
    for n in range(120):
        SchoolFactory(code=f"N{n:03d}", name=f"未填学校{n:03d}")
    url = reverse("insurance:coverage_missing")
    first = director_client.get(url, {"year": 2024})
    assert first.context["paginator"].count == 121
    assert "乙校SECRETB" in first.content.decode() and "甲校樟坪" not in first.content.decode()
    second = auditor_client.get(url, {"year": 2024, "page": 2})
    assert "未填学校119" in second.content.decode()


def test_staff_reports_a_claim_typing_the_school(picker, director_client, school_a, school_b, county_student_policy,
                                                 submission_a):
    response = director_client.post(reverse("insurance:claim_new"), {**REPORT, "school": "甲校樟坪"})
    assert response.status_code == 302
    assert Claim.objects.get().school == school_a
    response = director_client.post(reverse("insurance:claim_new"), {**REPORT, "school": "没有"})
    assert response.status_code == 200
    assert "未找到学校“没有”，请输入学校代码或完整校名。" in response.content.decode()
    assert Claim.objects.count() == 1


def test_claim_edit_shows_the_school_as_code_and_name(picker, director_client, school_a, school_b,
                                                      county_student_policy, submission_a):
    claim = ClaimFactory(school=school_a, policy=county_student_policy)
    body = director_client.get(reverse("insurance:claim_edit", args=[claim.pk])).content.decode()
    assert 'value="A001 甲校樟坪"' in body


def test_staff_enters_coverage_typing_the_school_code(picker, director_client, school_a, school_b, year, submission_a):
    url = reverse("insurance:coverage_new") + "?year=2024"
    response = director_client.post(url, {**COVERAGE, "school": "a001"})
    assert response.status_code == 302, response.content.decode()
    assert StudentAccidentCoverage.objects.get().school == school_a


def test_staff_policy_form_typed_school_or_empty_for_county_wide(picker, director_client, school_a, school_b, year,
                                                                  insurer):
    data = {
        "year": 2024, "policy_no": "P-TYPED-1", "policy_type": "liability", "insurer": insurer.pk,
        "coverage_start": "2024-01-01", "coverage_end": "2024-12-31", "per_accident_limit": "100000.00",
        "per_person_limit": "50000.00", "premium_total": "1000.00",
    }
    body = director_client.get(reverse("insurance:policy_new")).content.decode()
    assert '<input type="text" name="school"' in body
    assert director_client.post(reverse("insurance:policy_new"), {**data, "school": "B001"}).status_code == 302
    assert InsurancePolicy.objects.get(policy_no="P-TYPED-1").school == school_b
    data["policy_no"] = "P-COUNTY-1"
    assert director_client.post(reverse("insurance:policy_new"), {**data, "school": ""}).status_code == 302
    assert InsurancePolicy.objects.get(policy_no="P-COUNTY-1").school is None


def test_index_shows_the_first_policies_and_links_to_the_rest(director_client, year, insurer, school_a):
    from insurance import views
    from tests.insurance.factories import PolicyFactory

    for n in range(views.POLICIES_SHOWN + 3):
        PolicyFactory(year=year, insurer=insurer, policy_no=f"PX-{n:03d}", policy_type="liability")
    response = director_client.get(reverse("insurance:index") + "?year=2024")
    body = response.content.decode()
    assert len(response.context["policies"]) == views.POLICIES_SHOWN
    assert "PX-049" in body and "PX-050" not in body
    assert f"以上为前 {views.POLICIES_SHOWN} 份，查看全部 {views.POLICIES_SHOWN + 3} 份保单" in body


def test_index_claim_count_per_policy(director_client, claim_a, claim_b, county_student_policy):
    response = director_client.get(reverse("insurance:index") + "?year=2024")
    policy = next(p for p in response.context["policies"] if p.pk == county_student_policy.pk)
    assert policy.claim_count == 2
