"""A year locked county by county: each county's director locks the county's year when its own
schools are approved, whatever the neighbours still enter; the county's rows become read-only,
its summary and documents are kept as at its lock; the year itself is locked once every county
has, and a county reopening leaves the others locked."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import archive, figures, pdf
from tests.factories import UserFactory
from tests.reports import test_per_county
from workstudy import locks, scoping, services
from workstudy.models import CountyLock, ReportingYear, Role, School, Submission, SubmissionStatus, WorkflowEvent

regions, two = test_per_county.regions, test_per_county.two  # the two counties' fixtures


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _approve(county):
    Submission.objects.filter(year_id=2024, school__county=county).update(status=SubmissionStatus.APPROVED)


@pytest.fixture
def directors(two, director):
    director_b = UserFactory(username="director_b", role=Role.STAFF, is_director=True, region=two["b"])
    return {"a": director, "b": director_b}


def _year():
    return ReportingYear.objects.get(pk=2024)


def test_a_county_locks_its_year_while_its_neighbour_still_enters(two, directors):
    from labor_bases.models import LandParcel

    assert services.year_lock_block_reason(_year(), two["a"]) is not None  # its own schools not approved yet
    _approve(two["a"])
    # County B's return is still a draft: it does not hold county A back.
    assert services.year_lock_block_reason(_year(), two["a"]) is None
    assert "余江乙校" in services.year_lock_block_reason(_year(), two["b"])
    seen = services.year_lock(user=directors["a"], year=_year())
    assert seen.is_locked and seen.locked_by == directors["a"]
    year = _year()
    assert not year.is_locked  # the year itself: county B has not locked
    assert locks.is_locked(year, two["a"]) and not locks.is_locked(year, two["b"])
    assert WorkflowEvent.objects.get(action=WorkflowEvent.Action.LOCK).county == two["a"]
    # County A's rows are read-only, county B's are not, on the one rule every path asks.
    a_school, b_school = School.objects.get(code="A001"), two["school_b"]
    reason = scoping.write_block_reason(directors["a"], school=a_school, year=year)
    assert reason and "锁定" in reason and directors["a"].get_full_name() in reason
    assert scoping.write_block_reason(directors["b"], school=b_school, year=year) is None
    plots = LandParcel.objects.filter(year_id=2024)
    assert not scoping.editable(directors["a"], plots).exists()
    assert scoping.editable(directors["b"], plots).filter(base__school=b_school).exists()
    # Workflow: county A's returns cannot move any more; county B's can.
    a_return = Submission.objects.get(year_id=2024, school=a_school)
    with pytest.raises(PermissionDenied):
        services.submission_return(user=directors["a"], submission=a_return, reason="再核")
    b_return = Submission.objects.get(year_id=2024, school=b_school)
    Submission.objects.filter(pk=b_return.pk).update(explanation="新开稻田，收入增加。", staff_count=20, student_count=300)
    b_return.refresh_from_db()
    services.submission_submit(user=directors["b"], submission=b_return)
    services.submission_approve(user=directors["b"], submission=Submission.objects.get(pk=b_return.pk))
    # County B locks too: now the year itself is locked.
    services.year_lock(user=directors["b"], year=_year())
    assert _year().is_locked and set(CountyLock.objects.values_list("county_id", flat=True)) == {
        two["a"].pk, two["b"].pk}


def test_a_shared_row_is_read_only_once_any_county_has_locked(two, directors):
    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    reason = scoping.write_block_reason(directors["b"], school=None, year=_year(), shared=True)
    assert reason and "锁定" in reason
    # A bureau-level row county B's staff write (their county's) is not held by county A's lock.
    assert scoping.write_block_reason(directors["b"], school=None, year=_year()) is None


def test_only_a_countys_own_director_locks_and_reopens_it(two, directors):
    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    with pytest.raises(ValidationError, match="未锁定"):  # B has not locked: nothing of B's to reopen
        services.year_reopen(user=directors["b"], year=_year(), reason="误操作")
    assert locks.is_locked(_year(), two["a"])
    city = UserFactory(username="city_director", role=Role.STAFF, is_director=True, region=two["city"])
    with pytest.raises(PermissionDenied):
        services.year_lock(user=city, year=_year())


def test_reopening_one_county_of_a_locked_year_leaves_the_others_locked(two, directors):
    _approve(two["a"])
    _approve(two["b"])
    services.year_lock(user=directors["a"], year=_year())
    b_locked_at = CountyLock.objects.get(county=two["a"]).locked_at
    services.year_lock(user=directors["b"], year=_year())
    assert _year().is_locked
    services.year_reopen(user=directors["a"], year=_year(), reason="补录一所学校")
    year = _year()
    assert not year.is_locked and not locks.is_locked(year, two["a"]) and locks.is_locked(year, two["b"])
    assert CountyLock.objects.get(county=two["b"]).locked_by == directors["b"]
    assert b_locked_at is not None
    # A year locked as a whole (before counties locked one by one): the others keep its lock.
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.LOCKED, locked_by=directors["a"])
    CountyLock.objects.all().delete()
    services.year_reopen(user=directors["b"], year=_year(), reason="更正")
    year = _year()
    assert locks.is_locked(year, two["a"]) and not locks.is_locked(year, two["b"])
    assert CountyLock.objects.get(county=two["a"]).locked_by == directors["a"]


def test_a_countys_summary_and_documents_are_kept_at_its_own_lock(two, directors):
    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    issued = archive.current(_year(), "summary", county=two["a"])
    assert issued is not None and issued.county == two["a"]
    sheets = archive.ArchivedDocument.objects.filter(year_id=2024, kind="sheet", superseded_at__isnull=True)
    assert set(sheets.values_list("school__county_id", flat=True)) == {two["a"].pk}
    kept = figures.frozen(2024, two["a"])
    assert kept is not None and kept.year_locked
    assert figures.frozen(2024, two["b"]) is None and figures.frozen(2024) is None
    # A row without a year changes: county A's summary stays as at its lock, B's follows the data.
    School.objects.filter(code="A001").update(name="甲校改名")
    two["school_b"].name = "余江乙校改名"
    two["school_b"].save()
    assert figures.frozen(2024, two["a"]).fingerprint() == kept.fingerprint()
    assert "甲校改名" not in str(figures.frozen(2024, two["a"]).data)
    download = pdf.summary_download(2024, two["a"])
    assert (download.source, download.sha256) == ("stored", issued.sha256)
    assert pdf.summary_download(2024, two["b"]).source != "stored"
    # County A reopens: its documents are superseded (kept), its summary follows the data again.
    services.year_reopen(user=directors["a"], year=_year(), reason="更正")
    assert archive.current(_year(), "summary", county=two["a"]) is None
    assert not sheets.exists()
    assert figures.frozen(2024, two["a"]) is None


def test_pages_show_the_year_as_each_county_has_it(two, directors):
    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    page_a = _client(directors["a"]).get(reverse("years")).content.decode()
    page_b = _client(directors["b"]).get(reverse("years")).content.decode()
    lock_url = reverse("year_action", kwargs={"year": 2024, "action": "lock"})
    reopen_url = reverse("year_action", kwargs={"year": 2024, "action": "reopen"})
    assert reopen_url in page_a and lock_url not in page_a
    assert reopen_url not in page_b and "余江乙校" in page_b  # B: why it cannot lock yet, its own school named
    assert "甲校" not in page_b
    dash_a = _client(directors["a"]).get(reverse("dashboard"), {"year": 2024}).content.decode()
    dash_b = _client(directors["b"]).get(reverse("dashboard"), {"year": 2024}).content.decode()
    assert "年度已锁定" in dash_a and "年度已锁定" not in dash_b
    # B's director posting a lock of B is refused with the reason (its school is not approved).
    response = _client(directors["b"]).post(lock_url, follow=True)
    assert "余江乙校" in response.content.decode() and not locks.is_locked(_year(), two["b"])


def test_the_api_refuses_a_locked_countys_rows_and_takes_the_others(two, directors):
    from labor_bases.models import LandParcel

    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    a_plot = LandParcel.objects.filter(year_id=2024, base__school__county=two["a"]).first()
    b_plot = LandParcel.objects.filter(year_id=2024, base__school__county=two["b"]).first()
    assert a_plot is not None and b_plot is not None
    api_a, api_b = _client(directors["a"]), _client(directors["b"])
    url = "/api/labor-bases/plots/{}/"
    refused = api_a.patch(url.format(a_plot.pk), {"area_mu": "9.00"}, content_type="application/json")
    assert refused.status_code in (403, 404), refused.content
    assert LandParcel.objects.get(pk=a_plot.pk).area_mu == a_plot.area_mu
    taken = api_b.patch(url.format(b_plot.pk), {"area_mu": "9.00", "version": b_plot.version},
                        content_type="application/json")
    assert taken.status_code == 200, taken.content
    assert LandParcel.objects.get(pk=b_plot.pk).area_mu == Decimal("9.00")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("ab"), st.sampled_from(["lock", "reopen"])), max_size=8))
def test_any_order_of_locks_and_reopens_keeps_the_year_consistent(two, directors, steps):
    """Whatever the counties do in whatever order: the year is locked exactly when both counties
    are; a county's rows are writable exactly when it is not locked; a refused step changes nothing."""
    _approve(two["a"])
    _approve(two["b"])
    ReportingYear.objects.filter(pk=2024).update(status=ReportingYear.Status.OPEN, locked_by=None, locked_at=None,
                                                 county_locked=False)
    CountyLock.objects.all().delete()
    state = {"a": False, "b": False}
    schools = {"a": School.objects.get(code="A001"), "b": two["school_b"]}
    for who, action in steps:
        act = services.year_lock if action == "lock" else services.year_reopen
        kwargs = {} if action == "lock" else {"reason": "更正"}
        try:
            act(user=directors[who], year=_year(), **kwargs)
        except ValidationError:
            assert state[who] == (action == "lock")  # refused: already so
        else:
            state[who] = action == "lock"
        year = _year()
        assert year.is_locked == (state["a"] and state["b"])
        for county in "ab":
            assert locks.is_locked(year, two[county]) == state[county]
            writable = scoping.write_block_reason(directors[county], school=schools[county], year=year) is None
            assert writable == (not state[county])


def test_each_county_sets_its_own_deadline_and_its_schools_see_only_theirs(two, directors,
                                                                           django_capture_on_commit_callbacks):
    import datetime

    from django.core import mail

    year = _year()
    services.year_set_deadline(user=directors["a"], year=year, deadline=datetime.date(2025, 3, 31))
    services.year_set_deadline(user=directors["b"], year=year, deadline=datetime.date(2025, 4, 15))
    assert _year().deadline is None  # neither county's date is the other's
    assert services.deadline_of(_year(), two["a"]) == datetime.date(2025, 3, 31)
    assert services.deadline_of(_year(), two["b"]) == datetime.date(2025, 4, 15)
    principal_a = UserFactory(username="pa", role=Role.PRINCIPAL, school=School.objects.get(code="A001"))
    principal_b = UserFactory(username="pb", role=Role.PRINCIPAL, school=two["school_b"])
    page_a = _client(principal_a).get(reverse("dashboard"), {"year": 2024}).content.decode()
    page_b = _client(principal_b).get(reverse("dashboard"), {"year": 2024}).content.decode()
    assert "2025-03-31" in page_a and "2025-04-15" not in page_a
    assert "2025-04-15" in page_b and "2025-03-31" not in page_b
    years_b = _client(directors["b"]).get(reverse("years")).content.decode()
    assert "2025-04-15" in years_b and "2025-03-31" not in years_b
    # County B's 催报 names B's date and B's bureau, never A's.
    principal_b.email = "pb@example.cn"
    principal_b.save()
    text = services.default_reminder_text(_year(), two["b"])
    assert "2025-04-15" in text
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(user=directors["b"], year=_year(), message=text)
    assert mail.outbox and all("余江区教育局" in m.body and "贵溪" not in m.body for m in mail.outbox)


def test_the_api_gives_each_county_its_own_year(two, directors):
    import datetime

    _approve(two["a"])
    services.year_lock(user=directors["a"], year=_year())
    services.year_set_deadline(user=directors["b"], year=_year(), deadline=datetime.date(2025, 4, 15))
    got = {who: _client(directors[who]).get("/api/years/2024/").json() for who in "ab"}
    assert got["a"]["status"] == "locked" and got["a"]["locked_at"] is not None
    assert got["b"]["status"] == "open" and got["b"]["locked_at"] is None
    assert got["b"]["deadline"] == "2025-04-15" and got["a"]["deadline"] is None


def test_a_countys_year_log_lists_its_own_locks_not_its_neighbours(two, directors):
    _approve(two["b"])
    services.year_lock(user=directors["b"], year=_year())
    page_a = _client(directors["a"]).get(reverse("years")).content.decode()
    page_b = _client(directors["b"]).get(reverse("years")).content.decode()
    assert "余江区" in page_b and directors["b"].username not in page_a and "余江区" not in page_a


def test_the_admin_lists_a_countys_own_archived_documents_only(two, directors):
    _approve(two["b"])
    services.year_lock(user=directors["b"], year=_year())
    url = reverse("admin:reports_archiveddocument_changelist")
    directors["a"].is_staff = directors["b"].is_staff = True
    directors["a"].save()
    directors["b"].save()
    page_a = _client(directors["a"]).get(url).content.decode()
    page_b = _client(directors["b"]).get(url).content.decode()
    assert "余江乙校" in page_b and "余江乙校" not in page_a
