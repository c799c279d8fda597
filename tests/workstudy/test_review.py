"""The review screen of one school's year: figures beside last year's with the change, each
linked to the school's rows; every warning linked to its row, explained by the school (required
for a >50% swing before submitting), accepted by the director; the summary's appendix lists
accepted warnings with their explanations apart from the open ones."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from labor_bases.selectors import school_table
from reports.figures import compute
from tests.factories import ReportingYearFactory, SubmissionFactory
from tests.labor_bases.factories import (
    BaseYearFinanceFactory,
    LaborBaseFactory,
    LandParcelFactory,
    ProductionLineFactory,
)
from workstudy import rules, services
from workstudy.models import Submission, SubmissionStatus, WarningNote


@pytest.fixture
def two_years(school_a, year):
    """School A: 10 亩 in 2023, 16 亩 in 2024 (+60%: LB-05), production both years."""
    last = ReportingYearFactory(year=2023)
    base = LaborBaseFactory(school=school_a, name="甲校茶园基地")
    LandParcelFactory(base=base, year=last, land_type="tea", area_mu=Decimal("10"))
    LandParcelFactory(base=base, year=year, land_type="tea", area_mu=Decimal("16"))
    ProductionLineFactory(base=base, year=last, quantity=Decimal("100"), unit_price=Decimal("20"))
    ProductionLineFactory(base=base, year=year, quantity=Decimal("150"), unit_price=Decimal("20"))
    for y in (last, year):
        BaseYearFinanceFactory(base=base, year=y)
    submission = SubmissionFactory(school=school_a, year=year, staff_count=10, student_count=100, explanation="")
    return {"base": base, "submission": submission}


def _grid_warnings(client, submission) -> int:
    rows = client.get(reverse("dashboard") + "?year=2024").context["rows"]
    return next(r["warnings"] for r in rows if r["submission"].pk == submission.pk)


def _swing(submission):
    return [f for f in rules.findings(submission.year_id, submission.school_id) if f.rule.code == "LB-05"]


@pytest.mark.django_db
def test_figures_beside_last_years_linked_to_the_schools_rows(two_years, director_client, school_a):
    page = director_client.get(reverse("submission_detail", args=[two_years["submission"].pk])).content.decode()
    now, before = school_table(2024, [school_a.pk])[school_a.pk], school_table(2023, [school_a.pk])[school_a.pk]
    value_now, value_before = now["finance"]["production_value"], before["finance"]["production_value"]
    assert f"{value_now:,.2f}" in page and f"{value_before:,.2f}" in page
    assert f"+{value_now - value_before:,.2f}" in page and "+50.0%" in page  # 3,000 -> 4,500
    assert "16.00" in page and "10.00" in page and "+60.0%" in page
    assert f"/labor-bases/plots/?year=2024&amp;school={school_a.pk}" in page
    assert f"/labor-bases/production/?year=2024&amp;school={school_a.pk}" in page
    assert f"/labor-bases/?year=2024&amp;school={school_a.pk}" in page, "the module opens this school's data"
    # every warning links to its row
    for finding in rules.findings(2024, school_a.pk):
        assert str(finding.url).replace("&", "&amp;") in page


@pytest.mark.django_db
def test_a_swing_is_explained_on_its_warning_before_submitting(two_years, principal_a, principal_a_client):
    submission = two_years["submission"]
    (swing,) = _swing(submission)
    with pytest.raises(Exception) as refused:
        services.submission_submit(user=principal_a, submission=submission)
    assert "较上年变化" in str(refused.value)

    url = reverse("warning_note", args=[submission.pk, "explain"])
    response = principal_a_client.post(url, {"key": swing.key, "text": "   "}, follow=True)
    assert "请写明说明" in response.content.decode() and not WarningNote.objects.exists()
    response = principal_a_client.post(url, {"key": "no-such-warning", "text": "新开垦"}, follow=True)
    assert "这条提醒已不存在" in response.content.decode() and not WarningNote.objects.exists()

    principal_a_client.post(url, {"key": swing.key, "text": "新开垦茶园 6 亩"})
    note = WarningNote.objects.get()
    assert (note.code, note.explanation, note.explained_by) == ("LB-05", "新开垦茶园 6 亩", principal_a)
    page = principal_a_client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert "新开垦茶园 6 亩" in page
    services.submission_submit(user=principal_a, submission=submission)
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED

    # Submitted: the school can no longer change its explanation.
    response = principal_a_client.post(url, {"key": swing.key, "text": "改了"}, follow=True)
    assert WarningNote.objects.get().explanation == "新开垦茶园 6 亩"
    assert "已上报" in response.content.decode()


@pytest.mark.django_db
def test_the_key_is_the_same_in_every_language(two_years):
    submission = two_years["submission"]
    with translation.override("zh-hans"):
        zh = sorted(f.key for f in rules.findings(2024, submission.school_id))
    with translation.override("en"):
        en = sorted(f.key for f in rules.findings(2024, submission.school_id))
    assert zh == en and zh


@pytest.mark.django_db
def test_accepted_warnings_are_listed_apart_in_the_appendix(two_years, principal_a_client, director, director_client,
                                                         principal_b_client, clerk_client):
    submission = two_years["submission"]
    (swing,) = _swing(submission)
    accept = reverse("warning_note", args=[submission.pk, "accept"])
    director_client.post(accept, {"key": swing.key})
    assert not WarningNote.objects.exists(), "nothing to accept before the school explains"

    principal_a_client.post(reverse("warning_note", args=[submission.pk, "explain"]),
                            {"key": swing.key, "text": "新开垦茶园 6 亩"})
    assert principal_b_client.post(accept, {"key": swing.key}).status_code == 404
    clerk_client.post(accept, {"key": swing.key})
    assert not WarningNote.objects.get().accepted, "only the director accepts"

    before = compute(2024).data
    assert any(f["code"] == "LB-05" for f in before["findings"]) and before["accepted_total"] == 0
    grid_before = _grid_warnings(director_client, submission)
    director_client.post(accept, {"key": swing.key})
    assert _grid_warnings(director_client, submission) == grid_before - 1, "the grid counts open warnings"
    note = WarningNote.objects.get()
    assert note.accepted and note.accepted_by == director

    after = compute(2024).data
    assert not any(f["code"] == "LB-05" for f in after["findings"])
    assert after["findings_total"] == before["findings_total"] - 1
    assert after["accepted_total"] == 1
    (row,) = after["accepted_findings"]
    assert row["code"] == "LB-05" and row["explanation"] == "新开垦茶园 6 亩"
    html = director_client.get(reverse("reports:summary", args=[2024])).content.decode()
    assert "新开垦茶园6亩" in html and "经勤工办审核接受" in html  # printed as prose: no spaces by Han

    # A new explanation is read again.
    principal_a_client.post(reverse("warning_note", args=[submission.pk, "explain"]),
                            {"key": swing.key, "text": "新开垦茶园 6 亩，另租用 2 亩"})
    assert not WarningNote.objects.get().accepted


def test_a_figure_of_last_year_only_keeps_its_place():
    from workstudy.views_review import _merged

    now = [{"key": "services.shop"}, {"key": "services"}]
    before = {k: {"key": k} for k in ("services.canteen", "services.shop", "services.dormitory", "services")}
    assert [f["key"] for f in _merged(now, before)] == [
        "services.canteen", "services.shop", "services.dormitory", "services"]


@pytest.mark.django_db
def test_each_modules_two_years_are_read_in_the_queries_of_one(two_years, school_a, year):
    """The review screen asks every module for this year's figures and last year's together: the
    two years cost the queries of one, and each year's figures are those read alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.insurance.factories import ClaimFactory, CoverageFactory, PolicyFactory
    from tests.labor_education.factories import LaborEducationFactory
    from tests.logistics.factories import SchoolServiceFactory
    from workstudy import modules
    from workstudy.models import ReportingYear

    last = ReportingYear.objects.get(pk=2023)
    for y, n in ((last, 1), (year, 2)):
        LaborEducationFactory(school=school_a, year=y, labor_week_days=3 + n, students_taking_part=100 * n)
        for kind in ("canteen", "dormitory")[:n]:
            SchoolServiceFactory(school=school_a, year=y, kind=kind)
        CoverageFactory(school=school_a, year=y, insured_parent_paid=100 * n)
        for _ in range(n):
            ClaimFactory(school=school_a, policy=PolicyFactory(year=y), status="paid",
                         paid_amount=Decimal("1000.00") * n, paid_date=f"{y.year}-06-01")
    readers = [module for module in modules.all_modules() if module.figures is not None]
    assert {m.key for m in readers} >= {"labor_bases", "labor_education", "logistics", "insurance"}
    for module in readers:
        alone = {}
        for y in (2023, 2024):
            with CaptureQueriesContext(connection) as one:
                alone[y] = module.figures([y], school_a.pk)[y]
        with CaptureQueriesContext(connection) as both:
            together = module.figures([2023, 2024], school_a.pk)
        assert len(both) == len(one), module.key
        assert together == alone, module.key
        assert alone[2023] != alone[2024], module.key  # the data differ by year: a mix-up would show
