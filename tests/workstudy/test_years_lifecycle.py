"""Years: opening (only the next year, with a confirmation step), deleting an
empty year, the year in progress as the default, reopening with the schools to give back."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import ReportingYearFactory, SubmissionFactory
from tests.labor_bases.factories import LaborBaseFactory, LandParcelFactory
from workstudy import scoping, services
from workstudy.models import ReportingYear, Submission, SubmissionStatus, WorkflowEvent

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# Opening ---------------------------------------------------------------------


def test_only_the_year_after_the_latest_may_be_opened(director, year, school_a):
    with pytest.raises(ValidationError) as exc:
        services.year_create(user=director, year=2099)
    assert "只能开放最新年度的下一年（2025 年度），不能开放 2099 年度" in str(exc.value)
    with pytest.raises(ValidationError):
        services.year_create(user=director, year=2023)  # an earlier year is not "next" either
    assert not ReportingYear.objects.filter(pk__in=[2023, 2099]).exists()
    opened = services.year_create(user=director, year=2025)
    assert opened.year == 2025
    assert Submission.objects.filter(year=opened, school=school_a).exists()
    with pytest.raises(ValidationError) as exc:
        services.year_create(user=director, year=2025)
    assert "2025 年度已经开放" in str(exc.value)


def test_opening_2099_through_the_page_is_refused_with_a_message(director_client, year):
    response = director_client.post(reverse("year_create"), {"year": 2099, "confirm": "yes"}, follow=True)
    assert not ReportingYear.objects.filter(pk=2099).exists()
    assert any("只能开放最新年度的下一年（2025 年度）" in m for m in _messages(response))


def test_opening_asks_for_confirmation_first(director_client, year):
    page = director_client.get(reverse("year_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "确定开放 2025 年度吗" in html and 'name="confirm" value="yes"' in html
    # A post without the confirmation (an old form, a script) opens nothing and shows the step.
    response = director_client.post(reverse("year_create"), {"year": 2025})
    assert response.status_code == 302 and response["Location"] == reverse("year_create")
    assert not ReportingYear.objects.filter(pk=2025).exists()
    response = director_client.post(reverse("year_create"), {"year": 2025, "confirm": "yes"}, follow=True)
    assert ReportingYear.objects.filter(pk=2025, status="open").exists()
    assert any("2025 年度已开放填报" in m for m in _messages(response))


def test_years_page_offers_the_next_year_only(director_client, year):
    html = director_client.get(reverse("years")).content.decode()
    assert "下一个可开放的年度：2025" in html
    assert 'name="year"' not in html  # no free year box any more


def test_clerk_cannot_open_a_year(clerk_client, year):
    response = clerk_client.post(reverse("year_create"), {"year": 2025, "confirm": "yes"}, follow=True)
    assert not ReportingYear.objects.filter(pk=2025).exists()
    assert any("只有勤工办主任" in m for m in _messages(response))


# Deleting --------------------------------------------------------------------


def test_an_empty_year_can_be_deleted_after_confirmation(director_client, director, year, school_a, school_b):
    services.year_create(user=director, year=2025)
    assert Submission.objects.filter(year_id=2025).count() == 2
    page = director_client.get(reverse("year_action", kwargs={"year": 2025, "action": "delete"}))
    assert page.status_code == 200 and "确认删除 2025 年度" in page.content.decode()
    # Without the confirmation nothing is deleted.
    director_client.post(reverse("year_action", kwargs={"year": 2025, "action": "delete"}))
    assert ReportingYear.objects.filter(pk=2025).exists()
    response = director_client.post(
        reverse("year_action", kwargs={"year": 2025, "action": "delete"}), {"confirm": "yes"}, follow=True
    )
    assert not ReportingYear.objects.filter(pk=2025).exists()
    assert not Submission.objects.filter(year_id=2025).exists()
    assert any("2025 年度已删除" in m for m in _messages(response))
    # And the next year to open is 2025 again.
    assert services.next_year_to_open() == 2025


def test_a_year_with_data_cannot_be_deleted(director_client, director, year, school_a):
    services.year_create(user=director, year=2025)
    base = LaborBaseFactory(school=school_a, name="甲校茶园")
    LandParcelFactory(base=base, year=ReportingYear.objects.get(pk=2025))
    page = director_client.get(reverse("year_action", kwargs={"year": 2025, "action": "delete"}))
    html = page.content.decode()
    assert "2025 年度已有数据" in html and "不能删除" in html
    assert "确认删除" not in html
    response = director_client.post(
        reverse("year_action", kwargs={"year": 2025, "action": "delete"}), {"confirm": "yes"}, follow=True
    )
    assert ReportingYear.objects.filter(pk=2025).exists()
    assert any("2025 年度已有数据" in m for m in _messages(response))


def test_a_year_with_entered_counts_cannot_be_deleted(director, year, school_a):
    services.year_create(user=director, year=2025)
    Submission.objects.filter(year_id=2025, school=school_a).update(staff_count=3)
    with pytest.raises(ValidationError) as exc:
        services.year_delete(user=director, year=ReportingYear.objects.get(pk=2025))
    assert "学校年度填报 1 条" in str(exc.value)


def test_a_locked_year_cannot_be_deleted(director, year):
    year.status = ReportingYear.Status.LOCKED
    year.save()
    with pytest.raises(ValidationError):
        services.year_delete(user=director, year=year)
    assert ReportingYear.objects.filter(pk=2024).exists()


# The year in progress -----------------------------------------------------------


@pytest.fixture
def future_year(db):
    """An empty future year, opened by mistake (2099 is after any calendar year we run in)."""
    return ReportingYearFactory(year=2099)


def test_an_empty_future_year_is_never_the_default(year, future_year, submission_a, principal_a_client, director_client):
    assert scoping.current_year().year == 2024
    SubmissionFactory(school=submission_a.school, year=future_year, staff_count=None, student_count=None,
                      poor_student_count=None)
    assert scoping.current_year().year == 2024  # a blank return is not data
    response = principal_a_client.get(reverse("dashboard"))
    assert response.context["year"].year == 2024
    for name in ("dashboard", "schools", "labor_bases:index"):
        response = director_client.get(reverse(name))
        assert response.context["year"].year == 2024, name
    # The picker still lists 2099 for whoever wants it.
    assert 'value="2099"' in director_client.get(reverse("labor_bases:index")).content.decode()


def test_a_future_year_with_data_becomes_the_year_in_progress(year, future_year, school_a):
    base = LaborBaseFactory(school=school_a, name="甲校茶园")
    LandParcelFactory(base=base, year=future_year)
    assert scoping.current_year().year == 2099


def test_a_locked_year_is_the_default_only_when_no_open_year_has_begun(year, future_year):
    year.status = ReportingYear.Status.LOCKED
    year.save()
    assert scoping.current_year().year == 2024
    ReportingYearFactory(year=2025)
    assert scoping.current_year().year == 2025  # open and its calendar year has begun


# Reopening -----------------------------------------------------------------------


@pytest.fixture
def locked_2024(director, submission_a, submission_b):
    Submission.objects.filter(pk__in=[submission_a.pk, submission_b.pk]).update(status=SubmissionStatus.APPROVED)
    return services.year_lock(user=director, year=ReportingYear.objects.get(pk=2024))


def test_reopen_page_asks_which_schools(director_client, locked_2024, school_a, school_b):
    html = director_client.get(reverse("year_action", kwargs={"year": 2024, "action": "reopen"})).content.decode()
    assert "全部学校" in html and "选定的学校" in html
    assert school_a.name in html and school_b.name in html


def test_reopen_gives_back_the_chosen_schools_with_the_reason(
    director_client, locked_2024, school_a, school_b, principal_a, principal_b
):
    response = director_client.post(
        reverse("year_action", kwargs={"year": 2024, "action": "reopen"}),
        {"reason": "补录一笔理赔", "which": "chosen", "schools": [school_a.pk]}, follow=True,
    )
    year = ReportingYear.objects.get(pk=2024)
    assert not year.is_locked
    a = Submission.objects.get(school=school_a, year=year)
    b = Submission.objects.get(school=school_b, year=year)
    assert a.status == SubmissionStatus.RETURNED and a.returned_reason == "补录一笔理赔"
    assert b.status == SubmissionStatus.APPROVED
    assert WorkflowEvent.objects.filter(
        year=year, school=school_a, action=WorkflowEvent.Action.REOPEN_SCHOOL, reason="补录一笔理赔"
    ).exists()
    assert not WorkflowEvent.objects.filter(year=year, school=school_b, action=WorkflowEvent.Action.REOPEN_SCHOOL).exists()
    text = " ".join(_messages(response))
    assert "已退回 1 所学校的填报" in text and school_a.name in text
    assert "另有 1 所学校的填报仍为已上报或已审核" in text
    # The one rule that refuses writes agrees: A may edit again, B may not.
    assert scoping.write_block_reason(principal_a, school=school_a, year=year) is None
    assert "已审核通过" in scoping.write_block_reason(principal_b, school=school_b, year=year)


def test_reopen_all_gives_every_school_back(director_client, locked_2024, school_a, school_b):
    director_client.post(
        reverse("year_action", kwargs={"year": 2024, "action": "reopen"}), {"reason": "全面复核", "which": "all"}
    )
    statuses = set(Submission.objects.filter(year_id=2024).values_list("status", flat=True))
    assert statuses == {SubmissionStatus.RETURNED}


def test_reopen_refuses_without_reason_or_without_chosen_schools(director_client, locked_2024):
    url = reverse("year_action", kwargs={"year": 2024, "action": "reopen"})
    response = director_client.post(url, {"reason": "", "which": "all"})
    assert response.status_code == 400 and "请填写重新开放原因" in response.content.decode()
    response = director_client.post(url, {"reason": "更正", "which": "chosen"})
    assert response.status_code == 400 and "请至少选择一所学校" in response.content.decode()
    assert ReportingYear.objects.get(pk=2024).is_locked


def test_year_reopen_keeps_its_reason_keyword(director, locked_2024):
    reopened = services.year_reopen(user=director, year=locked_2024, reason="更正")
    assert not reopened.is_locked


def test_admin_cannot_add_or_delete_years(director, year):
    from django.test import Client

    director.is_staff = director.is_superuser = True
    director.save()
    client = Client()
    client.force_login(director)
    assert client.get(reverse("admin:workstudy_reportingyear_add")).status_code == 403
    client.post(reverse("admin:workstudy_reportingyear_delete", args=[2024]), {"post": "yes"})
    assert ReportingYear.objects.filter(pk=2024).exists()


def test_an_empty_portal_opens_its_first_year_on_the_confirmation_page(director_client, director):
    page = director_client.get(reverse("year_create"))
    assert 'name="year"' in page.content.decode()  # the first year is typed in
    response = director_client.post(reverse("year_create"), {"year": 2099, "confirm": "yes"}, follow=True)
    assert not ReportingYear.objects.exists()
    assert any("年度须在 2000 至" in m for m in _messages(response))
    director_client.post(reverse("year_create"), {"year": 2024, "confirm": "yes"})
    assert list(ReportingYear.objects.values_list("year", flat=True)) == [2024]


def test_a_large_county_types_the_schools_to_give_back(director_client, locked_2024, school_a, school_b, monkeypatch):
    from workstudy.views import ReopenSchoolsForm

    monkeypatch.setattr(ReopenSchoolsForm, "LIST_LIMIT", 1)  # two schools: "too many" to list
    url = reverse("year_action", kwargs={"year": 2024, "action": "reopen"})
    html = director_client.get(url).content.decode()
    assert "<textarea" in html and 'type="checkbox"' not in html and "每行一个" in html
    response = director_client.post(url, {"reason": "更正", "which": "chosen", "schools": "A001\n不存在的学校"})
    assert response.status_code == 400 and "不存在的学校" in response.content.decode()
    assert ReportingYear.objects.get(pk=2024).is_locked
    director_client.post(url, {"reason": "更正", "which": "chosen", "schools": f"{school_b.name}、A001"})
    statuses = dict(Submission.objects.filter(year_id=2024).values_list("school__code", "status"))
    assert statuses == {"A001": "returned", "B001": "returned"}
