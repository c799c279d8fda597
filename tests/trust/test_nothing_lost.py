"""Nothing is lost: stale edits are refused, concurrent workflow steps end in one
consistent state, and /health/ tells the load balancer the truth."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from tests.factories import ReportingYearFactory, SchoolFactory, SubmissionFactory, UserFactory
from workstudy import services
from workstudy.models import Role, Submission, WorkflowEvent

STALE_TEXT = "这条记录已被他人修改"


def _counts_url(submission):
    return reverse("school_counts", kwargs={"school_id": submission.school_id}) + f"?year={submission.year_id}"


def _form_version(html: str) -> str:
    import re

    match = re.search(r'name="row_version" value="(\d+)"', html)
    assert match, "the counts form carries the row version"
    return match.group(1)


# --- (a) optimistic locking through the counts form ---------------------------------------


def test_second_of_two_concurrent_editors_is_refused_and_first_edit_stays(director, clerk, submission_a):
    first, second = Client(), Client()
    first.force_login(director)
    second.force_login(clerk)
    url = _counts_url(submission_a)

    v1 = _form_version(first.get(url).content.decode())
    v2 = _form_version(second.get(url).content.decode())
    assert v1 == v2

    saved = first.post(url, {"staff_count": 41, "student_count": 500, "poor_student_count": 25, "row_version": v1})
    assert saved.status_code == 302

    stale = second.post(url, {"staff_count": 99, "student_count": 999, "poor_student_count": 1, "row_version": v2})
    assert stale.status_code == 400
    body = stale.content.decode()
    assert STALE_TEXT in body and "刷新" in body

    submission_a.refresh_from_db()
    assert (submission_a.staff_count, submission_a.student_count, submission_a.poor_student_count) == (41, 500, 25)
    assert submission_a.history.count() == 2  # created + the first edit; the stale one left no trace

    # After reloading, the second editor can save (their edit is now based on the latest row).
    fresh = _form_version(second.get(url).content.decode())
    assert int(fresh) == int(v1) + 1
    again = second.post(url, {"staff_count": 42, "student_count": 500, "poor_student_count": 25, "row_version": fresh})
    assert again.status_code == 302
    submission_a.refresh_from_db()
    assert submission_a.staff_count == 42


def test_principal_and_staff_editing_at_once(director, principal_a, submission_a):
    staff, principal = Client(), Client()
    staff.force_login(director)
    principal.force_login(principal_a)
    staff_version = _form_version(staff.get(_counts_url(submission_a)).content.decode())
    principal_version = _form_version(principal.get(reverse("my_counts") + "?year=2024").content.decode())
    assert principal.post(
        reverse("my_counts") + "?year=2024",
        {"staff_count": 35, "student_count": 420, "poor_student_count": 30, "row_version": principal_version},
    ).status_code == 302
    stale = staff.post(
        _counts_url(submission_a),
        {"staff_count": 1, "student_count": 2, "poor_student_count": 0, "row_version": staff_version},
    )
    assert stale.status_code == 400 and STALE_TEXT in stale.content.decode()
    submission_a.refresh_from_db()
    assert submission_a.staff_count == 35


def test_stale_save_by_api_is_refused_too(director, submission_a):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(director)
    url = reverse("submission-detail", kwargs={"pk": submission_a.pk})
    version = client.get(url).json()["version"]
    assert client.patch(url, {"staff_count": 50, "version": version}, format="json").status_code == 200
    stale = client.patch(url, {"staff_count": 51, "version": version}, format="json")
    assert stale.status_code == 400 and STALE_TEXT in stale.content.decode()
    submission_a.refresh_from_db()
    assert submission_a.staff_count == 50


# --- (b) concurrent workflow steps (PostgreSQL row locks) -------------------------------------


def _race(n, action):
    """Run ``action(i)`` in ``n`` threads released together; each uses its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list[object] = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = action(i)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert on
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks (select_for_update) need PostgreSQL; SQLite serialises whole-database writes",
)


@pytest.fixture
def race_world(transactional_db):
    year = ReportingYearFactory(year=2024)
    school = SchoolFactory(code="R001", name="竞态学校")
    submission = SubmissionFactory(school=school, year=year, status="submitted")
    directors = [UserFactory(username=f"dir{i}", role=Role.STAFF, is_director=True) for i in range(4)]
    principal = UserFactory(username="race_principal", role=Role.PRINCIPAL, school=school, is_staff=False)
    return submission, directors, principal


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_directors_approving_at_once_make_one_event(race_world):
    submission, directors, _principal = race_world

    def approve(i):
        return services.submission_approve(user=directors[i], submission=Submission.objects.get(pk=submission.pk))

    outcomes = _race(2, approve)
    winners = [o for o in outcomes if isinstance(o, Submission)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], ValidationError), repr(losers[0])
    assert "已审核" in " ".join(losers[0].messages)
    assert WorkflowEvent.objects.filter(action="approve", school=submission.school).count() == 1
    fresh = Submission.objects.get(pk=submission.pk)
    assert fresh.status == "approved" and fresh.reviewed_by == winners[0].reviewed_by
    assert fresh.version == submission.version + 1


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_once_end_in_one_consistent_state(race_world):
    submission, directors, _principal = race_world

    def act(i):
        fresh = Submission.objects.get(pk=submission.pk)
        if i == 0:
            return services.submission_approve(user=directors[0], submission=fresh)
        return services.submission_return(user=directors[1], submission=fresh, reason="数字不对")

    outcomes = _race(2, act)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    fresh = Submission.objects.get(pk=submission.pk)
    events = list(WorkflowEvent.objects.filter(school=submission.school).order_by("id"))
    # Return may legitimately follow approve (approved -> returned); approve never follows return.
    if errors:
        assert len(errors) == 1 and isinstance(errors[0], ValidationError), outcomes
        assert len(events) == 1
        assert fresh.status == {"approve": "approved", "return": "returned"}[events[0].action]
    else:
        assert [e.action for e in events] == ["approve", "return"]
        assert fresh.status == "returned" and fresh.returned_reason == "数字不对"


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_double_submit_at_once_makes_one_event(race_world):
    submission, directors, principal = race_world
    Submission.objects.filter(pk=submission.pk).update(status="draft")

    def submit(i):
        return services.submission_submit(user=principal, submission=Submission.objects.get(pk=submission.pk))

    outcomes = _race(4, submit)
    winners = [o for o in outcomes if isinstance(o, Submission)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in losers), outcomes
    assert WorkflowEvent.objects.filter(action="submit", school=submission.school).count() == 1
    assert Submission.objects.get(pk=submission.pk).status == "submitted"


@pytest.mark.postgres
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_lock_year_while_a_school_is_returned_never_locks_a_pending_school(race_world):
    submission, directors, _principal = race_world
    Submission.objects.filter(pk=submission.pk).update(status="approved")
    year = submission.year

    def act(i):
        if i == 0:
            return services.year_lock(user=directors[0], year=year)
        return services.submission_return(
            user=directors[1], submission=Submission.objects.get(pk=submission.pk), reason="重新核对"
        )

    outcomes = _race(2, act)
    year.refresh_from_db()
    fresh = Submission.objects.get(pk=submission.pk)
    # Either the year locked with the school approved (the return was refused), or the
    # school was returned and the lock refused: never a locked year with a returned school.
    assert not (year.is_locked and fresh.status != "approved"), (year.status, fresh.status, outcomes)
    assert any(isinstance(o, (ValidationError, PermissionDenied)) for o in outcomes), outcomes


# --- (d) health ---------------------------------------------------------------------------


def test_health_ok(client, db):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "Content-Security-Policy" in response


def test_health_503_when_the_database_is_unreachable(client, db):
    with mock.patch("workstudy.views.connection.cursor", side_effect=OperationalError("could not connect to server")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["status"] != "ok"
    assert "could not connect" not in response.content.decode()  # no internals leaked


def test_health_503_when_the_query_fails(client, db):
    broken = mock.MagicMock()
    broken.__enter__.return_value.execute.side_effect = OperationalError("server closed the connection")
    with mock.patch("workstudy.views.connection.cursor", return_value=broken):
        response = client.get(reverse("health"))
    assert response.status_code == 503
