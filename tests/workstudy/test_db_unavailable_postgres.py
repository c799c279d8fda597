"""PostgreSQL ends the request's own connection in the middle of the request
(``pg_terminate_backend`` from another connection, as a restart or an administrator does):
the user gets the 503 page that says whether the change was saved, and the database agrees.
A read is answered by its one retry on a new connection.

Run with DATABASE_URL=postgres://...; on SQLite these are reported as skipped (the cursor-level
tests in test_db_unavailable.py cover SQLite).
"""

from __future__ import annotations

import contextlib
import time
from decimal import Decimal

import psycopg2
import pytest
from django.db import connections
from django.urls import reverse

from labor_bases.models import LandParcel, ProductionLine
from tests.labor_bases.factories import LaborBaseFactory
from tests.workstudy.test_db_unavailable import (
    NOT_SAVED,
    PAGE_NOT_SHOWN,
    _assert_503_page,
    _client,
    _plot,
    _plot_post,
    _workbook,
    writes_to,
)
from workstudy.models import ImportUpload, Submission, SubmissionStatus, WorkflowEvent

pytestmark = [
    pytest.mark.skipif(connections["default"].vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def _terminate(pid: int) -> None:
    settings = connections["default"].settings_dict
    other = psycopg2.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
    )
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(100):  # until the backend is gone
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.02)
    finally:
        other.close()


@contextlib.contextmanager
def backend_terminated_at(trigger, times: int = 1):
    """The first ``times`` statements that ``trigger(sql)`` matches find their backend
    terminated just before they run."""
    done = []

    def wrapper(execute, sql, params, many, context):
        if len(done) < times and trigger(sql):
            pid = context["connection"].connection.get_backend_pid()
            _terminate(pid)
            done.append(pid)
        return execute(sql, params, many, context)

    connection = connections["default"]
    with connection.execute_wrapper(wrapper):
        yield done
    connection.close()  # the test's own next query gets a new connection


def test_a_read_survives_its_backend_terminated_by_one_retry(principal_a, submission_a):
    client = _client(principal_a)
    with backend_terminated_at(lambda sql: "workstudy_submission" in sql) as done:
        response = client.get(reverse("dashboard") + "?year=2024")
    assert len(done) == 1
    assert response.status_code == 200 and "Retry-After" not in response


def test_a_read_whose_retry_fails_too_is_the_503_page(principal_a, submission_a):
    client = _client(principal_a)
    with backend_terminated_at(lambda sql: "workstudy_submission" in sql, times=2) as done:
        response = client.get(reverse("dashboard") + "?year=2024")
    assert len(done) == 2
    _assert_503_page(response, PAGE_NOT_SHOWN)


def test_an_edit_whose_backend_is_terminated_is_not_saved(principal_a, year):
    plot = _plot(principal_a.school)
    client = _client(principal_a)
    with backend_terminated_at(writes_to("labor_bases_landparcel")) as done:
        response = _plot_post(client, plot, "7")
    assert done
    _assert_503_page(response, NOT_SAVED)
    assert response["X-Change-Saved"] == "no"
    assert LandParcel.objects.get(pk=plot.pk).area_mu == Decimal("12.00")
    assert plot.history.count() == 1


def test_an_approval_whose_backend_is_terminated_is_not_saved_and_not_stuck(director, submission_a):
    Submission.objects.filter(pk=submission_a.pk).update(status=SubmissionStatus.SUBMITTED)
    client = _client(director)
    url = reverse("submission_action", args=[submission_a.pk, "approve"])
    with backend_terminated_at(writes_to("workstudy_workflowevent")) as done:  # the status UPDATE has run
        response = client.post(url)
    assert done
    _assert_503_page(response, NOT_SAVED)
    assert Submission.objects.get(pk=submission_a.pk).status == SubmissionStatus.SUBMITTED
    assert not WorkflowEvent.objects.filter(action="approve").exists()
    assert client.post(url).status_code == 302
    assert Submission.objects.get(pk=submission_a.pk).status == SubmissionStatus.APPROVED


def test_an_import_whose_backend_is_terminated_after_its_rows_saves_none(principal_a, year):
    base = LaborBaseFactory(school=principal_a.school, name="甲校茶园基地", declared_total_mu=Decimal("12"))
    client = _client(principal_a)
    url = reverse("excel:import", args=["labor_production"])
    assert client.post(url, {"file": _workbook(base), "year": 2024}).status_code == 200
    upload = ImportUpload.objects.get()
    with backend_terminated_at(writes_to("labor_bases_historicalproductionline")) as done:
        response = client.post(url, {"upload_id": upload.pk})
    assert done
    _assert_503_page(response, NOT_SAVED)
    assert not ProductionLine.objects.exists()
    assert client.post(url, {"upload_id": upload.pk}).status_code == 302
    assert ProductionLine.objects.count() == 20
